"""Writing parsed import items into a channel, one write unit per item.

Each item is fetched first (its media, through the guarded client or from the files beside
it), then written in one transaction through the same core write path as the dashboard
editor and Micropub (`entries.authoring.create_entry`, `created_via` = `import`): HTML
sanitised, Markdown rendered, media stored through the media pipeline and their references in
the content rewritten, drafts kept drafts. hub's own export brings its lifecycle too: a
future schedule stays scheduled (the publication job is staged with the entry), a past one
publishes at its time, archived entries are archived and deleted ones soft-deleted at their
time (`publishing.archive`, `authoring.delete_entry`). Every translation keeps its own
publication date and the time its content last changed. The same transaction
records the item in `import_sources` (so a second run, or a resumed one, skips it) and its old
URLs in `entry_redirects`. A refused item writes nothing at all; a dry run runs every check
and rolls every write back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from hub.core import writes
from hub.core.entries import attachments, authoring, editing, publishing
from hub.core.entries import properties as entry_properties
from hub.core.entries.editing import PUBLISH, SAVE, render_off_loop
from hub.core.entries.lifecycle import ARCHIVED, DRAFT, PUBLISHED, SCHEDULED
from hub.core.entries.model import load_entry
from hub.core.errors import DomainError, FetchFailed, FetchRefused, TooLarge
from hub.core.imports import queries, redirects
from hub.core.imports.items import ARCHIVED as ITEM_ARCHIVED
from hub.core.imports.items import PUBLISHED as ITEM_PUBLISHED
from hub.core.imports.items import SCHEDULED as ITEM_SCHEDULED
from hub.core.imports.items import ImportItem, MediaRef, Parsed, Translation
from hub.core.resources import Resources
from hub.core.sanitize import strip_tags

CREATED, SKIPPED, REFUSED = "created", "skipped", "refused"
CREATED_VIA = "import"


class ItemRefused(Exception):
    """The item cannot be imported whole; `reason` says why, for the person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """Where the items go: the channel (id, slug, default language) and the author."""

    channel_id: int
    channel_slug: str
    language: str
    author_id: int


@dataclass(frozen=True)
class Outcome:
    item: ImportItem
    result: str  # created | skipped | refused
    entry_id: int | None = None
    reason: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass
class Summary:
    """What an import did (or, in a dry run, would do)."""

    dry_run: bool = False
    created: list[Outcome] = field(default_factory=list)
    skipped: list[Outcome] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (label, why)
    warnings: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        if outcome.result == CREATED:
            self.created.append(outcome)
        elif outcome.result == SKIPPED:
            self.skipped.append(outcome)
        else:
            self.refused.append((outcome.item.label, outcome.reason or ""))
        self.warnings.extend(f"{outcome.item.label}: {w}" for w in outcome.warnings)


Progress = Callable[[Outcome], None]


