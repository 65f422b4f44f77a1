"""E4 POST /channels/{c}/pages: create, or update by slug (DOC, R-28, R-72)."""

from __future__ import annotations

from datetime import datetime

from hub.channels.access import channel_for_upsert
from hub.channels.media.drafts import may_hold_draft_urls, rewrite_drafts
from hub.channels.pages.apply import apply
from hub.channels.pages.common import (
    Outcome,
    check_if_match,
    finish,
    now,
    one_version_step,
    saved_as_draft,
)
from hub.channels.pages.rules import (
    check_primary_first,
    effective_status,
    merge_off_loop,
    page_schedule,
    require_bodies,
)
from hub.channels.present import iso
from hub.channels.schemas import (
    MISSING,
    MSG_DEFAULT_LANGUAGE,
    PageInput,
    Problems,
    TranslationInput,
    parse_json_object,
    parse_page,
    warning,
)
from hub.core.auth import Principal
from hub.core.channels import Channel
from hub.core.entries import publishing, write_queries
from hub.core.entries import queries as entry_queries
from hub.core.entries.lifecycle import DELETED_RETENTION, DRAFT, PUBLISHED, REVIEW, SCHEDULED
from hub.core.entries.model import Entry, find_entry, load_entry, new_entry
from hub.core.entries.slugs import allocate_entry_slug
from hub.core.errors import Conflict, Invalid
from hub.core.offload import is_heavy, off_loop
from hub.core.resources import Resources
from hub.core.writes import Tx

SLUG_ATTEMPTS = 5


async def upsert_page(
    tx: Tx,
    resources: Resources,
    principal: Principal,
    channel_slug: str,
    raw: bytes,
    *,
    if_match: str | None = None,
) -> Outcome:
    at = now()
    conn = tx.conn
    try:  # the body's 422 comes after the channel's 404/403, but its slug is locked with it
        parsed = await off_loop(parse_json_object, raw, heavy=is_heavy(raw))
        request, invalid = parse_page(parsed), None
    except Invalid as exc:
        request, invalid = None, exc
    slug = None if request is None or request.slug is MISSING else request.slug
    # in a transaction already, concurrent upserts of one slug take turns from here on
    locked = tx.begun
    found = await channel_for_upsert(
        conn, resources.settings, principal, channel_slug, slug, lock=locked
    )
    channel, new_id = found.channel, found.new_entry_id
    if request is None:
        assert invalid is not None
        raise invalid
    entry = None
    for _ in range(SLUG_ATTEMPTS + 1):
        if slug is not None and new_id is None:  # an article holds the slug: update it
            if not locked:  # the lock comes before the article is read (no stale read)
                await tx.begin(lock=found.slug_lock)
                locked = True
            entry = await find_entry(conn, channel.id, slug, lock=True)
            entry = await _existing(conn, principal, entry, at)
        check_if_match(if_match, entry)
        outcome = await _write(tx, resources, principal, channel, request, entry, new_id, at)
        if outcome is not None:
            return outcome
        # the new article's slug was taken meanwhile (nothing was written): a sent slug is
        # updated now, an allocated one is allocated again
        new_id = None
    raise Conflict("No free slug was found for the article. Send one.")


async def _existing(conn, principal: Principal, entry: Entry | None, at: datetime) -> Entry | None:
    """The article an upsert updates (None: it creates one). A deleted one past its retention
    is purged here, so its slug is free again."""
    if entry is not None and entry.row["deleted_at"] is not None:
        entry = await _free_deleted_slug(conn, entry, at)
    if entry is not None:
        principal.require_scope("update")
    return entry


