"""Jobs, enqueued by name so that no module imports the code of the job it triggers.

A job that follows a write is staged in `job_outbox` in the write's transaction
(`stage_job`, `stage_jobs`, or inside a statement of the writer's own: `outbox_insert_sql`),
so a rolled-back write never leaves a job behind and a crash between commit and enqueue loses
none (docs/decisions/0003).

One way to queue such jobs after the commit: the writer *claims* them and queues them itself.
A claimed row has `sweep_after` in the future; right after the commit its job goes to Redis
through `queue_claimed` (`enqueue_many`: one round trip, shared by concurrent writers), and
the row is deleted in batches off the request path (`forget_staged`). The write unit
(`hub.core.writes`) opens `claiming()` around its transaction, so every job staged inside it,
however deep in the core, is claimed and queued that way; a writer that claims a row in one
statement of its own queues it with `enqueue_staged` (the same path, for one row).

`flush_outbox` is the sweep: it queues the rows whose `sweep_after` has passed, those whose
process died (or whose Redis call failed) after the commit, and the jobs of writers that do
not claim theirs yet. It runs from the `sweep_outbox` cron job (`hub.core.jobs`).
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

log = logging.getLogger("hub.queue")

SAFETY_NET_SECONDS = 60  # `sweep_after` of a row its stager queues itself
FORGET_BATCH_SECONDS = 0.05  # queued rows are deleted at most this often per pool


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
# skipped), for a whole batch in one atomic round trip instead of three round trips per job.
_ENQUEUE_MANY = """
local queued = 0
for i = 4, #ARGV, 4 do
    local id = ARGV[i]
    if redis.call('EXISTS', ARGV[2] .. id, ARGV[3] .. id) == 0 then
        redis.call('PSETEX', ARGV[2] .. id, ARGV[i + 1], ARGV[i + 3])
        redis.call('ZADD', ARGV[1], ARGV[i + 2], id)
        queued = queued + 1
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


async def queue_claimed(pool: asyncpg.Pool, redis: ArqRedis, claimed: Claimed) -> None:
    """Queue the jobs a committed `claiming()` block staged (one Redis call, shared with
    concurrent requests); their rows are deleted in batches afterwards. The one way jobs are
    queued after a commit."""
    if claimed:
        await _batcher(redis).queue_many(pool, claimed)


async def enqueue_many(redis: ArqRedis, jobs: list[StagedJob]) -> int:
    """Queue `jobs` in one round trip with `enqueue`'s rules; returns how many were new."""
    now = timestamp_ms()
    argv: list[Any] = [redis.default_queue_name, job_key_prefix, result_key_prefix]
    for function, args, job_id, defer_until in jobs:
        score = to_unix_ms(defer_until) if defer_until is not None else now
        expires = score - now + redis.expires_extra_ms
        payload = serialize_job(
            function, tuple(args), {}, None, now, serializer=redis.job_serializer
        )
        argv += [job_id or uuid4().hex, expires, score, payload]
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
    and delete its row; safe to run from many processes. A writer queues its own jobs by
    claiming them (`claiming()` / the write unit), not by calling this."""
    flushed = 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                """
                DELETE FROM job_outbox WHERE id IN (
                    SELECT id FROM job_outbox WHERE sweep_after <= now()
                    ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
                )
                RETURNING function, args, job_id, defer_until
                """,
                limit,
            )
            if rows:
                await enqueue_many(
                    redis, [(r["function"], r["args"], r["job_id"], r["defer_until"]) for r in rows]
                )
        flushed += len(rows)
        if len(rows) < limit:
            return flushed


class _Forgetter:
    """Deletes outbox rows whose jobs their stagers queued, many per statement, one statement
    at a time per pool, off the request path."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.ids: list[int] = []
        self.task: asyncio.Task[None] | None = None

    def add(self, outbox_id: int) -> None:
        self.ids.append(outbox_id)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._drain())
            _tasks.add(self.task)
            self.task.add_done_callback(_tasks.discard)

    async def _drain(self) -> None:
        while self.ids:
            await asyncio.sleep(FORGET_BATCH_SECONDS)  # let a burst's rows gather
            ids, self.ids = self.ids, []
            if self.pool.is_closing():  # shutting down: the sweep re-queues them, harmlessly
                log.info("%d queued outbox rows left to the sweep", len(ids))
                return
            try:
                await self.pool.execute("DELETE FROM job_outbox WHERE id = ANY($1::bigint[])", ids)
            except Exception:  # the rows stay: the sweep queues them again, a harmless re-run
                log.exception("could not delete %d queued outbox rows", len(ids))


_forgetters: dict[int, _Forgetter] = {}  # by id(pool): asyncpg pools take no weak references
_tasks: set[asyncio.Task[None]] = set()


def forget_staged(pool: asyncpg.Pool, outbox_id: int) -> None:
    """The job of outbox row `outbox_id` is queued: delete the row soon, in a batch."""
    forgetter = _forgetters.get(id(pool))
    if forgetter is None or forgetter.pool is not pool:
        for key, old in list(_forgetters.items()):
            if old.pool.is_closing():
                del _forgetters[key]
        forgetter = _forgetters[id(pool)] = _Forgetter(pool)
    forgetter.add(outbox_id)


class _Batcher:
    """Queues claimed jobs of concurrent requests together: whoever arrives while a batch is in
    flight joins the next one, so a burst costs one Redis call per batch, not per request."""

    def __init__(self, redis: ArqRedis) -> None:
        self.redis = redis
        self.pending: list[tuple[StagedJob, asyncpg.Pool, int, asyncio.Future[None]]] = []
        self.task: asyncio.Task[None] | None = None

    async def queue_many(self, pool: asyncpg.Pool, claimed: Claimed) -> None:
        done = asyncio.get_running_loop().create_future()
        for outbox_id, job in claimed:
            self.pending.append((job, pool, outbox_id, done))
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())
            _tasks.add(self.task)
            self.task.add_done_callback(_tasks.discard)
        await asyncio.shield(done)

    async def _run(self) -> None:
        while self.pending:
            await asyncio.sleep(0)  # let the requests of this loop turn join
            batch, self.pending = self.pending, []
            try:
                await enqueue_many(self.redis, [job for job, _, _, _ in batch])
            except Exception:  # committed: the sweep queues them once `sweep_after` passed
                log.exception(
                    "could not queue %d claimed jobs now; the outbox sweep will", len(batch)
                )
            else:
                for _, pool, outbox_id, _ in batch:
                    forget_staged(pool, outbox_id)
            for *_, done in batch:
                if not done.done():
                    done.set_result(None)


_batchers: dict[int, _Batcher] = {}  # by id(redis)


async def enqueue_staged(
    pool: asyncpg.Pool, redis: ArqRedis, outbox_id: int, job: StagedJob
) -> None:
    """`queue_claimed` for one row its writer claimed in a statement of its own, right after
    the commit; returns once the job is in Redis. A Redis failure is logged, not raised: the
    job is committed, and the sweep queues it once `sweep_after` has passed."""
    await queue_claimed(pool, redis, [(outbox_id, job)])


def _batcher(redis: ArqRedis) -> _Batcher:
    batcher = _batchers.get(id(redis))
    if batcher is None or batcher.redis is not redis:
        for key, old in list(_batchers.items()):  # clients gone since: idle batchers
            if not old.pending and (old.task is None or old.task.done()):
                del _batchers[key]
        batcher = _batchers[id(redis)] = _Batcher(redis)
    return batcher
