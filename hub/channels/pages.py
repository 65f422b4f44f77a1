"""Articles through the v1 API (E4-E7): upsert by slug, one translation, status changes.

Each request is one transaction over the shared entry lifecycle (`hub.core.entries`): content is
saved, target statuses are computed here from the v1 fields (`status`, `publish_translations`,
`translations[].status`), checked against the primary-first rule, and handed to the core, which
applies the moderation policy and derives the page status. A 422 anywhere rolls everything back.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg

from hub.channels import present
from hub.channels.access import channel_for
from hub.channels.content import clean_excerpt, excerpt_warnings, render_body
from hub.channels.schemas import (
    MISSING,
    MSG_DEFAULT_LANGUAGE,
    PageInput,
    Problems,
    TranslationInput,
    normalise_language,
    parse_json_object,
    parse_page,
    parse_status,
    parse_translation,
    warning,
)
from hub.core.auth import Principal
from hub.core.channels import Channel
from hub.core.entries import publishing
from hub.core.entries import queries as entry_queries
from hub.core.entries.lifecycle import (
    DRAFT,
    PRIMARY_FIRST_MESSAGE,
    PUBLISHED,
    REVIEW,
    SCHEDULED,
    can_schedule,
    intended_status,
    primary_first_violations,
)
from hub.core.entries.model import Entry, find_entry, load_entry
from hub.core.entries.slugs import allocate_entry_slug
from hub.core.errors import Invalid, NotFound
from hub.core.queue import flush_outbox
from hub.core.resources import Resources


class DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@dataclass
class Outcome:
    article: dict
    created: bool = False
    entry: Entry | None = None
    warnings: list[dict] = field(default_factory=list)


@contextlib.asynccontextmanager
async def _write(resources: Resources, *, dry_run: bool) -> AsyncIterator[asyncpg.Connection]:
    async with resources.pool.acquire() as conn:
        tr = conn.transaction()
        await tr.start()
        try:
            yield conn
        except BaseException:
            await tr.rollback()
            raise
        if dry_run:
            await tr.rollback()
        else:
            await tr.commit()
    if not dry_run:
        await flush_outbox(resources.pool, resources.redis)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def _entry_or_404(conn, channel: Channel, slug: str, *, lock: bool) -> Entry:
    entry = await find_entry(conn, channel.id, slug, lock=lock)
    if entry is None or entry.row["deleted_at"] is not None:
        raise NotFound("Article not found.")
    return entry


def _finish(entry: Entry, channel: Channel, resources: Resources, warnings: list[dict]) -> dict:
    if channel.status == "draft" and entry.row["status"] in (PUBLISHED, SCHEDULED):
        warnings.append(
            warning(
                "channel_not_published",
                "The channel is a draft, so this article is not visible to readers yet.",
                None,
            )
        )
    return present.article(entry, channel.slug, resources.urls, warnings)


# -- reading ----------------------------------------------------------------------------------


async def get_page(
    resources: Resources, principal: Principal, channel_slug: str, slug: str
) -> Outcome:
    async with resources.pool.acquire() as conn:
        channel = await channel_for(conn, resources.settings, principal, channel_slug)
        entry = await _entry_or_404(conn, channel, slug, lock=False)
        return Outcome(_finish(entry, channel, resources, []), entry=entry)


async def list_revisions(
    resources: Resources, principal: Principal, channel_slug: str, slug: str
) -> dict:
    async with resources.pool.acquire() as conn:
        channel = await channel_for(conn, resources.settings, principal, channel_slug)
        entry = await _entry_or_404(conn, channel, slug, lock=False)
        rows = await entry_queries.select_revisions(conn, entry.id)
        return {"revisions": present.revision_history(rows)}


# -- content ----------------------------------------------------------------------------------


def _merge(
    t: TranslationInput, stored: dict | None, problems: Problems, warnings: list[dict]
) -> dict | None:
    """The translation's content after the request: sent fields over stored ones (R-28)."""
    prefix = f"{t.path}." if t.path else ""
    sent = t.fields
    base = stored or {"title": None, "excerpt": None, "body_format": "markdown", "body_source": "",
                      "seo_title": None, "seo_description": None}  # fmt: skip
    title = sent.get("title", base["title"])
    if title is None:
        problems.add(f"{prefix}title", f"The {prefix}title field is required.")
        return None
    markdown, html = sent.get("content_markdown"), sent.get("content_html")
    if markdown:
        fmt, source = "markdown", markdown
    elif "content_html" in sent and (html is not None or "content_markdown" not in sent):
        fmt, source = "html", html or ""
    elif "content_markdown" in sent:
        fmt, source = "markdown", ""
    else:
        fmt, source = base["body_format"], base["body_source"]
    rendered, body_warnings = render_body(fmt, source, title, t.path)
    if markdown and html and html.strip() != rendered.strip():
        field_name = f"{prefix}content_html"
        warnings.append(
            warning(
                "content_html_ignored",
                "content_markdown was used; content_html was ignored.",
                field_name,
            )
        )
    warnings.extend(body_warnings)
    excerpt = sent.get("excerpt", base["excerpt"])
    if "excerpt" in sent:
        excerpt, excerpt_fixes = clean_excerpt(excerpt, t.path)
        warnings.extend(excerpt_fixes)
        warnings.extend(excerpt_warnings(excerpt, rendered, t.path))
    return {
        "title": title,
        "excerpt": excerpt,
        "body_format": fmt,
        "body_source": source,
        "content_html": rendered,
        "seo_title": sent.get("seo_title", base["seo_title"]),
        "seo_description": sent.get("seo_description", base["seo_description"]),
    }


