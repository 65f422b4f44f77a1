"""Saving an entry as one document written by a person (the dashboard's editor): a title, a
Markdown body, tags, a reply/like/repost/bookmark URL, photos, a visibility, a slug, and what
to do with it (save, publish, schedule, unpublish, archive); a secondary translation the same
way, one language at a time.

Everything goes through the authoring path the other writers use (`authoring.create_entry`,
`revise_entry`, `rename_entry`, `move_entry`; `publishing.save_content`,
`request_entry_statuses`, `archive`): the entry is the same row Micropub's `q=source` and the
v1 API read. The body renders as Micropub's Markdown does (`render_markdown`, raw HTML kept as
text); a body stored as HTML stays HTML and is sanitised. Runs in the caller's write unit;
any error leaves nothing written once it rolls back. Nothing here knows HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from hub.core.entries import authoring, publishing, queries
from hub.core.entries.kinds import discover
from hub.core.entries.lifecycle import (
    DRAFT,
    PUBLISHED,
    RANK,
    SCHEDULED,
    intended_status,
    primary_first_violations,
)
from hub.core.entries.limits import TRANSLATIONS_PER_ENTRY
from hub.core.entries.model import Entry, load_entry
from hub.core.errors import Conflict, Invalid, TooLarge
from hub.core.markdown import render_markdown
from hub.core.offload import is_heavy, off_loop
from hub.core.sanitize import sanitize_html, strip_tags
from hub.core.slugs import slugify_text

SAVE, PUBLISH, SCHEDULE, UNPUBLISH, ARCHIVE = "save", "publish", "schedule", "unpublish", "archive"
ACTIONS = (SAVE, PUBLISH, SCHEDULE, UNPUBLISH, ARCHIVE)
TARGET_PROPERTIES = ("in-reply-to", "like-of", "repost-of", "bookmark-of")
VISIBILITIES = ("public", "unlisted", "private")
# Kinds whose target URL is the post: publishing one needs no body.
_BODILESS = ("like-of", "repost-of", "bookmark-of")
_MOVES = {SAVE: None, PUBLISH: PUBLISHED, SCHEDULE: SCHEDULED, UNPUBLISH: DRAFT}

PRIMARY_FIRST_EXPLAINED = (
    "The {primary} version is not published yet, and a translation is never public before "
    "its primary language. Publish the {primary} version first (the translation can then be "
    "published), or save this translation as a draft."
)


@dataclass(frozen=True)
class Document:
    """What the person wrote, checked for shape (the form module parses it)."""

    title: str
    body: str
    tags: tuple[str, ...] = ()
    targets: Mapping[str, str] = field(default_factory=dict)  # property -> URL
    visibility: str = "public"
    photos: tuple[Any, ...] = ()  # photos to add (a photo post): URL or {value, alt}


def render_body(body: str, body_format: str = "markdown") -> str:
    """The HTML the blog shows for a body: Markdown as Micropub renders it, or sanitised
    HTML. `TooLarge` when the Markdown is too complex to render. The preview uses it too."""
    if body_format == "html":
        return sanitize_html(body)
    return render_markdown(body, allow_html=False)


async def render_off_loop(
    body: str, body_format: str = "markdown", *, name: str = "content"
) -> str:
    """`render_body` off the event loop for long bodies; `Invalid` on field `name` when the
    Markdown cannot be rendered."""
    try:
        return await off_loop(render_body, body, body_format, heavy=is_heavy(body))
    except TooLarge as exc:
        raise Invalid.field(name, exc.message, code=exc.code) from None


def properties_for(doc: Document, stored: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """The properties document after the edit: the stored one (every property another writer
    sent stays), with name, content, tags, the target URLs, visibility and photos as written."""
    props = {k: list(v) if isinstance(v, list) else [v] for k, v in (stored or {}).items()}

    def put(name: str, values: list[Any]) -> None:
        if values:
            props[name] = values
        else:
            props.pop(name, None)

    put("name", [doc.title] if doc.title else [])
    content = props.get("content") or []
    if content and isinstance(content[0], dict) and "html" in content[0]:
        put("content", [{"html": doc.body}, *content[1:]] if doc.body else content[1:])
    else:
        put("content", [doc.body, *content[1:]] if doc.body else content[1:])
    put("category", list(doc.tags))
    for name in TARGET_PROPERTIES:
        url = doc.targets.get(name, "")
        kept = [v for v in props.get(name, [])[1:]]
        put(name, [url, *kept] if url else [])
    if "visibility" in props or doc.visibility != "public":
        props["visibility"] = [doc.visibility]
    if doc.photos:
        props["photo"] = [*props.get("photo", []), *doc.photos]
    return props


async def entry_values(
    doc: Document, stored: Entry | None, *, language: str | None = None
) -> authoring.EntryValues:
    """The entry's values for `authoring`: rendered body, discovered kind, properties."""
    translation = stored.current_content(language or stored.primary) if stored else None
    body_format = (translation or {}).get("body_format") or "markdown"
    props = properties_for(doc, stored.row["properties"] if stored else None)
    event = stored is not None and stored.row["kind"] == "event"
    return authoring.EntryValues(
        title=doc.title,
        body_format=body_format,
        body_source=doc.body,
        content_html=await render_off_loop(doc.body, body_format),
        kind=discover("event" if event else "entry", props),
        visibility=doc.visibility,
        excerpt=(translation or {}).get("excerpt"),
        categories=doc.tags,
        properties=props,
    )