async def import_parsed(
    resources: Resources,
    parsed: Parsed,
    target: Target,
    *,
    dry_run: bool = False,
    comments: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """Import every item of `parsed` into `target`, in order; returns the summary. An
    interruption leaves the items already done imported (each committed alone) and the
    next run skips them."""
    summary = Summary(dry_run=dry_run)
    summary.refused.extend((r.source_id, r.reason) for r in parsed.refused)
    for item in parsed.items:
        outcome = await import_item(
            resources, parsed.kind, item, target, dry_run=dry_run, comments=comments
        )
        summary.add(outcome)
        if progress is not None:
            progress(outcome)
    return summary


async def import_item(
    resources: Resources,
    kind: str,
    item: ImportItem,
    target: Target,
    *,
    dry_run: bool = False,
    comments: bool = False,
) -> Outcome:
    """Import one item whole, or nothing of it."""
    existing = await queries.find_imported_entry(
        resources.pool, target.channel_id, kind, item.source_id
    )
    if existing is not None:
        return Outcome(item, SKIPPED, entry_id=existing, reason="already imported")
    warnings: list[str] = []
    try:
        files = await _read_media(resources, item, warnings)
        async with writes.write(resources, dry_run=dry_run) as tx:
            entry_id = await _write(tx, resources, kind, item, target, files, comments)
    except ItemRefused as exc:
        return Outcome(item, REFUSED, reason=exc.reason)
    except DomainError as exc:
        return Outcome(item, REFUSED, reason=exc.message)
    return Outcome(item, CREATED, entry_id=entry_id, warnings=tuple(warnings))


async def _read_media(
    resources: Resources, item: ImportItem, warnings: list[str]
) -> dict[str, bytes]:
    """The bytes of each media reference of the item. A reference the guard refuses (a
    private address, a scheme other than http(s)) or one over the size limit refuses the
    whole item; one that cannot be fetched now (gone, a network error) keeps its URL."""
    limit = resources.settings.max_upload_bytes
    found: dict[str, bytes] = {}
    for ref in item.media:
        if ref.reference in found:
            continue
        data = await (_read_file(ref, limit) if ref.path else _fetch(resources, ref, limit))
        if data is None:
            warnings.append(f"{ref.url}: could not be fetched; the content keeps its URL")
            continue
        if attachments.accepted_type(data) is None:
            warnings.append(f"{ref.url or ref.reference}: not a media type hub stores; kept as is")
            continue
        found[ref.reference] = data
    return found


async def _read_file(ref: MediaRef, limit: int) -> bytes:
    path = ref.path
    assert path is not None
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ItemRefused(f"{ref.reference}: the file cannot be read ({exc.strerror})") from None
    if size > limit:
        raise ItemRefused(f"{ref.reference}: {_mb(size)} is over the {_mb(limit)} media limit")
    return await asyncio.to_thread(Path.read_bytes, path)


async def _fetch(resources: Resources, ref: MediaRef, limit: int) -> bytes | None:
    url = ref.url or ""
    try:
        result = await resources.fetcher.fetch(url, max_bytes=limit)
    except FetchRefused as exc:
        raise ItemRefused(f"{url}: refused ({exc.message})") from None
    except TooLarge:
        raise ItemRefused(f"{url}: larger than the {_mb(limit)} media limit") from None
    except FetchFailed:
        return None
    if result.status >= 300:
        return None
    return result.content


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


async def _write(
    tx: writes.Tx,
    resources: Resources,
    kind: str,
    item: ImportItem,
    target: Target,
    files: dict[str, bytes],
    comments: bool,
) -> int:
    conn = tx.conn
    content = item.content
    stored = []
    moved: dict[str, str] = {}  # media reference -> the stored copy's URL
    for position, (reference, data) in enumerate(files.items()):
        media = await attachments.store_original(
            conn, resources.settings, data, author_id=target.author_id,
            channel_id=target.channel_id, credential_id=None, files=tx.files,
        )  # fmt: skip
        moved[reference] = resources.urls.media_file(media.original_path)
        content = content.replace(reference, moved[reference])
        stored.append(attachments.Attachment(media.id, "inline", position))
    body_format = "markdown" if item.content_format == "markdown" else "html"
    html = await render_off_loop(content, body_format)
    values = authoring.EntryValues(
        title=item.title,
        body_format=body_format,
        body_source=html if body_format == "html" else content,
        content_html=html,
        kind=item.kind if item.title or item.kind != "article" else "note",
        excerpt=strip_tags(item.excerpt).strip() or None if item.excerpt else None,
        categories=list(dict.fromkeys(item.tags)),
        properties=dict(item.properties),
        visibility=item.visibility,
    )
    words = " ".join(strip_tags(html).split()[:6])
    now = datetime.now(UTC)
    status, at = lifecycle_of(item, now)
    going = status if status in (PUBLISHED, SCHEDULED) else DRAFT
    language = item.language or target.language
    slug_text = item.slug or item.title or words or f"imported-{item.source_id}"
    entry_id, _ = await authoring.create_entry(
        conn, values, channel_id=target.channel_id, author_id=target.author_id,
        language=language, slug_text=slug_text,
        created_via=CREATED_VIA, credential_id=None,
        target=going, at=at if going != DRAFT else None, policy="auto", now=now,
    )  # fmt: skip
    await attachments.attach(conn, entry_id, stored)
    dates = {language: _primary_dates(item, status, at)}
    for translation in item.translations:  # hub's own export: the other languages
        await _write_translation(conn, entry_id, translation, moved, going != DRAFT)
        dates[translation.language] = _translation_dates(translation, status, at)
    await entry_properties.set_translation_dates(conn, entry_id, dates)
    if status == ARCHIVED:
        await publishing.archive(conn, entry_id)
    elif going == DRAFT and item.first_published is not None:
        await publishing.refresh_status(conn, entry_id)  # the page's date follows the primary
    if item.deleted is not None:
        await authoring.delete_entry(conn, entry_id, item.deleted)
    await queries.record_import(conn, target.channel_id, kind, item.source_id, entry_id)
    await queries.insert_redirects(
        conn, target.channel_id, redirects.keys_of_urls(item.old_urls), entry_id
    )
    return entry_id


def lifecycle_of(item: ImportItem, now: datetime) -> tuple[str, datetime | None]:
    """Where the item goes (published, scheduled, draft or archived) and its date: the
    publication date, or the schedule. A schedule already past publishes at its time, as
    the worker would have."""
    if item.status == ITEM_SCHEDULED and item.scheduled is not None:
        if item.scheduled > now:
            return SCHEDULED, item.scheduled
        return PUBLISHED, item.scheduled
    if item.status == ITEM_PUBLISHED:
        return PUBLISHED, item.published
    return (ARCHIVED if item.status == ITEM_ARCHIVED else DRAFT), None


def _primary_dates(
    item: ImportItem, status: str, at: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """(first publication, last content change) of the primary language: a draft or
    archived item keeps when it was first public; the content's change is the source's
    `updated`, else its publication (not the import's time)."""
    first = at if status == PUBLISHED else item.first_published if status != SCHEDULED else None
    return first, item.updated or first


def _translation_dates(
    translation: Translation, status: str, at: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """A translation's own dates; one scheduled with an entry whose schedule is past was
    published at that time."""
    first = translation.published
    if first is None and status == PUBLISHED and translation.status == ITEM_SCHEDULED:
        first = at
    return first, translation.updated or first


async def _write_translation(
    conn, entry_id: int, translation: Translation, moved: dict[str, str], public: bool
) -> None:
    """Another language of the entry, published (or scheduled with it) when it was and the
    entry is public or scheduled."""
    body = translation.content
    for reference, url in moved.items():
        body = body.replace(reference, url)
    entry = await load_entry(conn, entry_id, lock=True)
    action = PUBLISH if public and translation.status in (ITEM_PUBLISHED, ITEM_SCHEDULED) else SAVE
    await editing.save_translation(
        conn, entry, translation.language, translation.title, body,
        action=action, policy="auto", now=datetime.now(UTC),
    )  # fmt: skip