def _body_field(t: TranslationInput, content: dict) -> str:
    prefix = f"{t.path}." if t.path else ""
    return f"{prefix}content_{content['body_format']}"


# -- schedule ---------------------------------------------------------------------------------


def _check_schedule(
    when: datetime, entry: Entry | None, plan: str, resources: Resources, now: datetime,
    problems: Problems,
) -> bool:  # fmt: skip
    """True when `when` may be used; R-45: re-sending the stored schedule is always fine."""
    if (
        entry is not None
        and entry.scheduled_at == when
        and entry.row["status"] in (SCHEDULED, PUBLISHED)
    ):
        return True
    if not can_schedule(plan):
        problems.add("scheduled_at", "Scheduled publishing is available on Pro accounts.")
        return False
    lead = timedelta(seconds=resources.settings.schedule_min_lead_seconds)
    if when <= now + lead:
        problems.add("scheduled_at", "The scheduled_at must be a time in the future.")
        return False
    return True


def _effective_status(status, scheduled_at, now: datetime) -> str:
    """`published` with a future `scheduled_at` means scheduled (DOC, R-41)."""
    if status == PUBLISHED and scheduled_at is not MISSING and scheduled_at > now:
        return SCHEDULED
    return status


def _check_primary_first(
    entry_statuses: dict[str, str], targets: dict[str, str], primary: str,
    scheduled_at: datetime | None, now: datetime, field_for: dict[str, str], problems: Problems,
) -> None:  # fmt: skip
    intended = {
        lang: targets.get(lang)
        or intended_status(entry_statuses.get(lang, DRAFT), scheduled_at, now)
        for lang in set(entry_statuses) | set(targets) | {primary}
    }
    for lang in primary_first_violations(intended[primary], intended, primary):
        if lang in targets:
            problems.add(field_for.get(lang, "status"), PRIMARY_FIRST_MESSAGE)


