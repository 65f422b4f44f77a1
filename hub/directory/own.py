"""The node's own published channels are sites of its own directory (DESIGN, issue 6).

`index_entries` runs in the worker after entries' public state changed (the entries core stages
the batched `index_own_entry` job through `hub.core.entries.events`; one run takes every entry
staged since, `hub.core.batches`). It reads the entries as they are now and makes the directory
agree, one channel's entries together: a public entry is a post of its channel's site
(inserted or updated), anything else (draft, unpublished, archived, deleted, private, purged)
is no post. The channel's site and its main feed (the channel's JSON Feed, marked local so it
is never polled) are created on first use. Nothing is fetched over HTTP: the rows come
straight from the entries tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg

from hub.core.entries.indexing import entries_for_index
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


@dataclass
class Indexed:
    """What a run of the index did, counted in entries."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    absent: int = 0  # not public and no post to remove (or purged with none)

    def add(self, other: Indexed) -> None:
        for name, count in vars(other).items():
            setattr(self, name, getattr(self, name) + count)

    def __str__(self) -> str:
        counts = {k: v for k, v in vars(self).items() if v}
        return ", ".join(f"{v} {k}" for k, v in counts.items()) or "nothing"

    @property
    def outcome(self) -> str:
        """The job's result: what it did, or `unchanged` (an idle run) when it wrote nothing."""
        return str(self) if self.added or self.changed or self.removed else "unchanged"


async def index_entries(conn: asyncpg.Connection, resources: Resources, entry_ids: list[int],
                        *, now: datetime | None = None) -> Indexed:  # fmt: skip
    """Make the directory agree with these entries as they are now (idempotent), in the
    caller's transaction, which holds `lock_own_index`: one channel's entries are stored
    together, with one update of its feed, site and tags (`store.posts_changed`)."""
    now = now or datetime.now(UTC)
    done = Indexed()
    ids = sorted(set(entry_ids))
    rows = await entries_for_index(conn, ids) if ids else []
    found = {r["id"] for r in rows}
    purged = [identity_of(i) for i in ids if i not in found]
    if purged:  # whatever post they had goes
        removed = await own_queries.remove_purged_posts(conn, purged)
        done.removed += removed
        done.absent += len(purged) - removed
    by_channel: dict[int, list[asyncpg.Record]] = {}
    for row in rows:
        by_channel.setdefault(row["channel_id"], []).append(row)
    for channel_rows in by_channel.values():
        await _index_channel(conn, resources, channel_rows, now, done)
    return done


async def _index_channel(
    conn: asyncpg.Connection, resources: Resources, rows: list, now: datetime, done: Indexed
) -> None:
    """The entries of one channel: public ones stored as posts of its main feed, the others'
    posts removed; then the feed's and site's change times and tags, once."""
    public = [r for r in rows if is_public(r)]
    hidden = [identity_of(r["id"]) for r in rows if not is_public(r)]
    if not public and await own_queries.site_of_channel(conn, rows[0]["channel_id"]) is None:
        done.absent += len(hidden)
        return
    feed, site_id = await _claim(conn, resources, rows[0])
    removed = await own_queries.remove_posts(conn, feed["id"], hidden) if hidden else 0
    done.removed += removed
    done.absent += len(hidden) - removed
    added = changed = 0
    if public:
        posts = []
        for row in sorted(public, key=lambda r: (r["published_at"], r["id"]), reverse=True):
            # sanitising and reading the text of a long entry is pure Python: off the loop
            posts.append(await off_loop(entry_post, row, resources,
                                        heavy=heavy_to_parse(row["content_html"])))  # fmt: skip
        parsed = ParsedFeed(
            format="jsonfeed", format_version="1.1", title=rows[0]["channel_title"] or "",
            link=None, description=None, icon=None, language=rows[0]["channel_language"],
            hub=None, self_url=None, posts=tuple(posts),
        )  # fmt: skip
        added, changed = await store.store_posts(conn, feed["id"], site_id, parsed, now)
        done.added += added
        done.changed += changed
        done.unchanged += len(public) - added - changed
    if added or changed or removed:
        await store.posts_changed(
            conn, resources, feed_id=feed["id"], site_id=site_id, added=added,
            is_main=True, first=bool(feed["created"]), now=now,
        )  # fmt: skip


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
