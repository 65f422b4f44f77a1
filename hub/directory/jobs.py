"""Jobs of the directory: feed polling, the due-feed scheduler, own entries, WebSub, webhook
delivery, clean-up."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

from arq import Retry, cron

from hub.core import metrics, writes
from hub.core.batches import open_batch, take_batch
from hub.core.entries.events import INDEX_OWN_ENTRY
from hub.core.errors import DomainError
from hub.core.job_runs import IDLE_RESULTS
from hub.core.outages import is_outage
from hub.core.queue import enqueue_many
from hub.directory import desk, own, service, webhooks, websub
from hub.directory.polling import batch as polling_batch
from hub.directory.polling import poller
from hub.directory.queries import feeds as feed_queries
from hub.directory.queries import own as own_queries
from hub.directory.queries import posts as post_queries
from hub.directory.queries import subscriptions as sub_queries
from hub.directory.urlnorm import feed_key

log = logging.getLogger("hub.directory")

SCHEDULE_BATCH = 500  # feeds claimed by one statement
SCHEDULE_MAX = 20_000  # feeds claimed by one tick of the scheduler
CLAIM_SECONDS = 15 * 60  # a claimed feed whose poll never ran is due again after this
POLL_BATCH = 16  # feeds polled by one `poll_feeds` job
POLL_LANES = 4  # fetches one `poll_feeds` job runs at once
KEEP_POSTS_PER_FEED = 2000
INDEX_BATCH = 500  # entries indexed in one transaction


async def poll_feed(ctx: dict, feed_id: str) -> str:
    """Poll one feed (job id `service.poll_feed_job_id`); a busy host defers it until its
    turn."""
    try:
        result = await poller.poll_feed(ctx["resources"], feed_id)
    except poller.HostBusy as busy:
        raise Retry(defer=max(1.0, busy.retry_in)) from None
    metrics.feed_polls.labels(result.outcome).inc()
    return result.outcome


async def index_own_entry(ctx: dict, entry_id: int) -> str:
    """Entries of this node changed: their posts in the directory follow. A batched job
    (`hub.core.batches`, staged by the entries core's events hook): one run indexes `entry_id`
    and every entry staged since the last run, `INDEX_BATCH` at a time, each batch in one
    transaction with the outbox rows it took."""
    resources = ctx["resources"]
    await open_batch(resources.redis, INDEX_OWN_ENTRY)
    done = own.Indexed()
    first = [entry_id]
    failed: list[int] = []
    while True:
        try:
            taken, result = await _index_batch(resources, first)
        except Exception as exc:
            if is_outage(exc):
                raise
            # one entry that cannot be indexed must not hold back the others: each on its own
            taken, result, bad = await _index_one_by_one(resources, first)
            failed += bad
        done.add(result)
        first = []
        if len(taken) < INDEX_BATCH:
            break
    if failed:
        raise IndexFailed(f"entries {failed} could not be indexed (the others were)")
    return done.outcome


class IndexFailed(Exception):
    """Entries of a run could not be indexed (each logged with its traceback)."""


async def _index_batch(resources, first: list[int]) -> tuple[list, own.Indexed]:
    async with writes.write(resources) as tx:
        await own_queries.lock_own_index(tx.conn)
        taken = await take_batch(tx.conn, INDEX_OWN_ENTRY, INDEX_BATCH)
        ids = first + [args[0] for args in taken]
        return taken, await own.index_entries(tx.conn, resources, ids)


async def _index_one_by_one(resources, first: list[int]) -> tuple[list, own.Indexed, list]:
    """The batch again, each entry under a savepoint of its own; those that fail are logged
    and dropped with their rows, as a job failing for good is."""
    done, bad = own.Indexed(), []
    async with writes.write(resources) as tx:
        await own_queries.lock_own_index(tx.conn)
        taken = await take_batch(tx.conn, INDEX_OWN_ENTRY, INDEX_BATCH)
        for one in dict.fromkeys(first + [args[0] for args in taken]):
            try:
                async with tx.conn.transaction():  # a savepoint
                    done.add(await own.index_entries(tx.conn, resources, [one]))
            except Exception as exc:
                if is_outage(exc):
                    raise
                log.exception("entry %r could not be indexed: %s", one, exc)
                bad.append(one)
    return taken, done, bad


async def websub_subscribe(ctx: dict, feed_id: str) -> str:
    return await websub.subscribe(ctx["resources"], feed_id)


async def renew_websub(ctx: dict) -> int:
    return await websub.renew_due(ctx["resources"])


async def poll_feeds(ctx: dict, feed_ids: list[str]) -> str:
    """Poll a batch of due feeds (queued by `schedule_due_feeds`), `POLL_LANES` at once; a
    feed whose host is busy gets a `poll_feed` job of its own, deferred until its turn."""
    resources = ctx["resources"]
    batch = await polling_batch.poll_feeds(resources, feed_ids, lanes=POLL_LANES)
    for result in batch.results:
        metrics.feed_polls.labels(result.outcome).inc()
    if batch.busy:
        now = datetime.now(UTC)
        await enqueue_many(
            resources.redis,
            [
                (service.POLL_FEED_JOB, [str(feed_id)], service.poll_feed_job_id(feed_id),
                 now + timedelta(seconds=max(1.0, retry_in)))
                for feed_id, retry_in in batch.busy
            ],
        )  # fmt: skip
    counts = Counter(result.outcome for result in batch.results)
    counts.update(busy=len(batch.busy), failed=len(batch.failed))
    if all(outcome in IDLE_RESULTS for outcome in +counts):
        return ""  # nothing new anywhere: no log line, as for a single idle poll
    return ", ".join(f"{outcome} {n}" for outcome, n in sorted((+counts).items()))


async def schedule_due_feeds(ctx: dict) -> int:
    """Claim the due feeds (up to `SCHEDULE_MAX` a tick, `SCHEDULE_BATCH` a statement) and
    queue their polls, `POLL_BATCH` feeds a `poll_feeds` job. A claimed feed is not due again
    before its poll sets its next time, or `CLAIM_SECONDS` if that poll never happens."""
    resources = ctx["resources"]
    queued = 0
    while queued < SCHEDULE_MAX:
        now = datetime.now(UTC)
        async with resources.pool.acquire() as conn, conn.transaction():
            due = await feed_queries.claim_due_feeds(
                conn, now, SCHEDULE_BATCH, now + timedelta(seconds=CLAIM_SECONDS)
            )
            ids = [str(feed_id) for feed_id in due]
            jobs = [
                (service.POLL_FEEDS_JOB, [ids[i : i + POLL_BATCH]], None, None)
                for i in range(0, len(ids), POLL_BATCH)
            ]
            if jobs:  # inside the transaction: a failed enqueue leaves the feeds due
                await enqueue_many(resources.redis, jobs)
        queued += len(due)
        if len(due) < SCHEDULE_BATCH:
            break
    return queued


async def import_subscription(ctx: dict, author_id: int, url: str) -> str:
    """One OPML outline: add its site (discovery) and follow the feed, or its main feed."""
    resources = ctx["resources"]
    try:
        added = await service.add_site(resources, url, added_by=author_id)
    except DomainError as exc:
        return f"skipped: {exc.message}"
    async with resources.pool.acquire() as conn, conn.transaction():
        known = await feed_queries.find_feed_by_key(conn, feed_key(url))
        feed_id = known["id"] if known else await sub_queries.main_feed_of(conn, added.site_id)
        if feed_id is None:
            return "skipped: no feed"
        await sub_queries.subscribe(conn, author_id, feed_id)
    return "subscribed"


async def discover_site(ctx: dict, submission_id: int) -> str:
    """A site the owner added from the dashboard: find its feeds (`desk.discover`)."""
    return await desk.discover(ctx["resources"], submission_id)


async def deliver_webhook(ctx: dict, delivery_id: str) -> str:
    return (await webhooks.deliver(ctx["resources"], delivery_id)).outcome


async def clean_webhook_deliveries(ctx: dict) -> int:
    return await webhooks.delete_old_deliveries(ctx["resources"].pool)


async def prune_posts(ctx: dict) -> int:
    """Each feed keeps its newest posts only (R-D26); older ones go nightly."""
    return await post_queries.prune_old_posts(ctx["resources"].pool, KEEP_POSTS_PER_FEED)


FUNCTIONS = [
    poll_feed,
    poll_feeds,
    index_own_entry,
    websub_subscribe,
    renew_websub,
    schedule_due_feeds,
    import_subscription,
    discover_site,
    deliver_webhook,
    clean_webhook_deliveries,
    prune_posts,
]
CRON_JOBS = [
    cron(schedule_due_feeds, second={0}, unique=True),
    cron(renew_websub, minute={7, 37}, second={30}, unique=True),
    cron(clean_webhook_deliveries, hour={3}, minute={17}, second={0}, unique=True),
    cron(prune_posts, hour={3}, minute={37}, second={0}, unique=True),
]