async def _apply(
    conn: asyncpg.Connection, resources: Resources, principal: Principal, entry: Entry,
    contents: dict[str, tuple[TranslationInput, dict]], targets: dict[str, str], now: datetime,
    *, schedule: object = MISSING, unpublish: bool = False,
) -> bool:  # fmt: skip
    """Save content, schedule and statuses; True when anything changed (R-29)."""
    changed = False
    resubmit: set[str] = set()
    for language in sorted(contents, key=lambda lang: lang != entry.primary):
        content = contents[language][1]
        result = await publishing.save_content(
            conn, entry, language, content, credential_id=principal.credential_id
        )
        if result != "unchanged":
            changed = True
            entry = await load_entry(conn, entry.id)
        status = entry.translations[language]["status"]
        if result == "revision" or (result == "updated" and status == SCHEDULED):
            resubmit.add(language)
    if unpublish:
        if entry.row["status"] != DRAFT or any(s != DRAFT for s in entry.statuses().values()):
            await publishing.unpublish(conn, entry.id)
            changed = True
    if schedule is not MISSING and (
        schedule != entry.scheduled_at or entry.row["scheduled_paused"]
    ):
        cached = entry.row["status"]
        if schedule is None and cached == SCHEDULED:
            cached = DRAFT  # the CHECK needs a schedule; refresh_status recomputes it below
        await entry_queries.update_entry_fields(
            conn,
            entry.id,
            status=cached,
            scheduled_at=schedule,
            scheduled_paused=False,
            scheduled_pause_reason=None,
        )
        if schedule is not None:
            await publishing.schedule_publication(conn, entry.id, schedule)
        changed = True
    statuses = entry.statuses()
    moving = {lang: s for lang, s in targets.items() if statuses.get(lang) != s} or resubmit
    if moving or resubmit:
        policy = await publishing.moderation_policy(
            conn, entry.row["author_id"], resources.settings.moderation
        )
        await publishing.request_statuses(
            conn, entry.id, targets, resubmit=resubmit, policy=policy, now=now
        )
        changed = True
    else:
        await publishing.refresh_status(conn, entry.id)
    if changed:
        await entry_queries.bump_version(conn, entry.id)
    return changed


# -- E4 POST pages ----------------------------------------------------------------------------


async def upsert_page(
    resources: Resources,
    principal: Principal,
    channel_slug: str,
    raw: bytes,
    *,
    dry_run: bool = False,
) -> Outcome:
    now = _now()
    async with _write(resources, dry_run=dry_run) as conn:
        channel = await channel_for(
            conn, resources.settings, principal, channel_slug, write_scope="create"
        )
        request = parse_page(parse_json_object(raw))
        warnings = list(request.warnings)
        entry = None
        if request.slug is not MISSING:
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext('entry'), hashtext($1))",
                f"{channel.id}/{request.slug}",
            )
            entry = await find_entry(conn, channel.id, request.slug, lock=True)
            if entry is not None:
                principal.require_scope("update")
        created = entry is None
        problems = Problems()
        sent = {t.language: t for t in request.translations}
        primary = _primary_language(request, entry, channel, warnings, problems)
        contents: dict[str, tuple[TranslationInput, dict]] = {}
        for t in request.translations:
            stored = entry.current_content(t.language) if entry else None
            merged = _merge(t, stored, problems, warnings)
            if merged is not None:
                contents[t.language] = (t, merged)
        problems.raise_if_any()
        if created:
            slug = request.slug
            if slug is MISSING:
                slug = await allocate_entry_slug(
                    conn, channel.id, contents[primary][1]["title"], separator="_",
                    max_length=100, fallback="page",
                )  # fmt: skip
            entry_id = await entry_queries.insert_entry(
                conn, channel_id=channel.id, author_id=principal.author_id, slug=slug,
                default_language=primary, kind="article", created_via="v1",
                credential_id=principal.credential_id, properties={},
            )  # fmt: skip
            entry = await load_entry(conn, entry_id)
        elif primary != entry.primary:
            await entry_queries.update_entry_fields(conn, entry.id, default_language=primary)
            entry = await load_entry(conn, entry.id)
        targets, schedule, unpublish = _page_targets(
            request, entry, sent, principal, resources, now, warnings, problems, created
        )
        require_bodies(targets, contents, entry, problems)
        problems.raise_if_any()
        changed = await _apply(conn, resources, principal, entry, contents, targets, now,
                               schedule=schedule, unpublish=unpublish)  # fmt: skip
        entry = await load_entry(conn, entry.id)
        if request.tags is not MISSING and request.tags != entry.tags:
            await entry_queries.replace_categories(conn, entry.id, request.tags)
            if not changed:
                await entry_queries.bump_version(conn, entry.id)
        for language in contents:
            if (
                language != primary
                and entry.translations[language]["status"] == DRAFT
                and entry.row["status"] in (PUBLISHED, SCHEDULED, REVIEW)
                and targets.get(language) is None
            ):
                warnings.append(_saved_as_draft(contents[language][0]))
        entry = await load_entry(conn, entry.id)
        article = _finish(entry, channel, resources, warnings)
    return Outcome(article, created=created, entry=entry)