def _check_publishable(doc: Document, action: str, html: str) -> None:
    if action not in (PUBLISH, SCHEDULE):
        return
    if strip_tags(html).strip() or doc.photos or any(doc.targets.get(k) for k in _BODILESS):
        return
    raise Invalid.field("content", "Write something before publishing: the body is empty.")


async def _check_slug(
    conn: asyncpg.Connection, channel_id: int, slug: str, own: str | None
) -> str | None:
    """The slug asked for, normalised; `Conflict` on `slug` when another entry of the blog has
    it (deleted ones keep theirs reserved). None when nothing was asked."""
    if not slug.strip():
        return None
    wanted = slugify_text(slug, separator=authoring.SLUG_SEPARATOR, max_length=authoring.SLUG_MAX)
    if not wanted:
        raise Invalid.field("slug", "Use letters or digits in the slug.")
    if wanted == own:
        return wanted
    taken = await queries.taken_entry_slugs(conn, channel_id, wanted, authoring.SLUG_SEPARATOR)
    if wanted in taken:
        raise Conflict(f"Another entry of this blog is at “{wanted}”; choose another slug.",
                       code="slug_taken")  # fmt: skip
    return wanted


async def create(
    conn: asyncpg.Connection,
    doc: Document,
    *,
    channel_id: int,
    author_id: int,
    language: str,
    slug: str,
    action: str,
    at: datetime | None,
    policy: str,
    now: datetime,
) -> int:
    """A new entry (one translation in `language`), saved as a draft, published or scheduled
    for `at`. Returns its id."""
    if action not in (SAVE, PUBLISH, SCHEDULE):
        raise Invalid.field("action", "A new entry can be saved, published or scheduled.")
    values = await entry_values(doc, None)
    _check_publishable(doc, action, values.content_html)
    wanted = await _check_slug(conn, channel_id, slug, None)
    words = " ".join(strip_tags(values.content_html).split()[:6])
    slug_text = wanted or doc.title or words or f"{values.kind}-{now:%Y%m%d-%H%M}"
    entry_id, _ = await authoring.create_entry(
        conn, values, channel_id=channel_id, author_id=author_id, language=language,
        slug_text=slug_text, created_via="dashboard", credential_id=None,
        target={SAVE: DRAFT, PUBLISH: PUBLISHED, SCHEDULE: SCHEDULED}[action],
        at=at if action == SCHEDULE else None, policy=policy, now=now,
    )  # fmt: skip
    return entry_id


async def revise(
    conn: asyncpg.Connection,
    entry: Entry,
    doc: Document,
    *,
    slug: str,
    action: str,
    at: datetime | None,
    policy: str,
    now: datetime,
) -> bool:
    """Save the primary language's document into the locked, current `entry` and move it as
    `action` says; the version moves one step when anything changed. Returns whether it did."""
    values = await entry_values(doc, entry)
    _check_publishable(doc, action, values.content_html)
    wanted = await _check_slug(conn, entry.row["channel_id"], slug, entry.row["slug"])
    changed, resubmit = await authoring.revise_entry(conn, entry, values, credential_id=None)
    if wanted and await authoring.rename_entry(conn, entry, wanted) != entry.row["slug"]:
        changed = True
    if action == ARCHIVE:
        await publishing.archive(conn, entry.id)
        changed = True
    else:
        target = _MOVES[action]
        if await authoring.move_entry(
            conn, entry.id, target, at if target == SCHEDULED else None,
            resubmit=resubmit, policy=policy, now=now,
        ):  # fmt: skip
            changed = True
    if changed:
        await queries.bump_version(conn, entry.id)
    return changed


