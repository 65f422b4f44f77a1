"""Jobs, enqueued by name so that no module imports the code of the job it triggers.

A job that follows a write is staged in `job_outbox` in the write's transaction
(`stage_job`, `stage_jobs`, or inside a statement of the writer's own: `outbox_insert_sql`),
so a rolled-back write never leaves a job behind and a crash between commit and enqueue loses
none (docs/decisions/0003).

One way to queue such jobs after the commit: the writer *claims* them and queues them itself.
A claimed row has `sweep_after` in the future; right after the commit its job goes to Redis
through `queue_claimed` (`enqueue_many`: one round trip, shared by concurrent writers). The
write unit (`hub.core.writes`) opens `claiming()` around its transaction, so every job staged
inside it, however deep in the core, is claimed and queued that way; a writer that claims a
row in one statement of its own queues it with `enqueue_staged` (the same path, for one row).

A row stays until its job is done with it: each job queued from the outbox carries its row's
id (`OUTBOX_KWARG`), and the worker deletes the row when the job succeeds or fails for good
(`job_done`, called by `hub.core.job_runs`). A batched job's rows (`hub.core.batches`) go
only with the run that takes them, so its jobs carry none: a run that found its row held by
another run, which then rolled back, must not delete it. So a job that Redis lost (an
outage, a restart without persistence) or that failed through an outage is queued again.

`flush_outbox` is the sweep: it queues the rows whose `sweep_after` has passed (those whose
process died or whose Redis call failed after the commit, those whose job has not finished
within `LEASE_SECONDS`, and the jobs of writers that do not claim theirs) and moves their
`sweep_after` a lease ahead. Queuing a job whose id is still queued or running is a no-op,
so a slow job is not run twice. It runs from the `sweep_outbox` cron job (`hub.core.jobs`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import datetime
from typing import Any
from uuid import uuid4

import asyncpg
import orjson
from arq.connections import ArqRedis
from arq.constants import job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms, to_unix_ms

from hub.core.batches import PENDING_GRACE_MS, pending_key

log = logging.getLogger("hub.queue")

SAFETY_NET_SECONDS = 60  # `sweep_after` of a row its stager queues itself
LEASE_SECONDS = 120  # a swept row is queued again after this if its job has not finished
OUTBOX_KWARG = "_outbox"  # the job's keyword argument naming its outbox row


async def enqueue(
    redis: ArqRedis,
    function: str,
    *args: object,
    job_id: str | None = None,
    defer_until: datetime | None = None,
) -> bool:
    """Queue `function(*args)` now; False when a job with `job_id` is already queued or running."""
    job = await redis.enqueue_job(function, *args, _job_id=job_id, _defer_until=defer_until)
    return job is not None


# Queues jobs as arq's `enqueue_job` does (a job whose id is queued, running or has a result is
# skipped), for a whole batch in one atomic round trip instead of three round trips per job. A
# batched job (`hub.core.batches`) carries its pending mark: it is queued only when it sets it.
_ENQUEUE_MANY = """
local queued = 0
for i = 4, #ARGV, 6 do
    local id = ARGV[i]
    local mark = ARGV[i + 4]
    if mark == '' or redis.call('SET', mark, id, 'NX', 'PX', ARGV[i + 5]) then
        if redis.call('EXISTS', ARGV[2] .. id, ARGV[3] .. id) == 0 then
            redis.call('PSETEX', ARGV[2] .. id, ARGV[i + 1], ARGV[i + 3])
            redis.call('ZADD', ARGV[1], ARGV[i + 2], id)
            queued = queued + 1
        end
    end
