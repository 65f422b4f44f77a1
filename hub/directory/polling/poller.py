"""Poll one feed: fetch → parse (pure) → store. The one function behind the `poll_feed` job
and the "refresh now" endpoint (STYLE §6); WebSub deliveries enter the same path after the
fetch (`ingest_delivery`).

A failed fetch or parse only touches the feed's poll state (error count, back-off); posts are
written only from a parsed document, inside one transaction, and never deleted here, so a
failed poll loses no earlier post. Fetches are polite per host (`politeness`): a concurrency cap
and one request per interval, both settings.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from asyncpg import Record

from hub.core import writes
from hub.core.errors import FetchFailed, FetchRefused, NotFound, TooLarge
from hub.core.fetch import FetchResult
from hub.core.headers import Headers
from hub.core.hosts import MAX_WAIT, HostBusy, host_slot, wait_turn
from hub.core.offload import heavy_to_parse, off_loop
from hub.core.resources import Resources
from hub.core.version import USER_AGENT
from hub.directory import store, websub
from hub.directory.polling import interval as scheduler
from hub.directory.polling import redirects
from hub.directory.queries import feeds as feed_queries
from hub.directory.queries import sites as site_queries
from hub.directory.reader.parser import MAX_FEED_BYTES, FeedError, ParsedFeed, parse_feed
from hub.directory.urlnorm import feed_key, host_of

__all__ = ["HostBusy", "PollResult", "host_slot", "ingest_delivery", "poll_feed", "poll_state"]

log = logging.getLogger("hub.directory.polling.poller")

POLL_TIMEOUT = 20.0  # R-D24


@dataclass(frozen=True)
class PollResult:
    feed_id: UUID
    outcome: str  # updated | unchanged | not_modified | error | gone | skipped
    added: int = 0
    changed: int = 0
    http_status: int | None = None
    error: str | None = None


async def poll_feed(
    resources: Resources,
    feed_id: UUID | str,
    *,
    now: datetime | None = None,
    max_wait: float = MAX_WAIT,
) -> PollResult:
    """Poll one feed now. Raises NotFound for an unknown feed and HostBusy when the host
    already has its share of fetches running or its next turn is more than `max_wait`
    seconds away; every other failure is recorded and returned."""
    feed_id = UUID(str(feed_id))
    state = await feed_queries.get_poll_state(resources.pool, feed_id)
    if state is None:
        raise NotFound("Not found.")
    return await poll_state(resources, state, now=now, max_wait=max_wait)


async def poll_state(
    resources: Resources,
    state: Record,
    *,
    now: datetime | None = None,
    max_wait: float = MAX_WAIT,
    unchanged: list[feed_queries.Unchanged] | None = None,
) -> PollResult:
    """`poll_feed` for a feed whose poll state (`get_poll_state`) is read already. With
    `unchanged`, a poll that found nothing new and needs one plain statement appends that
    statement's row there instead (`feed_queries.record_unchanged` writes them together)."""
    feed_id = state["id"]
    if state["hidden_at"] is not None or state["is_local"]:
        return PollResult(feed_id, "skipped")
    headers = {"User-Agent": _user_agent(resources, state["subscribers"])}
    if state["etag"]:
        headers["If-None-Match"] = state["etag"]
    if state["last_modified"]:
        headers["If-Modified-Since"] = state["last_modified"]
    limit = min(MAX_FEED_BYTES, resources.settings.fetch_max_bytes)
    host = host_of(state["feed_url"])
    async with host_slot(resources, host):
        await wait_turn(resources, host, max_wait=max_wait)
        try:
            result = await resources.fetcher.fetch(
                state["feed_url"], headers=headers, max_bytes=limit, timeout=POLL_TIMEOUT
            )
        except (FetchRefused, FetchFailed, TooLarge) as exc:
            return await _failed(resources, state, None, exc.message, now)
    now = now or datetime.now(UTC)
    step = redirects.next_step(
        statuses=result.redirect_statuses,
        chain=result.redirects,
        final_url=result.url,
        pending=state["redirect_url"],
        count=state["redirect_count"],
    )
    if result.status == 304:
        return await _unchanged(resources, state, result, now, "not_modified", step, unchanged)
    if not 200 <= result.status < 300:
        return await _failed(resources, state, result, f"HTTP {result.status}", now)
    digest = hashlib.sha256(result.content).digest()
    if state["body_sha256"] == digest:
        return await _unchanged(resources, state, result, now, "unchanged", step, unchanged)
    try:
        parsed = await off_loop(
            parse_feed,
            result.content,
            url=result.url,
            now=now,
            heavy=heavy_to_parse(result.content),
        )
    except FeedError as exc:
        return await _failed(resources, state, result, str(exc), now)
    return await _store(resources, state, result, parsed, digest, now, step)


