"""Batched jobs: one pending job for a stream of changes, whose run takes every change staged
since (issue 20: the follow-up work of a burst of creates).

A writer stages such a job as any other (an outbox row in its transaction, `hub.core.queue`)
with the job id `batch_job_id(function)`. Queuing it (`queue.enqueue_many`, after the commit
or by the sweep) sets a pending mark in Redis (`PENDING_KEY` + that id) and queues one job,
named after its row, only when no mark is set: a burst of writes queues one job, not one a
write. The job's run, first of all, clears the mark (`open_batch`) and then takes every row
staged for its function (`take_batch`, in the transaction of its work, so the rows go only
when the work commits). A write committed after the mark was cleared queues a job of its
own; one committed before is in the rows taken. So no change waits for a job that already
read past it, and none is lost: a row stays in the outbox until a run took it, and the sweep
queues its job again after the lease, as for every staged job (decision 0007). The mark
expires `PENDING_GRACE_MS` after the job was due, so a job Redis dropped holds nothing back
for long.

A batched job whose rows are deferred one by one (the webmention sends: each 30 s after its
change, so a burst of edits sends once) takes only the rows that are due (`take_due_batch`)
and queues the next run itself for the first row that is not (`queue_next_run`), at least
`NEXT_RUN_GAP` later, so a steady stream of changes is taken in runs of a second or more each,
each row soon after its time. The mark works as above for the first row of a quiet spell. A
run that holds its rows while slow work goes on (sends over the network) first takes one of a
few run slots (`take_run_slot`, a transaction-level advisory lock), so runs never pile up; a
run that finds them all taken queues itself a little later instead.

A run that takes rows of a stream that keeps some waiting all the time (the WebSub pings)
keeps its pending mark while it reads, and hands over at the end of its read
(`hand_over`, issue 20): it gives the mark up only if it still holds it (the mark names the
job that set it), then queues its successor for the rows still waiting, which sets the mark
again (or finds it taken by a write's job, which takes them). So writes committed while such
a run reads queue no job of their own (the successor reads after them): a stream of writes
makes a run a second, not a run and a write's job each time. A run that finds nothing waiting
looks once more after giving the mark up (a write may have committed meanwhile, seen the mark
and queued nothing), and a run that fails gives its mark up too. (A write that takes the mark
between the two steps of a hand-over queues the successor's work with its own delay: a
second or two for WebSub; the sends' 30 s would be too long, so they keep `queue_next_run`.)

A run whose work leaves the node and must not be done twice (WebSub pings) holds no
transaction while it works: it *leases* what it took (`stage_lease`, in the transaction that
takes the rows): one outbox row of an ordinary job that would redo that work, which the sweep
queues only once the lease is over. The run commits that, does the work, then ends the lease
(`end_lease`: the row deleted, or turned into a retry of what failed), waiting out an outage
of PostgreSQL. So a lost commit before the work leaves the rows taken by nobody (the next run
takes them), and one after it leaves only the lease, whose end is retried, never the work.
A run that dies mid-work is redone from its lease after `LEASE_SECONDS`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import asyncpg
from arq.connections import ArqRedis

from hub.core.outages import waiting_out_outages

log = logging.getLogger("hub.queue")

BATCH_PREFIX = "batch:"  # job ids of batched jobs: `batch:<function>`
PENDING_KEY = "hub:pending:"  # + the batch job id: set while a job of that batch waits
PENDING_GRACE_MS = 120_000  # a pending mark outlives its job's due time by this much
LEASE_PATIENCE = 60.0  # seconds the end of a lease waits for PostgreSQL to come back
NEXT_RUN_GAP = timedelta(seconds=1)  # a run queues the next one at least this far ahead
NEXT_KEY = ":next:"  # job ids of the runs a run queued: `<function>:next:<due, 100 ms>`


def batch_job_id(function: str) -> str:
    """The job id a writer stages a batched job `function` with."""
    return BATCH_PREFIX + function


def pending_key(job_id: str | None) -> str:
    """The pending mark of a staged job id ('' when the job is not batched)."""
    return PENDING_KEY + job_id if job_id and job_id.startswith(BATCH_PREFIX) else ""


async def open_batch(redis: ArqRedis, function: str) -> None:
    """At the start of a batched job's run, before it reads anything: writes from now on
    queue a job of their own."""
    await redis.delete(PENDING_KEY + batch_job_id(function))


async def take_batch(conn: asyncpg.Connection, function: str, limit: int) -> list[list[Any]]:
    """The arguments of up to `limit` rows staged for the batched job `function`, oldest
    first, deleted in the caller's transaction (they come back if it rolls back). Rows another
    run holds are skipped: that run does their work."""
    rows = await conn.fetch(
        """
        DELETE FROM job_outbox WHERE id IN (
            SELECT id FROM job_outbox WHERE job_id = $1
            ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
        ) RETURNING id, args
        """,
        batch_job_id(function),
        limit,
    )
    return [r["args"] for r in sorted(rows, key=lambda r: r["id"])]


# The rows of a batch that are due, oldest first: every row before the first one (by id) that
# is not due yet. Rows are staged in order with the same delay, so that is nearly all of the
# due ones (one a few milliseconds early waits for the next run), and the scan reads only the
# due rows, through `job_outbox_job_id_idx`, however many wait behind them. The statement also
# says when the first waiting row is due.
_TAKE_DUE = """
WITH waiting AS (
    SELECT id, defer_until FROM job_outbox
    WHERE job_id = $1 AND defer_until > now() + make_interval(secs => $3) ORDER BY id LIMIT 1
), taken AS (
    DELETE FROM job_outbox WHERE id IN (
        SELECT id FROM job_outbox
        WHERE job_id = $1 AND id < coalesce((SELECT id FROM waiting), 9223372036854775807)
        ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
    ) RETURNING id, args
)
SELECT id, args, NULL::timestamptz AS next_due FROM taken
UNION ALL SELECT NULL, NULL, defer_until FROM waiting
"""


async def take_due_batch(
    conn: asyncpg.Connection, function: str, limit: int, *, early: timedelta = NEXT_RUN_GAP
) -> tuple[list[list[Any]], datetime | None]:
    """`take_batch` for the rows that are due (or will be within `early`: they would wait for
    the next run otherwise): the arguments of up to `limit` of them, oldest first, deleted in
    the caller's transaction, and when the next run is due (now when rows were left over; when
    the first waiting row is due; None when none is left)."""
    rows = await conn.fetch(_TAKE_DUE, batch_job_id(function), limit, early.total_seconds())
    taken = sorted((r for r in rows if r["id"] is not None), key=lambda r: r["id"])
    waiting = [r["next_due"] for r in rows if r["id"] is None]
    next_due = waiting[0] if waiting else None
    if len(taken) >= limit:
        next_due = datetime.now(UTC)
    return [r["args"] for r in taken], next_due


_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# When the first row still staged for a batch is due (NULL when none is): rows that runs under
# way hold count too (their run may roll back), so this errs towards one run too many.
_FIRST_LEFT = """
SELECT coalesce(defer_until, now()) FROM job_outbox WHERE job_id = $1 ORDER BY id LIMIT 1
"""


async def release_mark(redis: ArqRedis, function: str, job_id: str | None) -> bool:
    """Give up the pending mark of the batched job `function` if the run `job_id` holds it
    (it was queued with it); whether it did."""
    if job_id is None:
        return False
    script = redis.register_script(_RELEASE)
    return bool(await script(keys=[PENDING_KEY + batch_job_id(function)], args=[job_id]))


async def hand_over(
    redis: ArqRedis,
    db: asyncpg.Connection | asyncpg.Pool,
    function: str,
    job_id: str | None,
    next_due: datetime | None,
    *,
    began: datetime,
) -> None:
    """The end of a run's read (see the module's docstring): the run `job_id` gives up the
    batch's pending mark if it holds it, then queues its successor as a write queues the
    batch's job (only while no job of the batch waits: the mark), due at `next_due`
    (`take_due_batch`), not before `NEXT_RUN_GAP` after this run `began`. With nothing
    waiting (`next_due` None) it looks once more, after giving the mark up, for rows staged
    since it read. A run without a job id (run by hand) gave the mark up as it began
    (`open_batch`)."""
    if job_id is not None and await release_mark(redis, function, job_id) and next_due is None:
        next_due = await db.fetchval(_FIRST_LEFT, batch_job_id(function))
    if next_due is None:
        return
    from hub.core.queue import enqueue_many  # the queue module imports this one

    due = max(next_due, began + NEXT_RUN_GAP)
    await enqueue_many(redis, [(function, [], batch_job_id(function), due)])


def next_run_job_id(function: str, due: datetime) -> str:
    """The id of a run queued for `due` (to 100 ms: two runs that see the same waiting row
    queue one)."""
    return f"{function}{NEXT_KEY}{int(due.timestamp() * 10)}"


async def queue_next_run(
    redis: ArqRedis, function: str, due: datetime | None, *, began: datetime
) -> None:
    """Queue the run of `function` that takes the rows still waiting (see `take_due_batch`):
    at `due`, but not before `NEXT_RUN_GAP` after this run `began`. Nothing when `due` is
    None."""
    if due is None:
        return
    from hub.core.queue import enqueue_many  # the queue module imports this one

    due = max(due, began + NEXT_RUN_GAP)
    await enqueue_many(redis, [(function, [], next_run_job_id(function, due), due)])


async def take_run_slot(conn: asyncpg.Connection, function: str, slots: int) -> bool:
    """Take one of the `slots` run slots of the batched job `function` until the end of the
    caller's transaction; False when every slot is taken (by runs under way elsewhere)."""
    taken = await conn.fetchval(
        "SELECT s FROM generate_series(0, $2 - 1) s"
        " WHERE pg_try_advisory_xact_lock(hashtext($1), s) LIMIT 1",
        BATCH_PREFIX + function,
        slots,
    )
    return taken is not None


