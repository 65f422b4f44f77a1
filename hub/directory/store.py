"""Writing posts into the directory and keeping their site in step (R-D26, R-D27, R-D30, R-D33).

Shared by the poller (a fetched or WebSub-delivered feed) and the own-channel indexer (an entry
of this node). Everything here runs inside the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from hub.core.resources import Resources
from hub.directory import webhooks
from hub.directory.queries import feeds as feed_queries
from hub.directory.queries import posts as post_queries
from hub.directory.queries import sites as site_queries
from hub.directory.reader.classify import PostShape, classify
from hub.directory.reader.parser import ParsedFeed
from hub.directory.urlnorm import normalize_url

RECLASSIFY_AFTER = 20  # new posts (R-D30)


async def store_posts(
    conn: asyncpg.Connection, feed_id: UUID, site_id: UUID, parsed: ParsedFeed, now: datetime
) -> tuple[int, int]:
    """Insert new posts, update changed ones (R-D27); returns (added, changed)."""
    posts = list(parsed.posts)
    if not posts:
        return 0, 0
    link_keys = {p.identity: normalize_url(p.link) if p.link else None for p in posts}
    rows = await post_queries.existing_posts(
        conn,
        feed_id,
        [p.identity for p in posts],
        [k for k in link_keys.values() if k],
    )
    by_identity = {r["identity"]: r for r in rows}
    by_link: dict[str, list] = {}
    for r in rows:
        if r["link_key"]:
            by_link.setdefault(r["link_key"], []).append(r)
    changed = 0
    new: list[tuple] = []
    for post in reversed(posts):  # oldest first: first-seen order follows the feed
        key = link_keys[post.identity]
        row = by_identity.get(post.identity)
        published = post.published_at
        if row is None and key and post.published_at is not None:
            # a rotated GUID: same link, published within a day → the same post
            row = next(
                (r for r in by_link.get(key, [])
                 if r["identity"] not in link_keys
                 and post_queries.same_day(r["published_at"], post.published_at)),
                None,
            )  # fmt: skip
            if row is not None:
                await post_queries.rename_identity(conn, row["id"], post.identity, post.guid)
        if row is None:
            published = published or now
            new.append((post.identity, key, post, published, post.updated_at or published))
            continue
        if bytes(row["content_hash"]) == post.content_hash:
            continue
        published = published or row["published_at"]
        await post_queries.update_post(
            conn,
            row["id"],
            identity=post.identity,
            link_key=key,
            post=post,
            published_at=published,
            updated_at=post.updated_at if post.updated_at and post.updated_at > published else now,
            now=now,
        )
        changed += 1
    added = await post_queries.insert_posts(
        conn, feed_id=feed_id, site_id=site_id, rows=new, now=now
    )
    return added, changed


async def posts_changed(
    conn: asyncpg.Connection,
    resources: Resources,
    *,
    feed_id: UUID,
    site_id: UUID,
    added: int,
    is_main: bool,
    first: bool,
    now: datetime,
    mark_feed: bool = True,
) -> int:
    """After posts of a feed were added, changed or removed: the feed's and site's change
    times, tags, the site type (every 20 new posts, or on the first import) and the
    `feed.updated` webhooks of the feed's subscribers. Returns how many webhook deliveries
    were staged (the caller runs in a write unit, which queues them after its commit).
    `mark_feed=False`: the caller writes the feed's change time itself (the poller, with its
    poll state)."""
    if mark_feed:
        await feed_queries.mark_posts_changed(conn, feed_id, now)
    counter = await site_queries.refresh_site_after_posts(conn, site_id, added)
    await site_queries.recompute_tags(conn, site_id)
    if is_main and (counter >= RECLASSIFY_AFTER or first):
        shapes = await post_queries.newest_shapes(conn, feed_id)
        kind = classify([PostShape(r["title"], r["content_text"], r["has_image"]) for r in shapes])
        await site_queries.set_site_type(conn, site_id, kind)
    return await webhooks.queue_feed_updated(conn, resources, feed_id, now)
