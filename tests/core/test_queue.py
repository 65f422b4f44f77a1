import asyncio

from hub.core.queue import enqueue, flush_outbox, stage_job
from hub.worker import build_worker


async def test_job_staged_in_a_rolled_back_transaction_is_never_queued(db, resources):
    class Boom(Exception):
        pass

    try:
        async with db.acquire() as conn, conn.transaction():
            await stage_job(conn, "sweep_outbox")
            raise Boom
    except Boom:
        pass
    assert await flush_outbox(db, resources.redis) == 0
    assert await resources.redis.queued_jobs() == []


async def test_committed_job_is_queued_once_and_leaves_the_outbox(db, resources):
    async with db.acquire() as conn, conn.transaction():
        await stage_job(conn, "sweep_outbox", job_id="sweep:once")
    assert await flush_outbox(db, resources.redis) == 1
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 0
    assert [j.function for j in await resources.redis.queued_jobs()] == ["sweep_outbox"]
    assert await flush_outbox(db, resources.redis) == 0


async def test_same_job_id_is_not_queued_twice(db, resources):
    assert await enqueue(resources.redis, "sweep_outbox", job_id="poll_feed:1")
    assert not await enqueue(resources.redis, "sweep_outbox", job_id="poll_feed:1")


async def test_burst_worker_runs_queued_jobs(db, resources):
    async with db.acquire() as conn, conn.transaction():
        await stage_job(conn, "sweep_outbox")
    await enqueue(resources.redis, "sweep_outbox")
    worker = build_worker(resources, burst=True, poll_delay=0.05)
    try:
        await asyncio.wait_for(worker.main(), timeout=30)
    finally:
        await worker.close()
    assert worker.jobs_complete >= 1 and worker.jobs_failed == 0
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 0
