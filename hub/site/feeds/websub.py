"""WebSub publish pings (webmention-site-feeds §4.6, R-W31): when `HUB_WEBSUB_HUB` names an
external hub, a change to an entry's public state POSTs `hub.mode=publish&hub.url=<topic>`
to it once per affected topic: the channel's three feeds without `lang` and per language the
entry has been public in, the same for each of its tags, and the channel home.

The job takes an entry id and is staged by the entry-change hook (`hub.core.entries.events`,
job id `websub_publish:{entry_id}`, 2 s after the commit: a burst of edits pings once).

Every topic answers with `Link: <hub>; rel="hub", <topic>; rel="self"` in its HTTP headers
(WebSub §4) beside its discovery links: `link_values` is the one place the pages and the
feeds take them from, and `home_topic` says which page URL is a topic.

Every POST goes through `resources.fetcher`. Any 2xx is success; if a topic fails, the whole
job is retried at 1 min, 10 min and 1 h (pings are idempotent), then the failure is logged
and dropped.

Pings are coalesced per topic (issue 20): every ping records when it began in Redis
(`PINGED_KEY` + topic, for a minute), and a job skips a topic whose last ping began after the
job was queued (the change had committed by then, so the hub's fetch after that ping sees it).
A stream of posts to one channel pings its feeds about once per `websub_publish` delay (2 s)
instead of 19 times a post; each post's own tag feeds are still pinged. A failed ping removes
its record, so a later job (or the retry) pings that topic again. Without Redis's record (lost,
expired) the topic is simply pinged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import datetime

from arq import Retry

from hub.core.entries import published
from hub.core.errors import FetchFailed, FetchRefused, TooLarge
from hub.core.retry import STANDARD_SCHEDULE, delay_after
from hub.site.public.links import FEED_TYPES, ChannelLinks

log = logging.getLogger("hub.websub")

RETRY_SCHEDULE = STANDARD_SCHEDULE[:3]  # 1 min, 10 min, 1 h; then logged and dropped
PINGED_KEY = "hub:websub:pinged:"  # + topic URL: when its last ping began, ms since the epoch
PINGED_FOR_MS = 60_000  # how long that is remembered (a job runs 2 s after its change)
CLOCK_SLACK_MS = 500  # the job's queue time comes from another process's clock


def link_values(hub: str | None, topic: str | None) -> list[tuple[str, str]]:
    """The WebSub (rel, URL) pairs a topic's answer carries; none without a hub or a topic.
    `topic` must be exactly the URL `topics` pings."""
    if not hub or not topic:
        return []
    return [("hub", hub), ("self", topic)]


def home_topic(links: ChannelLinks, *, language: str | None, tag: str | None,
               paged: bool) -> str | None:  # fmt: skip
    """The topic URL of a channel page, or None when the page is not a topic: only the
    channel home itself (no tag, language or `before=`) is pinged; feeds cover the rest."""
    if language is not None or tag is not None or paged:
        return None
    return links.home()


def topics(links: ChannelLinks, languages: Iterable[str], tags: Iterable[str]) -> list[str]:
    """Every topic URL an entry change affects, each once, in a stable order."""
    scopes = [None, *tags]
    variants = [None, *languages]
    found = [
        links.feed(kind, tag=tag, language=language)
        for tag in scopes
        for language in variants
        for kind in FEED_TYPES
    ]
    found.append(links.home())
    return list(dict.fromkeys(found))


async def websub_publish(ctx: dict, entry_id: int) -> int:
    """Ping the hub for every topic of `entry_id` not pinged since the job was queued; the
    number of topics pinged."""
    resources = ctx["resources"]
    hub = resources.settings.websub_hub
    if not hub:
        return 0
    row = await published.websub_scope(resources.pool, entry_id)
    if row is None or row["status"] != "published":
        return 0
    links = ChannelLinks(resources.urls, row["slug"], row["custom_domain"])
    wanted = topics(links, row["languages"], row["tags"])
    due = await _not_pinged_since(resources.redis, wanted, ctx.get("enqueue_time"))
    began = await _mark_pinged(resources.redis, due)
    failed: list[str] = []
    unsent: list[str] = []
    sent = 0
    for topic in due:
        try:
            answer = await resources.fetcher.fetch(
                hub, method="POST", data={"hub.mode": "publish", "hub.url": topic}
            )
        except (FetchFailed, FetchRefused, TooLarge) as exc:
            failed.append(f"{topic}: {exc.message}")
            unsent.append(topic)
            continue
        if 200 <= answer.status < 300:
            sent += 1
        else:
            failed.append(f"{topic}: hub answered {answer.status}")
            unsent.append(topic)
    if failed:
        await _unmark_pinged(resources.redis, unsent, began)
        delay = delay_after(ctx.get("job_try", 1), RETRY_SCHEDULE)
        if delay is not None:
            raise Retry(defer=delay)
        log.warning("websub pings for entry %s failed: %s", entry_id, "; ".join(failed))
    return sent


async def _not_pinged_since(redis, wanted: list[str], queued: datetime | None) -> list[str]:
    """The topics whose last ping began before the job was queued (all of them when the
    job's queue time is unknown, as in a direct call)."""
    if queued is None or not wanted:
        return wanted
    since = int(queued.timestamp() * 1000) + CLOCK_SLACK_MS
    began = await redis.mget([PINGED_KEY + topic for topic in wanted])
    return [t for t, at in zip(wanted, began, strict=True) if at is None or int(at) <= since]


async def _mark_pinged(redis, due: list[str]) -> int:
    """Record that a ping of each of `due` begins now; the time recorded."""
    now = int(time.time() * 1000)
    if due:
        async with redis.pipeline(transaction=False) as pipe:
            for topic in due:
                pipe.set(PINGED_KEY + topic, now, px=PINGED_FOR_MS)
            await pipe.execute()
    return now


async def _unmark_pinged(redis, unsent: list[str], began: int) -> None:
    """Forget the pings of `unsent` that this job recorded (a later one stays)."""
    for topic in unsent:
        await redis.eval(_FORGET, 1, PINGED_KEY + topic, began)


_FORGET = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


FUNCTIONS = [websub_publish]
CRON_JOBS: list = []
