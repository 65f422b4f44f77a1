import asyncio

from hub.core.queue import claiming, enqueue, flush_outbox, queue_claimed, stage_job, stage_jobs
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


async def test_jobs_staged_while_claiming_are_queued_by_their_writer_not_by_a_flush(db, resources):
    with claiming() as claimed:
        async with db.acquire() as conn, conn.transaction():
            await stage_job(conn, "sweep_outbox", job_id="claimed:one")
            await stage_jobs(conn, [("sweep_outbox", [1], "claimed:two", None),
                                    ("sweep_outbox", [2], "claimed:three", None)])  # fmt: skip
    assert [job[2] for _, job in claimed] == ["claimed:one", "claimed:two", "claimed:three"]
    assert await flush_outbox(db, resources.redis) == 0  # a flush leaves them to their writer
    await queue_claimed(db, resources.redis, claimed)
    queued = {j.job_id for j in await resources.redis.queued_jobs()}
    assert queued == {"claimed:one", "claimed:two", "claimed:three"}
    for _ in range(100):  # the rows are forgotten in a batch shortly after
        if not await db.fetchval("SELECT count(*) FROM job_outbox"):
            break
        await asyncio.sleep(0.02)
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 0


async def test_claimed_rows_of_a_writer_that_died_are_queued_by_the_sweep(db, resources):
    with claiming():
        async with db.acquire() as conn, conn.transaction():
            await stage_job(conn, "sweep_outbox", job_id="orphan")
    # the process died before queue_claimed: the row waits out its safety net
    await db.execute("UPDATE job_outbox SET sweep_after = now() - interval '1 second'")
    assert await flush_outbox(db, resources.redis) == 1
    assert [j.job_id for j in await resources.redis.queued_jobs()] == ["orphan"]


async def test_a_rolled_back_claiming_block_queues_nothing(db, resources):
    class Boom(Exception):
        pass

    try:
        with claiming() as claimed:
            async with db.acquire() as conn, conn.transaction():
                await stage_jobs(conn, [("sweep_outbox", [], "never", None)])
                raise Boom
    except Boom:
        pass
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 0
    assert await resources.redis.queued_jobs() == []
    assert len(claimed) == 1  # listed, but the writer only queues after a commit
