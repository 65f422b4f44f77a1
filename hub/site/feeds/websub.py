"""WebSub publish pings (webmention-site-feeds §4.6, R-W31): when `HUB_WEBSUB_HUB` names an
external hub, a change to an entry's public state POSTs `hub.mode=publish&hub.url=<topic>`
to it once per affected topic: the channel's three feeds without `lang` and per language the
entry has been public in, the same for each of its tags, and the channel home.

The job is batched (`hub.core.batches`, issue 20): the entry-change hook stages a row for it
2 s after the commit (`hub.core.entries.events`), and one run takes every entry whose row is
due and pings each affected topic once, so a burst of edits, or a stream of posts to one
channel, pings the channel's feeds once a run instead of 19 times a post, and each post's own
tag feeds are still pinged. A run queues the next one for the rows still waiting.

Every topic answers with `Link: <hub>; rel="hub", <topic>; rel="self"` in its HTTP headers
(WebSub §4) beside its discovery links: `link_values` is the one place the pages and the
feeds take them from, and `home_topic` says which page URL is a topic.

Every POST goes through `resources.fetcher`, `PING_LANES` at once. Any 2xx is success. The
topics are leased while they are pinged: the run takes the rows and stages its lease, a
`websub_ping` job of its topics that the sweep queues only if the run never ends it, in one
transaction; pings with none open; then ends the lease, waiting out an outage of PostgreSQL,
so a lost commit never makes a topic pinged twice (`tests/test_outages.py`). The topics that
failed stay as that `websub_ping` job, retried at 1 min, 10 min and 1 h (pings are
idempotent); then the failure is logged and dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from datetime import UTC, datetime

from arq import Retry
from arq.worker import func

from hub.core.batches import (
    LEASE_SECONDS,
    end_lease,
    hand_over,
    open_batch,
    release_mark,
    stage_lease,
    take_due_batch,
)
from hub.core.entries import published
from hub.core.entries.events import WEBSUB_PUBLISH
from hub.core.errors import FetchFailed, FetchRefused, TooLarge
from hub.core.retry import STANDARD_SCHEDULE, attempts_of, delay_after
from hub.site.public.links import FEED_TYPES, ChannelLinks

log = logging.getLogger("hub.websub")

RETRY_SCHEDULE = STANDARD_SCHEDULE[:3]  # 1 min, 10 min, 1 h; then logged and dropped
WEBSUB_PING = "websub_ping"  # the retry of a run's failed pings, or a dead run's lease
WEBSUB_BATCH = 5000  # entries one run takes (one run a second: more than a second of creates)
PING_LANES = 8  # pings a run makes at once


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


async def websub_publish(ctx: dict, entry_id: int | None = None) -> int:
    """Ping the hub once for every topic of every entry whose row is due (a batched job,
    staged by the entries core 2 s after a change); the number of topics pinged. `entry_id`,
    the one of the row the job was queued for, is among the rows the run takes, or another
    run took it (so no entry is pinged twice). The topics are leased
    (`hub.core.batches.stage_lease`) in the transaction that takes the rows, pinged with no
    transaction open, and the lease ended after: a topic is pinged again only by the retry of
    a failed ping, or when this run died mid-way."""
    resources = ctx["resources"]
    began = datetime.now(UTC)
    job_id = ctx.get("job_id")
    if job_id is None:  # run by hand: writes from now on queue a run of their own
        await open_batch(resources.redis, WEBSUB_PUBLISH)
    hub = resources.settings.websub_hub
    try:
        async with resources.pool.acquire() as conn, conn.transaction():
            taken, next_due = await take_due_batch(conn, WEBSUB_PUBLISH, WEBSUB_BATCH)
            ids = list(dict.fromkeys(args[0] for args in taken))
            wanted = await _topics_of(resources, conn, ids) if hub and ids else []
            lease = None
            if wanted:
                seconds = LEASE_SECONDS + 2 * len(wanted)  # a run's pings take far less
                lease = await stage_lease(conn, WEBSUB_PING, [wanted], seconds=seconds)
    except BaseException:
        with contextlib.suppress(Exception):  # writes queue runs of their own again
            await release_mark(resources.redis, WEBSUB_PUBLISH, job_id)
        raise
    # the run kept the batch's mark while it read (writes meanwhile queued no run): its
    # successor, one a second while posts keep coming, takes what they staged
    await hand_over(resources.redis, resources.pool, WEBSUB_PUBLISH, job_id, next_due,
                    began=began)  # fmt: skip
    if lease is None:
        return 0
    # shielded: a worker losing Redis cancels its jobs, and these pings must end with the lease
    return await asyncio.shield(_ping_leased(resources, hub, wanted, lease))


async def _ping_leased(resources, hub: str, wanted: list[str], lease: int) -> int:
    sent, unsent, failed = await _ping(resources, hub, wanted)
    retry_in = delay_after(1, RETRY_SCHEDULE) or 0
    await end_lease(resources.pool, resources.redis, lease,
                    retry=[unsent] if unsent else None, retry_in=retry_in)  # fmt: skip
    if failed:
        log.info("websub pings failed, retried in %s s: %s", retry_in, "; ".join(failed[:5]))
    return sent


async def websub_ping(ctx: dict, topics: list[str]) -> int:
    """Ping `topics`: the retry of those a `websub_publish` run could not ping (its second
    attempt and on, at 1 min, 10 min and 1 h, then logged and dropped), or a run's lease,
    queued by the sweep when the run died before ending it. The number pinged."""
    resources = ctx["resources"]
    hub = resources.settings.websub_hub
    if not hub:
        return 0
    sent, _, failed = await _ping(resources, hub, topics)
    if failed:
        delay = delay_after(ctx.get("job_try", 1) + 1, RETRY_SCHEDULE)  # the run was the first
        if delay is not None:
            raise Retry(defer=delay)
        log.warning("websub pings failed: %s", "; ".join(failed))
    return sent


async def _topics_of(resources, conn, entry_ids: list[int]) -> list[str]:
    """Every topic the changes of `entry_ids` affect, each once (public channels only)."""
    wanted: dict[str, None] = {}
    seen: set[tuple] = set()  # entries of one channel with the same tags share their topics
    for row in await published.websub_scopes(conn, entry_ids):
        scope = (row["slug"], row["custom_domain"], tuple(row["languages"]), tuple(row["tags"]))
        if row["status"] == "published" and scope not in seen:
            seen.add(scope)
            links = ChannelLinks(resources.urls, row["slug"], row["custom_domain"])
            wanted.update(dict.fromkeys(topics(links, row["languages"], row["tags"])))
    return list(wanted)


async def _ping(resources, hub: str, wanted: list[str]) -> tuple[int, list[str], list[str]]:
    """POST a publish ping for each topic, `PING_LANES` at once: how many went through, the
    topics that did not and why."""
    lanes = asyncio.Semaphore(PING_LANES)

    async def one(topic: str) -> str | None:
        async with lanes:
            try:
                answer = await resources.fetcher.fetch(
                    hub, method="POST", data={"hub.mode": "publish", "hub.url": topic}
                )
            except (FetchFailed, FetchRefused, TooLarge) as exc:
                return f"{topic}: {exc.message}"
        return None if 200 <= answer.status < 300 else f"{topic}: hub answered {answer.status}"

    errors = await asyncio.gather(*(one(topic) for topic in wanted))
    unsent = [t for t, error in zip(wanted, errors, strict=True) if error is not None]
    return len(wanted) - len(unsent), unsent, [e for e in errors if e is not None]


FUNCTIONS = [
    websub_publish,
    func(websub_ping, name=WEBSUB_PING, max_tries=attempts_of(RETRY_SCHEDULE) - 1),
]
CRON_JOBS: list = []
