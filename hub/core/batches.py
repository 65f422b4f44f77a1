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
"""

from __future__ import annotations

from typing import Any

import asyncpg
from arq.connections import ArqRedis

BATCH_PREFIX = "batch:"  # job ids of batched jobs: `batch:<function>`
PENDING_KEY = "hub:pending:"  # + the batch job id: set while a job of that batch waits
PENDING_GRACE_MS = 120_000  # a pending mark outlives its job's due time by this much


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