def _saved_as_draft(t: TranslationInput) -> dict:
    return warning(
        "translation_saved_as_draft",
        f"The {t.language} translation was saved as a draft. Send status=published, or PATCH "
        "the status with publish_translations=true, to publish it.",
        f"{t.path}.status" if t.path else "status",
    )


def _primary_language(request: PageInput, entry: Entry | None, channel: Channel,
                      warnings: list[dict], problems: Problems) -> str:  # fmt: skip
    sent = [t.language for t in request.translations]
    existing = set(entry.translations) if entry else set()
    if request.default_language is not MISSING:
        if request.default_language not in set(sent) | existing:
            problems.add("default_language", MSG_DEFAULT_LANGUAGE)
        return request.default_language
    if entry is not None:
        return entry.primary
    if channel.default_language in sent:
        return channel.default_language
    warnings.append(
        warning(
            "default_language_assumed",
            f"default_language was not sent; {sent[0]} (the first translation) was assumed.",
            "default_language",
        )
    )
    return sent[0]


def _page_targets(
    request: PageInput, entry: Entry, sent: dict[str, TranslationInput], principal: Principal,
    resources: Resources, now: datetime, warnings: list[dict], problems: Problems, created: bool,
) -> tuple[dict[str, str], object, bool]:  # fmt: skip
    """(target status per language, new page schedule or MISSING, unpublish?) for a POST."""
    primary = entry.primary
    page_status = request.status
    if page_status is MISSING and created:
        page_status = DRAFT  # R-18; on an update an omitted status keeps the current one
    status = _effective_status(page_status, request.scheduled_at, now)
    schedule: object = MISSING
    targets: dict[str, str] = {}
    field_for: dict[str, str] = {}
    if status is not MISSING and status != DRAFT:
        if request.scheduled_at is not MISSING and status == PUBLISHED:
            if not (
                entry.scheduled_at == request.scheduled_at
                and entry.row["status"] in (SCHEDULED, PUBLISHED)
            ):
                problems.add("scheduled_at", "The scheduled_at must be a time in the future.")
        if status == SCHEDULED:
            if request.scheduled_at is MISSING:
                problems.add(
                    "scheduled_at", "The scheduled_at field is required when status is scheduled."
                )
            elif _check_schedule(
                request.scheduled_at, entry, principal.plan, resources, now, problems
            ):
                schedule = request.scheduled_at
            if entry.translations.get(primary, {}).get("status") == PUBLISHED:
                problems.add(
                    "status", "A published article cannot be scheduled. Set it to draft first."
                )
        elif entry.translations.get(primary, {}).get("status") != PUBLISHED:
            schedule = None  # an immediate publish clears the schedule
    elif request.scheduled_at is not MISSING:
        warnings.append(
            warning("scheduled_at_ignored", "scheduled_at is ignored for drafts.", "scheduled_at")
        )
    multi = len(sent) > 1
    publish_all = True
    if request.publish_translations is not MISSING:
        if status in (PUBLISHED, SCHEDULED) and multi:
            publish_all = request.publish_translations
        else:
            warnings.append(
                warning(
                    "publish_translations_ignored",
                    "publish_translations applies only when publishing or scheduling several "
                    "translations.",
                    "publish_translations",
                )
            )
    if status in (PUBLISHED, SCHEDULED):
        targets[primary] = status
        field_for[primary] = "status"
    current = entry.statuses()
    for language, t in sent.items():
        override = t.status
        path = f"{t.path}.status"
        if language == primary:
            effective = status if status is not MISSING else entry.row["status"]
            if (
                override is not MISSING
                and _effective_status(override, request.scheduled_at, now) != effective
            ):
                problems.add(
                    path, "The status of the primary language must equal the article status."
                )
            continue
        if override is not MISSING:
            targets[language] = (
                _effective_status(override, request.scheduled_at, now)
                if override != DRAFT
                else DRAFT
            )
            field_for[language] = path
        elif status in (PUBLISHED, SCHEDULED):
            if publish_all:
                targets[language] = status
                field_for[language] = (
                    "publish_translations"
                    if request.publish_translations is not MISSING
                    else "status"
                )
            elif current.get(language) != PUBLISHED:
                targets[language] = DRAFT
    new_schedule = entry.scheduled_at if schedule is MISSING else schedule
    if status == DRAFT:
        targets[primary] = DRAFT
        field_for[primary] = "status"
    _check_primary_first(current, targets, primary, new_schedule, now, field_for, problems)
    if status == DRAFT:
        return {}, MISSING, True
    return targets, schedule, False