async def _write(
    tx: Tx, resources: Resources, principal: Principal, channel: Channel, request: PageInput,
    entry: Entry | None, new_id: int | None, at: datetime,
) -> Outcome | None:  # fmt: skip
    """Create (`entry` None; `new_id` when the entry id was allocated with the lookup) or
    update the article. None: the new article's slug was taken meanwhile (nothing written)."""
    conn = tx.conn
    warnings = list(request.warnings)
    created = entry is None
    before = None if entry is None else entry.row["version"]
    problems = Problems()
    sent = {t.language: t for t in request.translations}
    primary = primary_language(request, entry, channel, warnings, problems)
    pairs = [
        (t, entry.current_content(t.language) if entry else None) for t in request.translations
    ]
    contents = await merge_off_loop(pairs, problems, warnings)
    problems.raise_if_any()
    if entry is None:
        slug = request.slug
        if slug is MISSING:
            slug = await allocate_entry_slug(
                conn, channel.id, contents[primary][1]["title"], separator="_",
                max_length=100, fallback="page",
            )  # fmt: skip
        entry = new_entry(
            new_id or await write_queries.next_entry_id(conn), channel_id=channel.id,
            author_id=principal.author_id, slug=slug, default_language=primary, kind="article",
            created_via="v1", credential_id=principal.credential_id, properties={}, now=at,
        )  # fmt: skip
    elif primary != entry.primary:
        await entry_queries.update_entry_fields(conn, entry.id, default_language=primary)
        entry = await load_entry(conn, entry.id)
    if not created:
        await rewrite_drafts(tx, resources.urls, channel.id, entry.id, contents, warnings)
    elif await may_hold_draft_urls(
        *(text for _, c in contents.values() for text in (c["body_source"], c["content_html"]))
    ):
        await tx.begin()  # the article's insert is followed by the draft media's writes
    targets, schedule, unpublish = page_targets(
        request, entry, sent, principal, resources, at, warnings, problems, created
    )
    require_bodies(targets, contents, entry, problems)
    problems.raise_if_any()
    if created:
        entry = await _insert(tx, resources, principal, channel, request, entry, contents,
                              targets, schedule, at, warnings)  # fmt: skip
        if entry is None:
            return None
    else:
        changed = await apply(conn, resources, principal, entry, contents, targets, at,
                              schedule=schedule, unpublish=unpublish)  # fmt: skip
        if request.tags is not MISSING and request.tags != entry.tags:  # apply leaves tags
            await entry_queries.replace_categories(conn, entry.id, request.tags)
            changed = True
        await one_version_step(conn, entry.id, before, changed=changed)
        entry = await load_entry(conn, entry.id)
    for language in contents:
        if (
            language != primary
            and entry.translations[language]["status"] == DRAFT
            and entry.row["status"] in (PUBLISHED, SCHEDULED, REVIEW)
            and targets.get(language) is None
        ):
            warnings.append(saved_as_draft(contents[language][0]))
    article = finish(entry, channel, resources, warnings)
    return Outcome(article, created=created, entry=entry)


async def _insert(
    tx: Tx, resources: Resources, principal: Principal, channel: Channel, request: PageInput,
    entry: Entry, contents: dict[str, tuple[TranslationInput, dict]], targets: dict[str, str],
    schedule: object, at: datetime, warnings: list[dict],
) -> Entry | None:  # fmt: skip
    """Store a new article in one statement (`publishing.insert_entry`); None when its slug
    was taken meanwhile. Draft media URLs are rewritten once the entry exists (their copies
    are attached to it), and the bodies that changed are stored again."""
    conn = tx.conn
    policy = principal.moderation or resources.settings.moderation
    stored = await publishing.insert_entry(
        conn, entry, {lang: content for lang, (_, content) in contents.items()}, targets,
        policy=policy, now=at, schedule=None if schedule is MISSING else schedule,
        tags=() if request.tags is MISSING else request.tags,
    )  # fmt: skip
    if stored is None:
        return None
    rewritten = await rewrite_drafts(tx, resources.urls, channel.id, stored.id, contents, warnings)
    if rewritten:
        bodies = {lang: (contents[lang][1]["body_source"], contents[lang][1]["content_html"])
                  for lang in rewritten}  # fmt: skip
        await write_queries.store_new_bodies(conn, stored.id, bodies)
        for lang, (source, html) in bodies.items():
            stored.translations[lang].update(body_source=source, content_html=html)
    return stored


async def _free_deleted_slug(conn, entry: Entry, at: datetime) -> None:
    """A deleted article keeps its slug for DELETED_RETENTION (422 meanwhile); after that the
    old row is purged here (if the daily purge has not done it yet) and the slug is free."""
    until = entry.row["deleted_at"] + DELETED_RETENTION
    if until > at:
        raise Invalid.field(
            "slug",
            "The slug belongs to a deleted article and stays reserved until "
            f"{iso(until)}. Choose another slug.",
        )
    await entry_queries.purge_entry(conn, entry.id)


def primary_language(request: PageInput, entry: Entry | None, channel: Channel,
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


def page_targets(
    request: PageInput, entry: Entry, sent: dict[str, TranslationInput], principal: Principal,
    resources: Resources, at: datetime, warnings: list[dict], problems: Problems, created: bool,
) -> tuple[dict[str, str], object, bool]:  # fmt: skip
    """(target status per language, new page schedule or MISSING, unpublish?) for a POST."""
    primary = entry.primary
    page_status = request.status
    if page_status is MISSING and created:
        page_status = DRAFT  # R-18; on an update an omitted status keeps the current one
    status = effective_status(page_status, request.scheduled_at, at)
    schedule: object = MISSING
    targets: dict[str, str] = {}
    field_for: dict[str, str] = {}
    if status is not MISSING and status != DRAFT:
        schedule = page_schedule(
            status, request.scheduled_at, entry, principal, resources, at, problems,
            resent_clears=True,
        )  # fmt: skip
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
                and effective_status(override, request.scheduled_at, at) != effective
            ):
                problems.add(
                    path, "The status of the primary language must equal the article status."
                )
            continue
        if override is not MISSING:
            targets[language] = (
                effective_status(override, request.scheduled_at, at) if override != DRAFT else DRAFT
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
    check_primary_first(current, targets, primary, new_schedule, at, field_for, problems)
    if status == DRAFT:
        return {}, MISSING, True
    return targets, schedule, False
