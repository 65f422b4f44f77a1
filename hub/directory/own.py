"""The node's own published channels are sites of its own directory (DESIGN, issue 6).

`index_entry` runs in the worker after an entry's public state changed (the entries core stages
the `index_own_entry` job through `hub.core.entries.events`). It reads the entry as it is now and
makes the directory agree: a public entry is a post of its channel's site (inserted or updated),
anything else (draft, unpublished, archived, deleted, private, purged) is no post. The channel's
site and its main feed (the channel's JSON Feed, marked local so it is never polled) are created
on first use. Nothing is fetched over HTTP: the rows come straight from the entries tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg

from hub.core import writes
from hub.core.entries.indexing import entry_for_index
from hub.core.offload import heavy_to_parse, off_loop
from hub.core.resources import Resources
from hub.directory import store
from hub.directory.queries import own as own_queries
from hub.directory.reader.items import ParsedPost, build_post, replace
from hub.directory.reader.parser import ParsedFeed
from hub.directory.urlnorm import feed_key, site_key

PUBLIC_STATUSES = ("published", "moderation_review")


def identity_of(entry_id: int) -> str:
    """A post's identity for an own entry: stable across slug and domain changes."""
    return f"hub:entry:{entry_id}"


def is_public(row: asyncpg.Record | dict[str, Any]) -> bool:
    """The public site's rule: published channel, live translation, public, not deleted."""
    return (
        row["channel_status"] == "published"
        and row["status"] in PUBLIC_STATUSES
        and row["translation_status"] == "published"
        and row["deleted_at"] is None
        and row["visibility"] == "public"
        and row["published_at"] is not None
    )


def _first(properties: dict[str, Any], name: str) -> str | None:
    value = properties.get(name)
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("url") or (value.get("properties", {}).get("url") or [None])[0]
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else None


def entry_post(row: asyncpg.Record | dict[str, Any], resources: Resources) -> ParsedPost:
    """The directory's post for a public entry (its primary translation)."""
    urls = resources.urls
    link = urls.entry(row["channel_slug"], row["slug"], custom_domain=row["custom_domain"])
    properties = row["properties"] if isinstance(row["properties"], dict) else {}
    post = build_post(
        base=link,
        guid=link,
        link=link,
        title=row["title"] or None,
        html=row["content_html"] or None,
        summary=row["excerpt"] or None,
        image=urls.media_file(row["photo_path"]) if row["photo_path"] else None,
        author={"name": row["author_name"], "url": row["author_url"], "photo": None},
        tags=list(row["tags"] or []),
        in_reply_to=_first(properties, "in-reply-to"),
        published_at=row["published_at"].astimezone(UTC),
        updated_at=max(row["published_at"], row["content_updated_at"] or row["published_at"]),
    )
    return replace(post, identity=identity_of(row["id"]))


@dataclass(frozen=True)
class Indexed:
    outcome: str  # added | changed | unchanged | removed | absent | missing
    site_id: UUID | None = None
    feed_id: UUID | None = None


async def index_entry(resources: Resources, entry_id: int, *, now: datetime | None = None):
    """Make the directory agree with entry `entry_id` as it is now (idempotent)."""
    now = now or datetime.now(UTC)
    async with writes.write(resources) as tx:
        conn = tx.conn
        row = await entry_for_index(conn, entry_id)
        if row is None:  # purged: whatever post it had goes
            removed = await own_queries.remove_purged_post(conn, identity_of(entry_id))
            return Indexed("removed" if removed else "missing")
        await own_queries.lock_channel(conn, row["channel_id"])
        if not is_public(row):
            site = await own_queries.site_of_channel(conn, row["channel_id"])
            if site is None:
                return Indexed("absent")
            feed, site_id = await _claim(conn, resources, row)
            if not await own_queries.remove_post(conn, feed["id"], identity_of(entry_id)):
                return Indexed("absent", site_id, feed["id"])
            await store.posts_changed(
                conn, resources, feed_id=feed["id"], site_id=site_id, added=0,
                is_main=True, first=False, now=now,
            )  # fmt: skip
            outcome = "removed"
        else:
            feed, site_id = await _claim(conn, resources, row)
            # sanitising and reading the text of a long entry is pure Python: off the loop
            post = await off_loop(entry_post, row, resources,
                                  heavy=heavy_to_parse(row["content_html"]))  # fmt: skip
            parsed = ParsedFeed(
                format="jsonfeed", format_version="1.1", title=row["channel_title"] or "",
                link=None, description=None, icon=None, language=row["channel_language"],
                hub=None, self_url=None, posts=(post,),
            )  # fmt: skip
            added, changed = await store.store_posts(conn, feed["id"], site_id, parsed, now)
            if not (added or changed):
                return Indexed("unchanged", site_id, feed["id"])
            await store.posts_changed(
                conn, resources, feed_id=feed["id"], site_id=site_id, added=added,
                is_main=True, first=bool(feed["created"]), now=now,
            )  # fmt: skip
            outcome = "added" if added else "changed"
    return Indexed(outcome, site_id, feed["id"])


async def _claim(conn: asyncpg.Connection, resources: Resources, row) -> tuple[Any, UUID]:
    """The channel's site and main feed, created or brought up to date."""
    urls = resources.urls
    link = urls.channel(row["channel_slug"], custom_domain=row["custom_domain"])
    feed_url = link.rstrip("/") + "/feed.json"
    title = row["channel_title"] or row["channel_slug"]
    known = await own_queries.site_of_channel(conn, row["channel_id"])
    if known is not None:
        site_id = known["id"]
    else:
        site_id = await own_queries.claim_site(
            conn, channel_id=row["channel_id"], link=link, link_key=site_key(link)
        )
    await own_queries.update_site(
        conn, site_id, link=link, link_key=site_key(link), title=title,
        description=row["channel_description"], language=row["channel_language"],
    )  # fmt: skip
    feed = await own_queries.claim_feed(
        conn, site_id=site_id, feed_url=feed_url, feed_key=feed_key(feed_url), title=title
    )
    return feed, site_id
