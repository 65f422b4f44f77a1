"""The v1 rules a page write is checked against before anything is stored: content merge
(R-28), bodies required to publish (R-75), status and schedule (R-41 to R-45; one rule for
the upsert and the status PATCH) and primary first (I1)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hub.channels.content import clean_excerpt, excerpt_warnings, render_body
from hub.channels.schemas import MISSING, Problems, TranslationInput, warning
from hub.core.entries.lifecycle import (
    DRAFT,
    PRIMARY_FIRST_MESSAGE,
    PUBLISHED,
    SCHEDULED,
    intended_status,
    primary_first_violations,
)
from hub.core.entries.model import Entry
from hub.core.errors import TooLarge
from hub.core.offload import is_heavy, off_loop
from hub.core.plans import Member, limits_for
from hub.core.resources import Resources


def merge(
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
    try:
        rendered, body_warnings = render_body(fmt, source, title, t.path)
    except TooLarge as exc:  # Markdown too complex to render (hub.core.markdown)
        problems.add(f"{prefix}content_{fmt}", exc.message)
        return None
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


def merge_each(
    pairs: list[tuple[TranslationInput, dict | None]], problems: Problems, warnings: list[dict]
) -> dict[str, tuple[TranslationInput, dict]]:
    """`merge` for each (translation sent, stored content) pair, by language."""
    contents: dict[str, tuple[TranslationInput, dict]] = {}
    for t, stored in pairs:
        merged = merge(t, stored, problems, warnings)
        if merged is not None:
            contents[t.language] = (t, merged)
    return contents


async def merge_off_loop(
    pairs: list[tuple[TranslationInput, dict | None]], problems: Problems, warnings: list[dict]
) -> dict[str, tuple[TranslationInput, dict]]:
    """`merge_each`, in a worker thread when the bodies to render are long (`hub.core.offload`):
    a 20 MiB article renders without pausing other requests."""
    texts = [
        text
        for t, stored in pairs
        for text in (
            t.fields.get("content_markdown"),
            t.fields.get("content_html"),
            stored["body_source"] if stored else None,
        )
    ]
    return await off_loop(merge_each, pairs, problems, warnings, heavy=is_heavy(*texts))


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


def check_schedule(
    when: datetime, entry: Entry | None, member: Member, resources: Resources, now: datetime,
    problems: Problems,
) -> bool:  # fmt: skip
    """True when `when` may be used; R-45: re-sending the stored schedule is always fine."""
    if _resends_schedule(entry, when):
        return True
    if not limits_for(resources.settings, member).scheduling:
        problems.add("scheduled_at", "Scheduled publishing is available on Pro accounts.")
        return False
    lead = timedelta(seconds=resources.settings.schedule_min_lead_seconds)
    if when <= now + lead:
        problems.add("scheduled_at", "The scheduled_at must be a time in the future.")
        return False
    return True


def page_schedule(
    status: str, scheduled_at: object, entry: Entry, member: Member, resources: Resources,
    now: datetime, problems: Problems, *, resent_clears: bool = False,
) -> object:  # fmt: skip
    """The schedule a request to publish or schedule the article sets: MISSING (unchanged),
    None (cleared) or the new time. `status` is the effective one (`published` or
    `scheduled`). Scheduling needs a `scheduled_at` the plan allows and an unpublished
    primary; an immediate publish clears the schedule of an unpublished primary, and any
    `scheduled_at` sent with it must be the stored schedule (R-45). The upsert clears the
    schedule even then (`resent_clears`); the status PATCH keeps it."""
    primary_status = entry.statuses().get(entry.primary)
    if status == SCHEDULED:
        schedule: object = MISSING
        if scheduled_at is MISSING:
            problems.add(
                "scheduled_at", "The scheduled_at field is required when status is scheduled."
            )
        elif check_schedule(scheduled_at, entry, member, resources, now, problems):
            schedule = scheduled_at
        if primary_status == PUBLISHED:
            problems.add(
                "status", "A published article cannot be scheduled. Set it to draft first."
            )
        return schedule
    if scheduled_at is not MISSING:
        if not _resends_schedule(entry, scheduled_at):
            problems.add("scheduled_at", "The scheduled_at must be a time in the future.")
        if not resent_clears:
            return MISSING
    return None if primary_status != PUBLISHED else MISSING


def _resends_schedule(entry: Entry | None, when: object) -> bool:
    """R-45: the request names the schedule the article already has."""
    return (
        entry is not None
        and entry.scheduled_at == when
        and entry.row["status"] in (SCHEDULED, PUBLISHED)
    )


def effective_status(status, scheduled_at, now: datetime) -> str:
    """`published` with a future `scheduled_at` means scheduled (DOC, R-41)."""
    if status == PUBLISHED and scheduled_at is not MISSING and scheduled_at > now:
        return SCHEDULED
    return status


def check_primary_first(
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
