"""Poll one feed: fetch → parse (pure) → store. The one function behind the `poll_feed` job
and the "refresh now" endpoint (STYLE §6).

A failed fetch or parse only touches the feed's poll state (error count, back-off); posts are
written only from a parsed document, inside one transaction, and never deleted here, so a
failed poll loses no earlier post.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from hub.core.errors import FetchFailed, FetchRefused, NotFound, TooLarge
from hub.core.fetch import FetchResult
from hub.core.queue import flush_outbox
from hub.core.resources import Resources
from hub.directory import scheduler, webhooks
from hub.directory.classify import PostShape, classify
from hub.directory.parser import MAX_FEED_BYTES, FeedError, ParsedFeed, parse_feed
from hub.directory.queries import feeds as feed_queries
from hub.directory.queries import posts as post_queries
from hub.directory.queries import sites as site_queries
from hub.directory.urlnorm import host_of, normalize_url

log = logging.getLogger("hub.directory.poller")

POLL_TIMEOUT = 20.0  # R-D24
HOST_CONCURRENCY = 2  # R-D22
HOST_SLOT_TTL = 60


class HostBusy(Exception):
    """Too many fetches to this host are running; try again shortly."""


@dataclass(frozen=True)
class PollResult:
    feed_id: UUID
    outcome: str  # updated | unchanged | not_modified | error | gone | skipped
    added: int = 0
    changed: int = 0
    http_status: int | None = None
    error: str | None = None


class host_slot:
    """At most HOST_CONCURRENCY fetches per host across every worker (a Redis counter)."""

    def __init__(self, resources: Resources, host: str) -> None:
        self.redis = resources.redis
        self.key = f"hub:directory:host:{host}"

    async def __aenter__(self) -> None:
        count = await self.redis.incr(self.key)
        await self.redis.expire(self.key, HOST_SLOT_TTL)
        if count > HOST_CONCURRENCY:
            await self.redis.decr(self.key)
            raise HostBusy(self.key)

    async def __aexit__(self, *exc: object) -> None:
        await self.redis.decr(self.key)


async def poll_feed(
    resources: Resources, feed_id: UUID | str, *, now: datetime | None = None
) -> PollResult:
    """Poll one feed now. Raises NotFound for an unknown feed and HostBusy when the host
    already has its share of fetches running; every other failure is recorded and returned."""
    feed_id = UUID(str(feed_id))
    pool = resources.pool
    state = await feed_queries.get_poll_state(pool, feed_id)
    if state is None:
        raise NotFound("Not found.")
    if state["hidden_at"] is not None:
        return PollResult(feed_id, "skipped")
    headers = {"User-Agent": await _user_agent(resources, feed_id)}
    if state["etag"]:
        headers["If-None-Match"] = state["etag"]
    if state["last_modified"]:
        headers["If-Modified-Since"] = state["last_modified"]
    limit = min(MAX_FEED_BYTES, resources.settings.fetch_max_bytes)
    async with host_slot(resources, host_of(state["feed_url"])):
        try:
            result = await resources.fetcher.fetch(
                state["feed_url"], headers=headers, max_bytes=limit, timeout=POLL_TIMEOUT
            )
        except (FetchRefused, FetchFailed, TooLarge) as exc:
            return await _failed(resources, state, None, exc.message, now)
    now = now or datetime.now(UTC)
    if result.status == 304:
        return await _unchanged(resources, state, result, now, "not_modified")
    if not 200 <= result.status < 300:
        return await _failed(resources, state, result, f"HTTP {result.status}", now)
    digest = hashlib.sha256(result.content).digest()
    if state["body_sha256"] == digest:
        return await _unchanged(resources, state, result, now, "unchanged")
    try:
        parsed = await asyncio.to_thread(parse_feed, result.content, url=result.url, now=now)
    except FeedError as exc:
        return await _failed(resources, state, result, str(exc), now)
    return await _store(resources, state, result, parsed, digest, now)


async def _user_agent(resources: Resources, feed_id: UUID) -> str:
    subscribers = await resources.pool.fetchval(
        "SELECT count(*) FROM subscriptions WHERE feed_id = $1", feed_id
    )
    return f"hub/0.1 (+{resources.settings.base_url}; feed directory; {subscribers} subscribers)"


def _validators(state, result: FetchResult) -> tuple[str | None, str | None]:
    """Validators exactly as last received; kept when a 304 does not repeat them."""
    etag = result.headers.get("etag") or (state["etag"] if result.status == 304 else None)
    modified = result.headers.get("last-modified") or (
        state["last_modified"] if result.status == 304 else None
    )
    return etag, modified


def _next(interval: int, now: datetime) -> datetime:
    return now + timedelta(seconds=scheduler.jittered(interval))


async def _unchanged(resources, state, result: FetchResult, now: datetime, outcome: str):
    headers = {k.lower(): v for k, v in result.headers.items()}
    interval = scheduler.next_interval(
        state["poll_interval_seconds"],
        changed=False,
        cache_seconds=scheduler.cache_seconds(headers, now),
    )
    interval = _floor_for_status(state, interval, now)
    etag, modified = _validators(state, result)
    await feed_queries.record_success(
        resources.pool,
        state["id"],
        status=result.status,
        etag=etag,
        last_modified=modified,
        body_sha256=None,
        interval=interval,
        next_poll_at=_next(interval, now),
        now=now,
        feed_status=_status_when_fine(state, now),
    )
    return PollResult(state["id"], outcome, http_status=result.status)


def _status_when_fine(state, now: datetime) -> str:
    return "dormant" if scheduler.is_dormant(state["posts_changed_at"], now) else "active"


def _floor_for_status(state, interval: int, now: datetime) -> int:
    if scheduler.is_dormant(state["posts_changed_at"], now):
        return scheduler.DAY
    if state["websub_expires_at"] is not None and state["websub_expires_at"] > now:
        return scheduler.WEBSUB_SAFETY_INTERVAL
    return interval


async def _failed(resources, state, result: FetchResult | None, error: str, now):
    now = now or datetime.now(UTC)
    http_status = result.status if result is not None else None
    error_count = state["error_count"] + 1
    error_since = state["error_since"] or now
    not_found_since = state["not_found_since"]
    if http_status == 404:
        not_found_since = not_found_since or now
    elif http_status is not None:
        not_found_since = None
    retry_after = None
    if result is not None:
        retry_after = scheduler.retry_after_seconds(result.headers.get("retry-after"), now)
    outcome = scheduler.after_error(
        http_status=http_status,
        error_count=error_count,
        error_since=error_since,
        not_found_since=not_found_since,
        now=now,
        retry_after=retry_after,
    )
    await feed_queries.record_error(
        resources.pool,
        state["id"],
        http_status=http_status,
        error=error,
        error_count=error_count,
        error_since=error_since,
        not_found_since=not_found_since,
        next_poll_at=now + timedelta(seconds=outcome.delay),
        now=now,
        feed_status=outcome.status,
    )
    log.info("poll of %s failed: %s", state["feed_url"], error)
    kind = "gone" if outcome.status == "gone" else "error"
    return PollResult(state["id"], kind, http_status=http_status, error=error)


async def _store(resources, state, result: FetchResult, parsed: ParsedFeed, digest, now):
    feed_id, site_id = state["id"], state["site_id"]
    async with resources.pool.acquire() as conn, conn.transaction():
        locked = await feed_queries.lock_feed(conn, feed_id)
        if locked is None:
            raise NotFound("Not found.")
        added, changed = await store_posts(conn, feed_id, site_id, parsed, now)
        await feed_queries.update_feed_metadata(
            conn,
            feed_id,
            format=parsed.format,
            format_version=parsed.format_version,
            title=parsed.title,
            link=parsed.link,
            description=parsed.description,
            icon=parsed.icon,
            language=parsed.language,
            websub_hub=parsed.hub,
            websub_topic=parsed.self_url,
        )
        if locked["is_main"]:
            await site_queries.update_site_metadata(
                conn,
                site_id,
                title=parsed.title,
                description=parsed.description,
                icon=parsed.icon,
                language=parsed.language,
            )
        if added or changed:
            await feed_queries.mark_posts_changed(conn, feed_id, now)
            counter = await site_queries.refresh_site_after_posts(conn, site_id, added)
            if added:
                await site_queries.recompute_tags(conn, site_id)
            if locked["is_main"] and (counter >= 20 or locked["last_fetched_at"] is None):
                shapes = await post_queries.newest_shapes(conn, feed_id)
                kind = classify([PostShape(r["title"], r["content_text"], r["has_image"])
                                 for r in shapes])  # fmt: skip
                await site_queries.set_site_type(conn, site_id, kind)
            await webhooks.queue_feed_updated(conn, resources, feed_id, now)
        headers = {k.lower(): v for k, v in result.headers.items()}
        interval = scheduler.next_interval(
            locked["poll_interval_seconds"],
            changed=bool(added or changed),
            cache_seconds=scheduler.cache_seconds(headers, now),
        )
        interval = _floor_for_status(locked, interval, now)
        etag, modified = _validators(state, result)
        await feed_queries.record_success(
            conn,
            feed_id,
            status=result.status,
            etag=etag,
            last_modified=modified,
            body_sha256=digest,
            interval=interval,
            next_poll_at=_next(interval, now),
            now=now,
            feed_status="active" if added or changed else _status_when_fine(locked, now),
        )
    if added or changed:
        await flush_outbox(resources.pool, resources.redis)
    outcome = "updated" if added or changed else "unchanged"
    return PollResult(feed_id, outcome, added, changed, http_status=result.status)


async def store_posts(conn, feed_id: UUID, site_id: UUID, parsed: ParsedFeed, now: datetime):
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
    added = changed = 0
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
            inserted = await post_queries.insert_post(
                conn,
                feed_id=feed_id,
                site_id=site_id,
                identity=post.identity,
                link_key=key,
                post=post,
                published_at=published,
                updated_at=post.updated_at or published,
                now=now,
            )
            added += int(inserted)
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
    return added, changed
