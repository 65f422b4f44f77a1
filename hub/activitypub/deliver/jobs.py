"""The jobs of `hub.activitypub.deliver` (listed by `hub.activitypub.jobs`): the fan-out of an
entry's change (`ap_fanout`, staged by `hub.core.entries.events`), one attempt of one
delivery (`deliver_activity`, staged by `hub.core.federation.outbox` and by its own retries),
and the sweep that queues again the deliveries whose job was lost."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from arq import Retry, cron

from hub.activitypub.deliver.fanout import fan_out
from hub.activitypub.deliver.sender import HostBusy, attempt_job_id, deliver
from hub.core.batches import open_batch, take_batch
from hub.core.entries.events import AP_FANOUT
from hub.core.federation import deliveries
from hub.core.federation.outbox import DELIVER_ACTIVITY
from hub.core.outages import is_outage
from hub.core.queue import enqueue_many

log = logging.getLogger("hub.activitypub")

SWEEP_GRACE = timedelta(minutes=10)  # a due attempt's job may wait this long in the queue
SWEEP_BATCH = 500
FANOUT_BATCH = 1000  # entries one fan-out run takes


async def ap_fanout(ctx: dict, entry_id: int) -> str:
    """Tell the followers of entries' channels what changed (Create, Update or Delete). A
    batched job (`hub.core.batches`, staged by the entries core's events hook): one run takes
    `entry_id` and every entry staged since the last run; entries of channels without
    followers, never told anything, cost one statement for the whole batch. The rows taken
    go when the run is done: an outage rolls them back for the retry."""
    resources = ctx["resources"]
    await open_batch(resources.redis, AP_FANOUT)
    told: dict[str, int] = {}
    first = [entry_id]
    while True:
        async with resources.pool.acquire() as conn, conn.transaction():
            taken = await take_batch(conn, AP_FANOUT, FANOUT_BATCH)
            ids = sorted({*first, *(args[0] for args in taken)})
            for one in await deliveries.entries_to_tell(conn, ids):
                outcome = await _fan_out_one(resources, one)
                told[outcome] = told.get(outcome, 0) + 1
        first = []
        if len(taken) < FANOUT_BATCH:  # the rest, if any, queued a run of their own
            break
    shown = {k: v for k, v in told.items() if k not in ("unchanged", "no_followers", "skipped")}
    return ", ".join(f"{v} {k}" for k, v in sorted(shown.items())) or "skipped"


async def _fan_out_one(resources, entry_id: int) -> str:
    """One entry's fan-out; a failure other than an outage is logged and that entry dropped,
    as a job failing for good is (an outage rolls the whole run back for its retry)."""
    try:
        return await fan_out(resources, entry_id)
    except Exception as exc:
        if is_outage(exc):
            raise
        log.exception("fan-out of entry %s failed: %s", entry_id, exc)
        return "failed"


async def deliver_activity(ctx: dict, delivery_id: int) -> str:
    """One attempt of one delivery; a busy inbox host defers it (no attempt is counted)."""
    try:
        attempt = await deliver(ctx["resources"], delivery_id)
    except HostBusy as busy:
        raise Retry(defer=max(1.0, busy.retry_in)) from None
    return attempt.outcome


async def sweep_ap_deliveries(ctx: dict) -> int:
    """Queue again the pending deliveries whose next attempt is long past (a lost job). The
    job id is the attempt's, so a job still queued or running is not doubled."""
    resources = ctx["resources"]
    cutoff = datetime.now(UTC) - SWEEP_GRACE
    async with resources.pool.acquire() as conn:
        due = await deliveries.due_deliveries(conn, cutoff, SWEEP_BATCH)
    jobs = [
        (DELIVER_ACTIVITY, [r["id"]], attempt_job_id(r["id"], r["attempts"] + 1), None) for r in due
    ]
    return await enqueue_many(resources.redis, jobs) if jobs else 0


FUNCTIONS = [ap_fanout, deliver_activity, sweep_ap_deliveries]
CRON_JOBS = [cron(sweep_ap_deliveries, minute=set(range(2, 60, 10)), second={35}, unique=True)]
