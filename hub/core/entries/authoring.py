"""Writing whole entries with plain values: create one with its single translation, revise its
content and descriptors, move it to draft, published or scheduled, delete and restore it.

For adapters that speak of an entry as one document (a title, a body, tags, a kind, a
visibility, a date and a properties document) rather than per translation. Everything runs in
the caller's transaction and goes through the shared lifecycle (`publishing.py`): content
saves, publishing requests under the moderation policy, the scheduler, and the derived page
status. Nothing here knows a wire format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg

from hub.core.entries import properties as stored
from hub.core.entries import publishing, queries, write_queries
from hub.core.entries.lifecycle import DRAFT, PUBLISHED, SCHEDULED
from hub.core.entries.model import Entry, load_entry, new_entry
from hub.core.entries.slugs import allocate_entry_slug, first_choice_slug
from hub.core.errors import Conflict
from hub.core.inputs import clean_text
from hub.core.offload import is_heavy, off_loop
from hub.core.slugs import next_free_slug, slugify_text

SLUG_SEPARATOR = "-"
SLUG_MAX = 80
SLUG_ATTEMPTS = 5


@dataclass(frozen=True)
class EntryValues:
    """What an entry says, independent of its lifecycle."""

    title: str
    body_format: str  # markdown | html
    body_source: str  # as received
    content_html: str  # rendered and sanitised
    kind: str
    visibility: str = "public"
    excerpt: str | None = None
    categories: Sequence[str] = ()
    properties: dict = field(default_factory=dict)

    def content(self) -> dict:
        """The translation content fields (`queries.CONTENT_FIELDS`), cleaned of characters
        no output carries (`clean_text`: C0 and C1 controls, DEL, U+FFFE/U+FFFF)."""
        return {
            "title": clean_text(self.title),
            "excerpt": clean_text(self.excerpt) if self.excerpt is not None else None,
            "body_format": self.body_format,
            "body_source": clean_text(self.body_source),
            "content_html": clean_text(self.content_html),
            "seo_title": None,
            "seo_description": None,
        }

    async def content_off_loop(self) -> dict:
        """`content()`, in a worker thread when the texts are long: the cleaning scans every
        character, about 10 ms per MiB (`hub.core.offload`)."""
        texts = (self.title, self.excerpt, self.body_source, self.content_html)
        return await off_loop(self.content, heavy=is_heavy(*texts))


async def create_entry(
    conn: asyncpg.Connection,
    values: EntryValues,
    *,
    channel_id: int,
    author_id: int,
    language: str,
    slug_text: str,
    created_via: str,
    credential_id: int | None,
    target: str = DRAFT,
    at: datetime | None = None,
    policy: str = "auto",
    now: datetime | None = None,
    entry_id: int | None = None,
) -> tuple[int, str]:
    """Insert an entry with one translation (in `language`) and return its id and slug, in
    one INSERT with its tags. The slug comes from `slug_text`, made unique in the channel: the
    first choice is tried at once, and a writer that finds it taken (or loses a race)
    allocates from the channel's slugs.

    With `target` `draft`, the entry is a draft with one draft translation, so its derived
    page status is the column's default and no public state changed: nothing to refresh and
    nobody to notify yet. With `published` or `scheduled`, it is inserted where `move_entry`
    would take a new draft (`at`: the publication date, or the schedule) under the
    moderation `policy` at `now`, with the page status and the staged reactions
    (`publishing.insert_entry`). `entry_id`: an id the caller already took from the entries'
    sequence for it (else one is taken here, a statement of its own; a draft takes none)."""
    slug = first_choice_slug(slug_text, separator=SLUG_SEPARATOR, max_length=SLUG_MAX)
    if target == DRAFT:
        entry_id = None
    elif entry_id is None:
        entry_id = await write_queries.next_entry_id(conn)
    content = await values.content_off_loop()
    for attempt in range(SLUG_ATTEMPTS + 1):
        if attempt:  # the first choice was taken: look at the channel's slugs
            slug = await allocate_entry_slug(
                conn, channel_id, slug_text, separator=SLUG_SEPARATOR, max_length=SLUG_MAX
            )
        if entry_id is None:
            created = await write_queries.insert_entry_with_content(
                conn,
                channel_id=channel_id,
                author_id=author_id,
                slug=slug,
                default_language=language,
                kind=values.kind,
                visibility=values.visibility,
                created_via=created_via,
                credential_id=credential_id,
                properties=values.properties,
                content=content,
                categories=list(values.categories),
            )
        else:
            created = await _insert_moved(
                conn, values, content, entry_id, target, at, policy=policy,
                now=now or datetime.now(UTC),
                channel_id=channel_id, author_id=author_id, language=language, slug=slug,
                created_via=created_via, credential_id=credential_id,
            )  # fmt: skip
        if created is not None:
            return created, slug
    raise Conflict("No free slug could be allocated; try again.", code="slug_taken")


async def _insert_moved(
    conn: asyncpg.Connection, values: EntryValues, content: dict, entry_id: int, target: str,
    at: datetime | None, *, policy: str, now: datetime, channel_id: int, author_id: int,
    language: str, slug: str, created_via: str, credential_id: int | None,
) -> int | None:  # fmt: skip
    if target not in (PUBLISHED, SCHEDULED) or (target == SCHEDULED and at is None):
        raise ValueError(f"cannot create an entry {target!r} at {at!r}")
    entry = new_entry(
        entry_id, channel_id=channel_id, author_id=author_id, slug=slug,
        default_language=language, kind=values.kind, visibility=values.visibility,
        created_via=created_via, credential_id=credential_id, properties=values.properties,
        now=now,
    )  # fmt: skip
    scheduled = target == SCHEDULED
    return await publishing.insert_entry_id(
        conn, entry, {language: content}, {language: target}, policy=policy, now=now,
        schedule=at if scheduled else None, tags=list(values.categories),
        date=(language, None if scheduled else at),
    )  # fmt: skip


async def revise_entry(
    conn: asyncpg.Connection, entry: Entry, values: EntryValues, *, credential_id: int | None
) -> tuple[bool, frozenset[str]]:
    """Save new values into the primary translation and the entry. Returns (changed, the
    languages whose public or scheduled content now waits for a publishing request)."""
    language = entry.primary
    result = await publishing.save_content(
        conn, entry, language, await values.content_off_loop(), credential_id=credential_id
    )
    changed = result != "unchanged"
    status = entry.translations[language]["status"]
    resubmit = frozenset(
        {language} if result == "revision" or (result == "updated" and status == SCHEDULED) else ()
    )
    if await stored.set_descriptors(
        conn, entry.id, kind=values.kind, visibility=values.visibility, properties=values.properties
    ):
        changed = True
    if list(values.categories) != entry.tags:
        await queries.replace_categories(conn, entry.id, list(values.categories))
        changed = True
    return changed, resubmit


async def move_entry(
    conn: asyncpg.Connection,
    entry_id: int,
    target: str | None,
    at: datetime | None,
    *,
    resubmit: frozenset[str] = frozenset(),
    policy: str,
    now: datetime,
) -> bool:
    """Move the entry's primary translation toward `target`: `draft` unpublishes; `published`
    publishes it (with `at` as its publication date, kept through approval); `scheduled`
    schedules it for `at` (a published entry is taken back first); None keeps the status and
    only resubmits changed content. Publishing requests follow the moderation `policy`.
    Returns whether anything changed. The row is locked and read once; the schedule columns
    this step changes are stored with the page status, in its final UPDATE."""
    entry = await load_entry(conn, entry_id, lock=True)
    language = entry.primary
    current = entry.translations[language]["status"]
    row = entry.row

    async def request(targets: dict[str, str], fields: dict | None = None, date=None) -> None:
        await publishing.request_entry_statuses(
            conn, entry, targets, resubmit=resubmit, policy=policy, now=now, fields=fields,
            date=date,
        )  # fmt: skip

    if target is None:
        if resubmit:
            await request({})
            return True
        await publishing.refresh_status(conn, entry_id)
        return False
    if target == DRAFT:
        if (
            row["status"] != DRAFT
            or any(s != DRAFT for s in entry.statuses().values())
            or row["scheduled_at"] is not None
        ):
            await publishing.unpublish(conn, entry_id)
            return True
        return False
    if target == PUBLISHED:
        if current == PUBLISHED:
            changed = False
            published_at = entry.translations[language]["published_at"]
            if at is not None and published_at != at:
                await stored.set_publication_date(conn, entry_id, language, at)
                changed = True
            if resubmit:
                await request({})  # ends with refresh_status
                return True
            if changed:
                await publishing.refresh_status(conn, entry_id)
            return changed
        fields = None
        if row["scheduled_at"] is not None or row["scheduled_paused"]:
            # The approval target follows the schedule: clear it in the Entry this step
            # reads, and in the row with the final UPDATE.
            fields = {"scheduled_at": None, "scheduled_paused": False,
                      "scheduled_pause_reason": None}  # fmt: skip
            entry.row = {**row, **fields}
        await request({language: PUBLISHED}, fields, date=(language, at))
        return True
    if target != SCHEDULED or at is None:
        raise ValueError(f"cannot move an entry to {target!r} at {at!r}")
    changed = False
    if current == PUBLISHED:
        await publishing.unpublish(conn, entry_id)
        entry = await load_entry(conn, entry_id, lock=True)
        row, current, changed = entry.row, DRAFT, True
    fields = None
    if row["scheduled_at"] != at or row["scheduled_paused"]:
        fields = {"scheduled_at": at, "scheduled_paused": False, "scheduled_pause_reason": None}
        entry.row = {**row, **fields}
        await publishing.schedule_publication(conn, entry_id, at)
        changed = True
    if current != SCHEDULED or resubmit:
        await request({language: SCHEDULED}, fields, date=(language, None))
        return True
    await stored.set_publication_date(conn, entry_id, language, None)
    await publishing.refresh_status(conn, entry_id, fields)
    return changed


async def rename_entry(conn: asyncpg.Connection, entry: Entry, slug_text: str) -> str:
    """Give the entry the slug `slug_text` asks for (made unique; its own current slug counts
    as free); the old slug is remembered so its URL keeps resolving. Returns the slug."""
    channel_id, old = entry.row["channel_id"], entry.row["slug"]
    base = slugify_text(slug_text, separator=SLUG_SEPARATOR, max_length=SLUG_MAX - 4) or "entry"
    for _ in range(SLUG_ATTEMPTS):
        taken = await queries.taken_entry_slugs(conn, channel_id, base, SLUG_SEPARATOR)
        slug = next_free_slug(base, taken - {old}, separator=SLUG_SEPARATOR, max_length=SLUG_MAX)
        if slug == old:
            return old
        try:
            async with conn.transaction():
                await stored.rename(conn, entry.id, channel_id, old, slug)
            return slug
        except asyncpg.UniqueViolationError:
            continue
    raise Conflict("No free slug could be allocated; try again.", code="slug_taken")


async def delete_entry(conn: asyncpg.Connection, entry_id: int, now: datetime) -> bool:
    """Soft-delete: the entry leaves every public place and keeps its slug reserved, its
    statuses and its media. False when it already was deleted."""
    if not await stored.mark_deleted(conn, entry_id, now):
        return False
    await publishing.refresh_status(conn, entry_id, bump=True)
    return True


async def restore_entry(conn: asyncpg.Connection, entry_id: int) -> bool:
    """Undo a soft delete: the status derived from the translations comes back, at the same
    URL. False when it was not deleted."""
    if not await stored.mark_deleted(conn, entry_id, None):
        return False
    await publishing.refresh_status(conn, entry_id, bump=True)
    return True