def translation_blocker(entry: Entry, language: str, now: datetime) -> str | None:
    """Why publishing `language` now would break the primary-first rule (I1), in words for the
    person; None when it may be published."""
    primary = entry.translations[entry.primary]
    primary_status = intended_status(primary["status"], entry.scheduled_at, now)
    statuses = {**entry.statuses(), language: PUBLISHED}
    if primary_status == SCHEDULED:
        return None  # published with the primary, at its schedule
    if primary_first_violations(primary_status, statuses, entry.primary):
        return PRIMARY_FIRST_EXPLAINED.format(primary=entry.primary)
    return None


async def save_translation(
    conn: asyncpg.Connection,
    entry: Entry,
    language: str,
    title: str,
    body: str,
    *,
    action: str,
    policy: str,
    now: datetime,
) -> bool:
    """Save a secondary translation (created when new) into the locked, current `entry`:
    `save` keeps its status, `publish` publishes it (scheduled with the entry while the primary
    is scheduled), `unpublish` takes it back to draft. Publishing before the primary is refused
    with the explanation (`translation_blocker`). Returns whether anything changed."""
    if action not in (SAVE, PUBLISH, UNPUBLISH):
        raise Invalid.field("action", "A translation can be saved, published or unpublished.")
    stored = entry.translations.get(language)
    if stored is None and len(entry.translations) >= TRANSLATIONS_PER_ENTRY:
        raise Invalid.field("language", "This entry has as many translations as it may have.")
    body_format = (entry.current_content(language) or {}).get("body_format") or "markdown"
    html = await render_off_loop(body, body_format)
    if action == PUBLISH:
        if not strip_tags(html).strip():
            raise Invalid.field("content", "Write something before publishing: the body is empty.")
        blocker = translation_blocker(entry, language, now)
        if blocker:
            raise Invalid.field("action", blocker, code="primary_first")
    content = {
        "title": title, "excerpt": (entry.current_content(language) or {}).get("excerpt"),
        "body_format": body_format, "body_source": body, "content_html": html,
        "seo_title": None, "seo_description": None,
    }  # fmt: skip
    result = await publishing.save_content(conn, entry, language, content, credential_id=None)
    changed = result != "unchanged"
    status = stored["status"] if stored else DRAFT
    resubmit = {language} if result == "revision" or (
        result == "updated" and status == SCHEDULED) else set()  # fmt: skip
    targets: dict[str, str] = {}
    if action == PUBLISH:
        primary = entry.translations[entry.primary]["status"]
        targets[language] = SCHEDULED if primary == SCHEDULED else PUBLISHED
    elif action == UNPUBLISH and RANK.get(status, 0) > 0:
        targets[language] = DRAFT
    if changed or targets or resubmit:
        entry = await load_entry(conn, entry.id, lock=True)
        moving = {k: v for k, v in targets.items() if entry.translations[k]["status"] != v}
        if moving or resubmit:
            await publishing.request_entry_statuses(
                conn, entry, moving, resubmit=frozenset(resubmit), policy=policy, now=now
            )
            changed = True
        else:
            await publishing.refresh_status(conn, entry.id)
    if changed:
        await queries.bump_version(conn, entry.id)
    return changed


def ordered_tags(text: str) -> tuple[str, ...]:
    """Tags from a comma-separated text: trimmed, empty ones dropped, duplicates (ignoring
    case) kept once, in the order written."""
    seen: set[str] = set()
    tags = []
    for raw in text.split(","):
        tag = " ".join(raw.split())
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tuple(tags)


__all__: Sequence[str] = (
    "ACTIONS", "Document", "create", "entry_values", "ordered_tags", "properties_for",
    "render_body", "revise", "save_translation", "translation_blocker",
)  # fmt: skip
