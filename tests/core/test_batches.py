"""Batched jobs (`hub.core.batches`): a burst of writes queues one job, whose run takes every
row staged since; a write committed once a run has begun queues the next run; nothing staged is
lost."""

from hub.core.batches import batch_job_id, open_batch, take_batch
from hub.core.queue import claiming, flush_outbox, queue_claimed, stage_jobs

BATCH = batch_job_id("sweep_outbox")


async def _write(db, resources, n: int) -> None:
    """One committed write staging the batched job with argument `n`, queued by its writer."""
    with claiming() as claimed:
        async with db.acquire() as conn, conn.transaction():
            await stage_jobs(conn, [("sweep_outbox", [n], BATCH, None)])
    await queue_claimed(resources.redis, claimed)


async def _queued(resources) -> list[str]:
    return sorted(j.job_id for j in await resources.redis.queued_jobs())


async def test_a_burst_of_writes_queues_one_job_that_takes_every_row(db, resources):
    for n in range(5):
        await _write(db, resources, n)
    [job] = await _queued(resources)
    assert job.startswith(BATCH + ":")
    await open_batch(resources.redis, "sweep_outbox")
    async with db.acquire() as conn, conn.transaction():
        assert await take_batch(conn, "sweep_outbox", 100) == [[0], [1], [2], [3], [4]]
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 0


async def test_a_write_after_a_run_began_queues_the_next_run(db, resources):
    await _write(db, resources, 1)
    await open_batch(resources.redis, "sweep_outbox")  # the run has begun: it may have read
    await _write(db, resources, 2)
    assert len(await _queued(resources)) == 2  # the second write's job runs after it


async def test_rows_taken_by_a_run_that_rolled_back_stay_for_the_next(db, resources):
    await _write(db, resources, 1)

    class Boom(Exception):
        pass

    try:
        async with db.acquire() as conn, conn.transaction():
            assert await take_batch(conn, "sweep_outbox", 100) == [[1]]
            raise Boom
    except Boom:
        pass
    async with db.acquire() as conn, conn.transaction():
        assert await take_batch(conn, "sweep_outbox", 100) == [[1]]


async def test_the_sweep_queues_a_batch_whose_job_redis_lost(db, resources):
    await _write(db, resources, 1)
    await _write(db, resources, 2)
    await resources.redis.flushdb()  # Redis restarted without its data: job and mark gone
    await db.execute("UPDATE job_outbox SET sweep_after = now() - interval '1 second'")
    assert await flush_outbox(db, resources.redis) == 2  # both rows leased ...
    assert len(await _queued(resources)) == 1  # ... under one job
