"""Update, delete and undelete an entry named by `url` (micropub-resolved.md §4).

Update: the operations apply to the entry's current properties (`replace`, `add`, `delete`,
R-M34; untouched properties stay), the result is projected again (title, body, tags, kind,
visibility, media) and saved through the shared lifecycle in one transaction; `post-status`
and `published` move the entry to draft, published or scheduled; `mp-slug` renames it (the
old URL keeps resolving). Delete is soft; undelete brings the entry back at the same URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from hub.core.auth import Principal
from hub.core.entries import authoring, queries
from hub.core.entries.lifecycle import DRAFT, PUBLISHED, SCHEDULED
from hub.core.entries.model import Entry, load_entry
from hub.core.errors import Invalid, NotFound
from hub.core.offload import is_heavy, off_loop
from hub.core.plans import can_schedule
from hub.core.resources import Resources
from hub.core.urls import Urls
from hub.micropub import lookup, reading, scopes
from hub.micropub.create import NO_SCHEDULING, entry_values
from hub.micropub.media_links import check_remote_media, content_images, link_media
from hub.micropub.mf2 import MicropubRequest
from hub.micropub.properties import (
    SCHEDULE_GRACE,
    EntryFields,
    content_sources,
    normalise_slug,
    project,
)
from hub.micropub.service import Blog
from hub.micropub.updates import apply_operations


@dataclass(frozen=True)
class Updated:
    body: dict
    location: str | None  # set when the URL changed (201)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _target(
    entry: Entry, requested: str, at: datetime, principal: Principal, touched: bool
) -> tuple[str | None, datetime | None]:
    """Where the update moves the entry: None keeps its state; publishing a draft needs a
    token that may publish; scheduling needs the plan."""
    if not touched:
        return None, None
    if requested in (PUBLISHED, SCHEDULED) and entry.row["status"] == DRAFT:
        scopes.require_publish(principal.scopes)
    if (
        requested == SCHEDULED
        and entry.row["scheduled_at"] != at
        and not can_schedule(principal.plan, owner=principal.is_owner)
    ):
        raise Invalid.field("published", NO_SCHEDULING)
    return requested, (None if requested == DRAFT else at)


def _check_and_read(
    props: dict[str, list[Any]], commands: dict[str, list[Any]], kind: str, blog: Blog,
    now: datetime, forced: str | None, urls: Urls, allow_loopback: bool,
) -> tuple[EntryFields, list[str]]:  # fmt: skip
    """The entry fields after the update and the body's images: one pure step, run off the
    event loop when the body is long (`hub.core.offload`)."""
    fields = project(
        props, commands, kind=kind, timezone=blog.timezone, now=now, forced_status=forced
    )
    check_remote_media(urls, blog, fields, allow_loopback=allow_loopback)
    return fields, content_images(fields)


async def update(
    conn: asyncpg.Connection,
    resources: Resources,
    principal: Principal,
    blog: Blog,
    parsed: MicropubRequest,
) -> Updated:
    assert parsed.url is not None and parsed.operations is not None
    ops = parsed.operations
    now = _now()
    urls = resources.urls
    entry = await lookup.find_target(conn, blog, urls, parsed.url, lock=True)
    if entry.row["deleted_at"] is not None:
        raise NotFound(reading.DELETED)
    before = lookup.location(urls, blog, entry)
    current = reading.properties_of(entry)
    if "post-status" in current:
        current["post-status"] = ["draft" if entry.row["status"] == DRAFT else "published"]
    props = apply_operations(current, ops)
    status_touched = ops.touches("post-status")
    forced = None
    if not status_touched:
        forced = "draft" if entry.row["status"] == DRAFT else "published"
    kind = "event" if entry.row["kind"] == "event" else "entry"
    fields, images = await off_loop(
        _check_and_read, props, ops.commands, kind, blog, now, forced, urls,
        resources.settings.allow_loopback_fetch, heavy=is_heavy(*content_sources(props)),
    )  # fmt: skip
    at = fields.published_at
    if "published" not in props:
        translation = entry.translations.get(entry.primary) or {}
        at = translation.get("published_at") or entry.row["scheduled_at"] or now
    requested = DRAFT
    if fields.post_status != "draft":
        requested = SCHEDULED if at > now + SCHEDULE_GRACE else PUBLISHED
    target, when = _target(
        entry, requested, at, principal, status_touched or ops.touches("published")
    )
    changed, resubmit = await authoring.revise_entry(
        conn, entry, entry_values(fields, props), credential_id=principal.credential_id
    )
    slug = normalise_slug(ops.commands.get("mp-slug") or [])
    if slug is not None and await authoring.rename_entry(conn, entry, slug) != entry.row["slug"]:
        changed = True
    await link_media(conn, urls, blog, entry.id, fields, images=images)
    policy = blog.moderation or resources.settings.moderation
    if await authoring.move_entry(
        conn, entry.id, target, when, resubmit=resubmit, policy=policy, now=now
    ):
        changed = True
    if changed:
        await queries.bump_version(conn, entry.id)
    entry = await load_entry(conn, entry.id)
    after = lookup.location(urls, blog, entry)
    body = reading.view(urls, blog, entry)
    return Updated(body, after if after != before else None)


async def delete(conn: asyncpg.Connection, resources: Resources, blog: Blog, url: str) -> None:
    """Soft delete; deleting a deleted entry again is a no-op."""
    entry = await lookup.find_target(conn, blog, resources.urls, url, lock=True)
    await authoring.delete_entry(conn, entry.id, _now())


async def undelete(conn: asyncpg.Connection, resources: Resources, blog: Blog, url: str) -> None:
    """Bring a soft-deleted entry back; undeleting a live entry is a no-op."""
    entry = await lookup.find_target(conn, blog, resources.urls, url, lock=True)
    await authoring.restore_entry(conn, entry.id)