def require_bodies(
    targets: dict[str, str], contents: dict[str, tuple[TranslationInput, dict]], entry: Entry,
    problems: Problems,
) -> None:  # fmt: skip
    """R-75: publishing or scheduling needs a non-empty body after sanitising."""
    for language, target in targets.items():
        if target not in (PUBLISHED, SCHEDULED):
            continue
        if language in contents:
            t, content = contents[language]
            prefix = f"{t.path}." if t.path else ""
        else:
            content = entry.current_content(language)
            prefix = ""
        if not content["content_html"].strip():
            name = f"{prefix}content_{content['body_format']}"
            problems.add(name, "A body is required to publish this translation.")


# -- E6 PUT translation -----------------------------------------------------------------------


async def put_translation(
    resources: Resources, principal: Principal, channel_slug: str, slug: str, path_language: str,
    raw: bytes, *, dry_run: bool = False,
) -> Outcome:  # fmt: skip
    now = _now()
    async with _write(resources, dry_run=dry_run) as conn:
        channel = await channel_for(
            conn, resources.settings, principal, channel_slug, write_scope="update"
        )
        entry = await _entry_or_404(conn, channel, slug, lock=True)
        language = normalise_language(path_language)
        if language is None:
            raise Invalid.field(
                "language", "The language must be a language code such as en, ru or pt-BR."
            )
        problems = Problems()
        warnings: list[dict] = []
        t = parse_translation(parse_json_object(raw), "", problems, warnings, language=language)
        problems.raise_if_any()
        assert t is not None
        created = language not in entry.translations
        merged = _merge(t, entry.current_content(language), problems, warnings)
        problems.raise_if_any()
        assert merged is not None
        targets: dict[str, str] = {}
        primary = language == entry.primary
        page_status = entry.row["status"]
        if t.status is not MISSING:
            if primary:
                current = entry.translations[language]["status"]
                if t.status not in (page_status, current):
                    problems.add(
                        "status",
                        "Change the status of the primary language with the status endpoint.",
                    )
            elif t.status == SCHEDULED:
                if entry.translations[entry.primary]["status"] != SCHEDULED:
                    problems.add(
                        "status",
                        "A translation can be scheduled only when the article is scheduled.",
                    )
                targets[language] = SCHEDULED
            else:
                targets[language] = t.status
        statuses = entry.statuses()
        statuses.setdefault(language, DRAFT)
        _check_primary_first(
            statuses,
            targets,
            entry.primary,
            entry.scheduled_at,
            now,
            {language: "status"},
            problems,
        )
        require_bodies(targets, {language: (t, merged)}, entry, problems)
        problems.raise_if_any()
        await _apply(conn, resources, principal, entry, {language: (t, merged)}, targets, now)
        entry = await load_entry(conn, entry.id)
        if (
            not primary
            and t.status is MISSING
            and entry.translations[language]["status"] == DRAFT
            and entry.row["status"] in (PUBLISHED, SCHEDULED, REVIEW)
        ):
            warnings.append(_saved_as_draft(t))
        article = _finish(entry, channel, resources, warnings)
    return Outcome(article, created=created, entry=entry)