end
return queued
"""

StagedJob = tuple[str, list[Any], str | None, datetime | None]  # function, args, job_id, defer
Claimed = list[tuple[int, StagedJob]]  # (outbox row id, job) staged inside `claiming()`
_claimed: ContextVar[Claimed | None] = ContextVar("hub_claimed_jobs", default=None)


@contextlib.contextmanager
def claiming() -> Iterator[Claimed]:
    """Inside this block `stage_job` and `stage_jobs` stage claimed rows (queued by their
    stager, `sweep_after` in the future) and list them here; after the commit the caller
    passes the list to `queue_claimed`. On a rollback the list is simply dropped."""
    claimed: Claimed = []
    token = _claimed.set(claimed)
    try:
        yield claimed
    finally:
        _claimed.reset(token)


async def queue_claimed(redis: ArqRedis, claimed: Claimed) -> None:
    """Queue the jobs a committed `claiming()` block staged (one Redis call, shared with
    concurrent requests); their rows are deleted in batches afterwards. The one way jobs are
    queued after a commit."""
    if claimed:
        await _batcher(redis).queue_many(claimed)


async def enqueue_many(
    redis: ArqRedis, jobs: list[StagedJob], outbox_ids: list[int] | None = None
) -> int:
    """Queue `jobs` in one round trip with `enqueue`'s rules; returns how many were new. With
    `outbox_ids` (the rows the jobs were staged in), each job names its row, for the worker to
    delete once the job is done, and a job without an id of its own is named after its row (so
    queuing it again while it waits or runs is a no-op)."""
    now = timestamp_ms()
    argv: list[Any] = [redis.default_queue_name, job_key_prefix, result_key_prefix]
    rows = outbox_ids if outbox_ids is not None else [None] * len(jobs)
    for (function, args, job_id, defer_until), row in zip(jobs, rows, strict=True):
        score = to_unix_ms(defer_until) if defer_until is not None else now
        expires = score - now + redis.expires_extra_ms
        mark = pending_key(job_id)
        # a batched job's rows go only with the run that takes them (`hub.core.batches`)
        kwargs = {} if row is None or mark else {OUTBOX_KWARG: row}
        payload = serialize_job(
            function, tuple(args), kwargs, None, now, serializer=redis.job_serializer
        )
        if mark:  # one job for the batch, named after its row (`hub.core.batches`)
            job_id = f"{job_id}:{row or uuid4().hex}"
        job_id = job_id or (f"outbox:{row}" if row is not None else uuid4().hex)
        argv += [job_id, expires, score, payload, mark, max(score - now, 0) + PENDING_GRACE_MS]
    script = redis.register_script(_ENQUEUE_MANY)  # EVALSHA, loading the script when missing
    return int(await script(keys=[], args=argv))


async def stage_job(
    conn: asyncpg.Connection,
    function: str,
    *args: object,
    job_id: str | None = None,
    defer_until: datetime | None = None,
    claimed: bool = False,
) -> int:
    """Record a job in the caller's transaction. Arguments must be JSON values (ids, not
    objects). Inside `claiming()` (the write unit) the job is claimed and listed there, to be
    queued right after the commit; with `claimed`, the caller queues it itself after the
    commit (`enqueue_staged`); either way the sweep leaves the row alone for
    `SAFETY_NET_SECONDS`. Otherwise `flush_outbox` queues it. Returns the outbox row's id."""
    scope = _claimed.get()
    outbox_id = await conn.fetchval(
        "INSERT INTO job_outbox (function, args, job_id, defer_until, sweep_after)"
        " VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING id",
        function,
        list(args),
        job_id,
        defer_until,
        SAFETY_NET_SECONDS if claimed or scope is not None else 0,
    )
    if scope is not None and not claimed:
        scope.append((outbox_id, (function, list(args), job_id, defer_until)))
    return outbox_id


async def stage_jobs(conn: asyncpg.Connection, jobs: list[StagedJob]) -> None:
    """`stage_job` for several jobs in one statement (same rules: claimed inside
    `claiming()`, else left to `flush_outbox`)."""
    if not jobs:
        return
    rows = await conn.fetch(outbox_insert_sql(1), *outbox_params(jobs))
    note_staged([r["id"] for r in rows], jobs)


def outbox_insert_sql(first: int, *, only_if: str = "true") -> str:
    """The INSERT that stages jobs, for a writer that stages them inside a statement of its
    own (as a data-modifying CTE): its parameters are `outbox_params(jobs)`, numbered from
    `first`; it returns the rows' ids. The writer passes them to `note_staged` afterwards.
    `only_if` (SQL from code) stages them only when it holds, e.g. when a sibling CTE wrote."""
    f, a, j, d, delay = (f"${first + i}" for i in range(5))
    return (
        "INSERT INTO job_outbox (function, args, job_id, defer_until, sweep_after)"  # noqa: S608
        f" SELECT f, a::jsonb, j, d, now() + make_interval(secs => {delay})"
        f" FROM unnest({f}::text[], {a}::text[], {j}::text[], {d}::timestamptz[])"
        "      WITH ORDINALITY AS t(f, a, j, d, n)"
        f" WHERE {only_if} ORDER BY n RETURNING id"
    )


def outbox_params(jobs: list[StagedJob]) -> list[Any]:
    functions, args, job_ids, defers = (list(column) for column in zip(*jobs, strict=True))
    delay = 0 if _claimed.get() is None else SAFETY_NET_SECONDS
    # args as JSON text: a list of lists would read as a second array dimension
    return [functions, [orjson.dumps(list(a)).decode() for a in args], job_ids, defers, delay]


