"""Jobs, enqueued by name so that no module imports the code of the job it triggers.

`stage_job` writes a job into `job_outbox` inside the caller's transaction; `flush_outbox` hands
staged jobs to arq after the commit (and a cron sweep repeats it), so a rolled-back request never
leaves a job behind and a crash between commit and enqueue loses none.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg
from arq.connections import ArqRedis


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


async def stage_job(
    conn: asyncpg.Connection,
    function: str,
    *args: object,
    job_id: str | None = None,
    defer_until: datetime | None = None,
) -> None:
    """Record a job in the caller's transaction; it is queued by `flush_outbox` after commit.
    Arguments must be JSON values (ids, not objects)."""
    await conn.execute(
        "INSERT INTO job_outbox (function, args, job_id, defer_until) VALUES ($1, $2, $3, $4)",
        function,
        list(args),
        job_id,
        defer_until,
    )


async def flush_outbox(pool: asyncpg.Pool, redis: ArqRedis, *, limit: int = 500) -> int:
    """Queue staged jobs and delete them from the outbox; safe to run from many processes."""
    flushed = 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                """
                DELETE FROM job_outbox WHERE id IN (
                    SELECT id FROM job_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
                )
                RETURNING function, args, job_id, defer_until
                """,
                limit,
            )
            for row in rows:
                await enqueue(
                    redis,
                    row["function"],
                    *row["args"],
                    job_id=row["job_id"],
                    defer_until=row["defer_until"],
                )
        flushed += len(rows)
        if len(rows) < limit:
            return flushed