LEASE_SECONDS = 120  # a lease's job is queued by the sweep once this is over (a run takes seconds)


async def stage_lease(
    conn: asyncpg.Connection, function: str, args: list[Any], *, seconds: int = LEASE_SECONDS
) -> int:
    """Stage, in the caller's transaction, the job `function(*args)` that redoes a run's work
    if the run does not end its lease (`end_lease`) within `seconds`; the row's id."""
    return await conn.fetchval(
        "INSERT INTO job_outbox (function, args, job_id, sweep_after)"
        " VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING id",
        function,
        args,
        f"{function}:lease:{uuid4().hex}",
        seconds,
    )


async def end_lease(
    pool: asyncpg.Pool, redis: ArqRedis, lease_id: int, *,
    retry: list[Any] | None = None, retry_in: float = 0,
) -> None:  # fmt: skip
    """The run is done with its lease: the row goes, or, with `retry`, stays as that job
    (`function(*retry)`) queued `retry_in` seconds from now. PostgreSQL going away just then
    is waited out for `LEASE_PATIENCE` seconds (the work must not be done again); after that
    the lease's job redoes it."""
    try:
        row = await waiting_out_outages(
            lambda: _end_lease(pool, lease_id, retry, retry_in), patience=LEASE_PATIENCE
        )
    except Exception as exc:
        log.warning("could not end lease %s (%s: %s); its job will redo the work",
                    lease_id, type(exc).__name__, exc)  # fmt: skip
        return
    if row is not None:
        from hub.core.queue import enqueue_many  # the queue module imports this one

        job = (row["function"], list(retry or []), row["job_id"], row["defer_until"])
        try:
            await enqueue_many(redis, [job], [lease_id])
        except Exception as exc:  # committed: the sweep queues it
            log.warning("retry %s not queued now (%s); the sweep will", lease_id, exc)


async def _end_lease(
    pool: asyncpg.Pool, lease_id: int, retry: list[Any] | None, retry_in: float
) -> asyncpg.Record | None:
    if not retry:
        await pool.execute("DELETE FROM job_outbox WHERE id = $1", lease_id)
        return None
    return await pool.fetchrow(
        "UPDATE job_outbox SET args = $2,"
        " defer_until = now() + make_interval(secs => $3),"
        " sweep_after = now() + make_interval(secs => $3 + $4)"
        " WHERE id = $1 RETURNING function, job_id, defer_until",
        lease_id,
        retry,
        retry_in,
        LEASE_SECONDS,
    )