def note_staged(ids: list[int], jobs: list[StagedJob]) -> None:
    """Inside `claiming()`, list the staged rows for the writer to queue after its commit."""
    scope = _claimed.get()
    if scope is not None:
        scope += zip(ids, jobs, strict=True)


async def flush_outbox(pool: asyncpg.Pool, redis: ArqRedis, *, limit: int = 500) -> int:
    """The sweep: queue every staged job whose `sweep_after` has passed, whoever staged it,
    and move its `sweep_after` a lease past the job's time; safe to run from many processes.
    The row stays until the job is done (`job_done`). A writer queues its own jobs by claiming
    them (`claiming()` / the write unit), not by calling this."""
    flushed = 0
    after = 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                """
                UPDATE job_outbox o
                SET sweep_after = greatest(now(), o.defer_until) + make_interval(secs => $3)
                WHERE o.id IN (
                    SELECT id FROM job_outbox WHERE sweep_after <= now() AND id > $2
                    ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
                )
                RETURNING o.id, o.function, o.args, o.job_id, o.defer_until
                """,
                limit,
                after,
                LEASE_SECONDS,
            )
            if rows:
                rows = sorted(rows, key=lambda r: r["id"])
                await enqueue_many(
                    redis,
                    [(r["function"], r["args"], r["job_id"], r["defer_until"]) for r in rows],
                    [r["id"] for r in rows],
                )
        flushed += len(rows)
        if len(rows) < limit:
            return flushed
        after = rows[-1]["id"]


async def job_done(pool: asyncpg.Pool, outbox_id: int, job_id: str | None) -> None:
    """The job queued from outbox row `outbox_id` is done with it: delete the row, and the
    rows staged before it for the same job id (that job's run covered them; their own queuing
    found it already waiting)."""
    await pool.execute(
        "DELETE FROM job_outbox WHERE id = $1 OR (job_id = $2 AND id < $1)", outbox_id, job_id
    )


_tasks: set[asyncio.Task[None]] = set()


class _Batcher:
    """Queues claimed jobs of concurrent requests together: whoever arrives while a batch is in
    flight joins the next one, so a burst costs one Redis call per batch, not per request."""

    def __init__(self, redis: ArqRedis) -> None:
        self.redis = redis
        self.pending: list[tuple[StagedJob, int, asyncio.Future[None]]] = []
        self.task: asyncio.Task[None] | None = None

    async def queue_many(self, claimed: Claimed) -> None:
        loop = asyncio.get_running_loop()
        done = loop.create_future()  # this caller's own: cancelling it leaves the batch alone
        for outbox_id, job in claimed:
            self.pending.append((job, outbox_id, done))
        if self.task is None or self.task.done():
            self.task = loop.create_task(self._run())
            _tasks.add(self.task)
            self.task.add_done_callback(_tasks.discard)
        await done

    async def _run(self) -> None:
        while self.pending:
            await asyncio.sleep(0)  # let the requests of this loop turn join
            batch, self.pending = self.pending, []
            try:
                await enqueue_many(
                    self.redis, [job for job, _, _ in batch], [r for _, r, _ in batch]
                )
            except Exception as exc:  # committed: the sweep queues them once `sweep_after` passed
                log.warning(
                    "could not queue %d claimed jobs now (%s: %s); the outbox sweep will",
                    len(batch), type(exc).__name__, exc,
                )  # fmt: skip
            for *_, done in batch:
                if not done.done():
                    done.set_result(None)


_batchers: dict[int, _Batcher] = {}  # by id(redis)


async def enqueue_staged(redis: ArqRedis, outbox_id: int, job: StagedJob) -> None:
    """`queue_claimed` for one row its writer claimed in a statement of its own, right after
    the commit; returns once the job is in Redis. A Redis failure is logged, not raised: the
    job is committed, and the sweep queues it once `sweep_after` has passed."""
    await queue_claimed(redis, [(outbox_id, job)])


def _batcher(redis: ArqRedis) -> _Batcher:
    batcher = _batchers.get(id(redis))
    if batcher is None or batcher.redis is not redis:
        for key, old in list(_batchers.items()):  # clients gone since: idle batchers
            if not old.pending and (old.task is None or old.task.done()):
                del _batchers[key]
        batcher = _batchers[id(redis)] = _Batcher(redis)
    return batcher