async def ingest_delivery(
    resources: Resources, feed_id: UUID, body: bytes, *, now: datetime | None = None
) -> PollResult:
    """A WebSub content distribution, treated as a fresh poll of the feed that returned
    `body` (validators and redirect state are left as they are)."""
    now = now or datetime.now(UTC)
    state = await feed_queries.get_poll_state(resources.pool, feed_id)
    if state is None:
        raise NotFound("Not found.")
    kept = {"etag": state["etag"], "last-modified": state["last_modified"]}
    result = FetchResult(
        url=state["feed_url"],
        status=200,
        headers=Headers({k: v for k, v in kept.items() if v}),
        content=body,
        redirects=(),
    )
    digest = hashlib.sha256(body).digest()
    keep = redirects.RedirectStep(state["redirect_url"], state["redirect_count"], None)
    if state["body_sha256"] == digest:
        return await _unchanged(resources, state, result, now, "unchanged", keep)
    try:
        parsed = await off_loop(
            parse_feed, body, url=state["feed_url"], now=now, heavy=heavy_to_parse(body)
        )
    except FeedError as exc:
        log.info("WebSub delivery for %s did not parse: %s", feed_id, exc)
        return PollResult(feed_id, "error", error=str(exc))
    return await _store(resources, state, result, parsed, digest, now, keep, delivery=True)


def _user_agent(resources: Resources, subscribers: int) -> str:
    return (
        f"{USER_AGENT} (+{resources.settings.base_url}; feed directory; {subscribers} subscribers)"
    )


def _validators(state, result: FetchResult) -> tuple[str | None, str | None]:
    """Validators exactly as last received; kept when a 304 does not repeat them."""
    etag = result.headers.get("etag") or (state["etag"] if result.status == 304 else None)
    modified = result.headers.get("last-modified") or (
        state["last_modified"] if result.status == 304 else None
    )
    return etag, modified


def _next(interval: int, now: datetime) -> datetime:
    return now + timedelta(seconds=scheduler.jittered(interval))


async def _unchanged(
    resources, state, result: FetchResult, now: datetime, outcome: str, step, batch=None
):
    headers = {k.lower(): v for k, v in result.headers.items()}
    interval = scheduler.next_interval(
        state["poll_interval_seconds"],
        changed=False,
        cache_seconds=scheduler.cache_seconds(headers, now),
    )
    interval = _floor_for_status(state, interval, now)
    etag, modified = _validators(state, result)
    next_poll_at, feed_status = _next(interval, now), _status_when_fine(state, now)
    record = functools.partial(
        feed_queries.record_success,
        feed_id=state["id"],
        status=result.status,
        etag=etag,
        last_modified=modified,
        body_sha256=None,
        interval=interval,
        next_poll_at=next_poll_at,
        now=now,
        feed_status=feed_status,
    )
    moved = (step.move_to, step.redirect_url, step.redirect_count)
    if moved == (None, state["redirect_url"], state["redirect_count"]):  # the common case
        if batch is None:
            await record(resources.pool)  # one statement
        else:  # one statement for the whole batch, written by its poller
            row = (state["id"], result.status, etag, modified, interval, next_poll_at, now)
            batch.append((*row, feed_status))
    else:
        async with resources.pool.acquire() as conn, conn.transaction():
            await record(conn)
            await _follow_redirect(conn, state, step)
    return PollResult(state["id"], outcome, http_status=result.status)


async def _follow_redirect(conn, state, step: redirects.RedirectStep) -> None:
    """Store the pending permanent redirect, or move `feed_url` (R-D23)."""
    if step.move_to is not None:
        other = await feed_queries.find_feed_by_key(conn, feed_key(step.move_to))
        if other is None or other["id"] == state["id"]:
            await feed_queries.move_feed(conn, state["id"], step.move_to, feed_key(step.move_to))
        else:  # the target is a known feed: one feed, under the older id
            await feed_queries.merge_feeds(conn, state["id"], other["id"], step.move_to)
        log.info("feed %s moved to %s", state["feed_url"], step.move_to)
        return
    if (step.redirect_url, step.redirect_count) != (state["redirect_url"], state["redirect_count"]):
        await feed_queries.set_redirect(conn, state["id"], step.redirect_url, step.redirect_count)


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


async def _store(
    resources, state, result: FetchResult, parsed: ParsedFeed, digest, now, step, *, delivery=False
):
    feed_id, site_id = state["id"], state["site_id"]
    if delivery:  # a hub's copy: the subscription stays as it is
        hub, topic = state["websub_hub"], state["websub_topic"]
    else:
        hub, topic = websub.discover(
            result.headers.get("link", ""), parsed.hub, parsed.self_url, result.url
        )
    async with writes.write(resources) as tx:
        conn = tx.conn
        locked = await feed_queries.lock_feed(conn, feed_id)
        if locked is None:
            raise NotFound("Not found.")
        added, changed = await store.store_posts(conn, feed_id, site_id, parsed, now)
        metadata = {
            "format": parsed.format,
            "format_version": parsed.format_version,
            "title": parsed.title,
            "link": parsed.link,
            "description": parsed.description,
            "icon": parsed.icon,
            "language": parsed.language,
            "websub_hub": hub,
            "websub_topic": topic,
        }
        if any(locked[name] != value for name, value in metadata.items()):
            await feed_queries.update_feed_metadata(conn, feed_id, **metadata)
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
            await store.posts_changed(
                conn,
                resources,
                feed_id=feed_id,
                site_id=site_id,
                added=added,
                is_main=locked["is_main"],
                first=locked["last_fetched_at"] is None,
                now=now,
                mark_feed=False,  # posts_changed_at goes with record_success below
            )
        subscribe = websub.wants_subscription(locked, hub, topic, now)
        if subscribe:
            await websub.stage_subscribe(conn, feed_id)
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
            posts_changed_at=now if added or changed else None,
        )
        await _follow_redirect(conn, locked, step)
    outcome = "updated" if added or changed else "unchanged"
    return PollResult(feed_id, outcome, added, changed, http_status=result.status)
