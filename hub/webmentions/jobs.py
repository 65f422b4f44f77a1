"""Jobs of webmentions: verify a received mention, plan an entry's sends, deliver one send, and
the sweep that re-queues work whose queued job was lost (Redis holds no state we need).

Ids in, enqueued by name with deterministic job ids (`verify_webmention:{id}`,
`send_webmention:{send_id}`: a send's retries, its first attempt is made by the batched
`send_webmentions`, `hub.core.batches`); transient failures raise
`Retry(defer=...)` on the schedules of webmention-site-feeds.md §1.5 and §2.4 (steps of
`hub.core.retry.STANDARD_SCHEDULE`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from arq import Retry, cron
from arq.worker import func

from hub.core import metrics
from hub.core.queue import enqueue
from hub.core.retry import attempts_of
from hub.core.webmentions import queries as q
from hub.core.webmentions import sends as sq
from hub.webmentions.receive import VERIFY_JOB, verify_job_id
from hub.webmentions.send.batch import send_due
from hub.webmentions.send.sender import RETRY_SCHEDULE as SEND_SCHEDULE
from hub.webmentions.send.sender import SEND_JOB, send_job_id, send_one
from hub.webmentions.verify.verifier import RETRY_SCHEDULE as VERIFY_SCHEDULE
from hub.webmentions.verify.verifier import verify

SWEEP_GRACE = timedelta(minutes=5)
SWEEP_BATCH = 500


async def verify_webmention(ctx: dict, mention_id: str) -> str:
    outcome = await verify(ctx["resources"], mention_id, attempt=ctx.get("job_try", 1))
    if outcome.retry_in is not None:
        raise Retry(defer=outcome.retry_in)
    metrics.webmentions_verified.labels(outcome.status).inc()
    return outcome.status


async def send_webmentions(ctx: dict, entry_id: int | None = None) -> str:
    """The webmentions of every entry whose change is due (a batched job, staged by
    `hub.core.entries.events`; `hub.webmentions.send.batch`). `entry_id`, the one of the row
    the job was queued for, is among the rows the run takes, or another run took it. The
    run's one log line says how its sends went (`2 sent`, `1 sent, 1 pending`); each send's
    own is at DEBUG."""
    outcomes = await send_due(ctx["resources"])
    return ", ".join(f"{n} {status}" for status, n in sorted(outcomes.items()))


async def send_webmention(ctx: dict, send_id: int) -> str:
    delivery = await send_one(ctx["resources"], send_id, attempt=ctx.get("job_try", 1))
    if delivery is None:
        return "skipped"
    if delivery.retry_in is not None:
        raise Retry(defer=delivery.retry_in)
    metrics.webmentions_sent.labels(delivery.status).inc()
    return delivery.status


async def sweep_webmentions(ctx: dict) -> int:
    """Queue again the verifications and sends whose time is long past (a lost job)."""
    resources = ctx["resources"]
    cutoff = datetime.now(UTC) - SWEEP_GRACE
    async with resources.pool.acquire() as conn:
        mentions = await q.list_due_verifications(conn, cutoff, SWEEP_BATCH)
        sends = await sq.list_due_sends(conn, cutoff, SWEEP_BATCH)
    for mention_id in mentions:
        await enqueue(resources.redis, VERIFY_JOB, mention_id, job_id=verify_job_id(mention_id))
    for send_id in sends:
        await enqueue(resources.redis, SEND_JOB, send_id, job_id=send_job_id(send_id))
    return len(mentions) + len(sends)


FUNCTIONS = [
    func(verify_webmention, name="verify_webmention", max_tries=attempts_of(VERIFY_SCHEDULE)),
    send_webmentions,
    func(send_webmention, name="send_webmention", max_tries=attempts_of(SEND_SCHEDULE)),
    sweep_webmentions,
]
CRON_JOBS = [cron(sweep_webmentions, minute=set(range(0, 60, 10)), second={5}, unique=True)]
