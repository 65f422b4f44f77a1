"""Adding sites to the directory: fetch, discover, parse, store (R-D18, R-D21, R-D25).

Used by `POST /api/sites`, `hub directory add URL` and the OPML import job. The first posts are
imported afterwards by `poll_feed` jobs (staged in the same transaction).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit
from uuid import UUID

from hub.core import writes
from hub.core.errors import FetchFailed, FetchRefused, Invalid, TooLarge
from hub.core.fetch import FetchResult
from hub.core.offload import heavy_to_parse, off_loop
from hub.core.queue import stage_job
from hub.core.resources import Resources
from hub.directory.queries import feeds as feed_queries
from hub.directory.queries import sites as site_queries
from hub.directory.reader import discovery
from hub.directory.reader.parser import MAX_FEED_BYTES, FeedError, ParsedFeed, parse_feed, sniff
from hub.directory.urlnorm import feed_key, origin, site_key
from hub.web.drf.errors import Unprocessable

DISCOVERY_BUDGET = 15.0  # seconds for the whole submission (4.5)
POLL_FEED_JOB = "poll_feed"
POLL_FEEDS_JOB = "poll_feeds"  # a batch of due feeds (the scheduler's)
NO_FEED = "No feed was found at that URL."


@dataclass(frozen=True)
class Added:
    site_id: UUID
    created: bool
    feed_ids: tuple[UUID, ...]


def poll_feed_job_id(feed_id: UUID | str) -> str:
    """The one job id of a feed's poll: a poll already queued absorbs any other request."""
    return f"{POLL_FEED_JOB}:{feed_id}"


def check_submitted_url(url: str) -> str:
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        raise Invalid.field("url", "Enter a valid http or https URL.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid.field("url", "Enter a valid http or https URL.")
    return url


async def add_site(resources: Resources, url: str, *, added_by: int | None = None) -> Added:
    """Find the feeds at `url` and add its site, or return the known one. Raises Invalid or
    FetchRefused (400) and Unprocessable (422: no feed)."""
    url = check_submitted_url(url)
    known = await _known(resources, url)
    if known is not None:
        return known
    try:
        async with asyncio.timeout(DISCOVERY_BUDGET):
            found = await discover(resources, url)
    except TimeoutError:
        raise Unprocessable("Looking for feeds at that URL took too long.") from None
    if not found:
        raise Unprocessable(NO_FEED)
    return await _store(resources, found, added_by)


async def _known(resources: Resources, url: str) -> Added | None:
    pool = resources.pool
    feed = await feed_queries.find_feed_by_key(pool, feed_key(url))
    site_id = feed["site_id"] if feed else None
    if site_id is None:
        site = await site_queries.find_site_by_key(pool, site_key(url))
        site_id = site["id"] if site else None
    if site_id is None:
        return None
    feeds = await feed_queries.site_feed_summaries(pool, site_id)
    return Added(site_id, False, tuple(f["id"] for f in feeds))


@dataclass(frozen=True)
class Found:
    feed_url: str
    parsed: ParsedFeed
    page_url: str | None  # the HTML page the feed was found on


async def _get(resources: Resources, url: str) -> FetchResult | None:
    try:
        result = await resources.fetcher.fetch(
            url, max_bytes=min(MAX_FEED_BYTES, resources.settings.fetch_max_bytes), timeout=10.0
        )
    except (FetchFailed, TooLarge):
        return None
    return result if 200 <= result.status < 300 else None


def _parse_now(result: FetchResult) -> ParsedFeed | None:
    try:
        return parse_feed(result.content, url=result.url, now=datetime.now(UTC))
    except FeedError:
        return None


async def _parse(result: FetchResult) -> ParsedFeed | None:
    """The fetched feed parsed, None when it does not parse; a big one off the event loop."""
    return await off_loop(_parse_now, result, heavy=heavy_to_parse(result.content))


async def discover(resources: Resources, url: str) -> list[Found]:
    """Feeds at `url`: the URL itself when it is a feed, else those its page advertises (and
    the page itself when it holds an h-feed), else the usual paths. Each one must parse."""
    try:
        first = await resources.fetcher.fetch(
            url, max_bytes=min(MAX_FEED_BYTES, resources.settings.fetch_max_bytes), timeout=10.0
        )
    except FetchRefused:
        raise
    except (FetchFailed, TooLarge) as exc:
        raise Unprocessable(f"{NO_FEED} ({exc.message})") from None
    if not 200 <= first.status < 300:
        raise Unprocessable(f"{NO_FEED} (HTTP {first.status})")
    kind = sniff(first.content)
    if kind in ("xml", "json"):
        parsed = await _parse(first)
        return [Found(first.url, parsed, None)] if parsed else []
    if kind != "html":
        return []
    page = first.text
    found: list[Found] = []
    candidates = await off_loop(
        discovery.feed_links, page, url=first.url, link_header=first.headers.get("link", ""),
        heavy=heavy_to_parse(page),
    )  # fmt: skip
    own = await _parse(first)
    for candidate in candidates[: discovery.MAX_CANDIDATES]:
        result = await _get(resources, candidate.url)
        if result is not None and (parsed := await _parse(result)):
            found.append(Found(result.url, parsed, first.url))
    if own is not None:
        found.append(Found(first.url, own, first.url))
    if not found:
        for probe in discovery.probe_urls(first.url):
            result = await _get(resources, probe)
            if result is not None and sniff(result.content) in ("xml", "json"):
                parsed = await _parse(result)
                if parsed:
                    found.append(Found(result.url, parsed, first.url))
                    break
    unique: dict[str, Found] = {}
    for item in found:
        unique.setdefault(feed_key(item.feed_url), item)
    return list(unique.values())[: discovery.MAX_CANDIDATES]


async def _store(resources: Resources, found: list[Found], added_by: int | None) -> Added:
    summaries = [discovery.FeedSummary(f.feed_url, f.parsed.format, f.parsed.title) for f in found]
    main = found[discovery.choose_main(summaries) or 0]
    link = main.parsed.link or main.page_url or origin(main.feed_url) + "/"
    async with writes.write(resources) as tx:
        conn = tx.conn
        existing = await site_queries.find_site_by_key(conn, site_key(link))
        created = existing is None
        site_id = (
            existing["id"]
            if existing
            else await site_queries.insert_site(
                conn, link=link, link_key=site_key(link), added_by=added_by
            )
        )
        feed_ids = []
        for item in found:
            known = await feed_queries.find_feed_by_key(conn, feed_key(item.feed_url))
            if known is not None:
                feed_ids.append(known["id"])
                continue
            feed_id = await feed_queries.insert_feed(
                conn,
                site_id=site_id,
                feed_url=item.feed_url,
                feed_key=feed_key(item.feed_url),
                format=item.parsed.format,
                title=item.parsed.title,
            )
            feed_ids.append(feed_id)
            await stage_job(conn, POLL_FEED_JOB, str(feed_id), job_id=poll_feed_job_id(feed_id))
        if created:
            main_id = feed_ids[found.index(main)]
            await feed_queries.set_main_feed(conn, site_id, main_id)
            await site_queries.update_site_metadata(
                conn,
                site_id,
                title=main.parsed.title,
                description=main.parsed.description,
                icon=main.parsed.icon,
                language=main.parsed.language,
            )
    return Added(site_id, created, tuple(feed_ids))