# -- E7 PATCH status --------------------------------------------------------------------------


async def patch_status(
    resources: Resources, principal: Principal, channel_slug: str, slug: str, raw: bytes,
    *, dry_run: bool = False,
) -> Outcome:  # fmt: skip
    now = _now()
    async with _write(resources, dry_run=dry_run) as conn:
        channel = await channel_for(
            conn, resources.settings, principal, channel_slug, write_scope="update"
        )
        entry = await _entry_or_404(conn, channel, slug, lock=True)
        request = parse_status(parse_json_object(raw))
        warnings = list(request.warnings)
        problems = Problems()
        status = _effective_status(request.status, request.scheduled_at, now)
        primary = entry.primary
        current = entry.statuses()
        if status in (DRAFT, "archived"):
            if request.scheduled_at is not MISSING:
                warnings.append(
                    warning("scheduled_at_ignored", "scheduled_at is ignored here.", "scheduled_at")
                )
            if status == DRAFT:
                changed = (
                    entry.row["status"] != DRAFT
                    or any(s != DRAFT for s in current.values())
                    or entry.scheduled_at is not None
                )
                if changed:
                    await publishing.unpublish(conn, entry.id)
            else:
                changed = entry.row["status"] != "archived"
                if changed:
                    await publishing.archive(conn, entry.id)
            if changed:
                await entry_queries.bump_version(conn, entry.id)
            entry = await load_entry(conn, entry.id)
            return Outcome(_finish(entry, channel, resources, warnings), entry=entry)
        archived = entry.row["status"] == "archived"
        if archived:  # leaving the archive: as from draft
            await publishing.unpublish(conn, entry.id)
            entry = await load_entry(conn, entry.id)
            current = entry.statuses()
        multi = len(current) > 1
        if multi and request.publish_translations is MISSING:
            problems.add(
                "publish_translations",
                "The publish_translations field is required for multilingual articles.",
            )
        elif not multi and request.publish_translations is not MISSING:
            warnings.append(
                warning(
                    "publish_translations_ignored",
                    "The article has a single translation.",
                    "publish_translations",
                )
            )
        schedule: object = MISSING
        if status == SCHEDULED:
            if request.scheduled_at is MISSING:
                problems.add(
                    "scheduled_at", "The scheduled_at field is required when status is scheduled."
                )
            elif _check_schedule(
                request.scheduled_at, entry, principal.plan, resources, now, problems
            ):
                schedule = request.scheduled_at
            if current[primary] == PUBLISHED:
                problems.add(
                    "status", "A published article cannot be scheduled. Set it to draft first."
                )
        else:
            if request.scheduled_at is not MISSING:
                if not (
                    entry.scheduled_at == request.scheduled_at
                    and entry.row["status"] in (SCHEDULED, PUBLISHED)
                ):
                    problems.add("scheduled_at", "The scheduled_at must be a time in the future.")
            elif current[primary] != PUBLISHED:
                schedule = None
        targets = {primary: status}
        publish_all = request.publish_translations is True or not multi
        for language, s in current.items():
            if language == primary or s == "moderation_blocked":
                continue
            if publish_all:
                targets[language] = status
            elif s != PUBLISHED:
                targets[language] = DRAFT
        new_schedule = entry.scheduled_at if schedule is MISSING else schedule
        _check_primary_first(current, targets, primary, new_schedule, now, {}, problems)
        require_bodies(targets, {}, entry, problems)
        problems.raise_if_any()
        changed = await _apply(
            conn, resources, principal, entry, {}, targets, now, schedule=schedule
        )
        if archived and not changed:
            await entry_queries.bump_version(conn, entry.id)
        entry = await load_entry(conn, entry.id)
        article = _finish(entry, channel, resources, warnings)
    return Outcome(article, entry=entry)
