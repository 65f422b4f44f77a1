"""The jobs of `hub.activitypub.deliver` (listed by `hub.activitypub.jobs`): the fan-out of an
entry's change (`ap_fanout`, staged by `hub.core.entries.events`), one attempt of one
delivery (`deliver_activity`, staged by `hub.core.federation.outbox` and by its own retries),
and the sweep that queues again the deliveries whose job was lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from arq import Retry, cron

from hub.activitypub.deliver.fanout import fan_out
from hub.activitypub.deliver.sender import HostBusy, attempt_job_id, deliver
from hub.core.federation import deliveries
from hub.core.federation.outbox import DELIVER_ACTIVITY
from hub.core.queue import enqueue_many

SWEEP_GRACE = timedelta(minutes=10)  # a due attempt's job may wait this long in the queue
SWEEP_BATCH = 500


async def ap_fanout(ctx: dict, entry_id: int) -> str:
    """Tell the followers of an entry's channel what changed (Create, Update or Delete)."""
    return await fan_out(ctx["resources"], entry_id)


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
