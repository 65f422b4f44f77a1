import asyncio
import time

import asyncpg
from arq.worker import Worker

from hub.core.job_runs import durable
from hub.core.outages import backoff
from hub.core.queue import (
    claiming,
    enqueue,
    flush_outbox,
    job_done,
    queue_claimed,
    stage_job,
    stage_jobs,
)
from hub.core.resources import redis_settings
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


async def test_committed_job_is_queued_once_and_its_row_waits_for_the_job(db, resources):
    async with db.acquire() as conn, conn.transaction():
        await stage_job(conn, "sweep_outbox", job_id="sweep:once")
    assert await flush_outbox(db, resources.redis) == 1
    assert [j.function for j in await resources.redis.queued_jobs()] == ["sweep_outbox"]
    assert await flush_outbox(db, resources.redis) == 0  # leased: not queued again at once
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 1  # until the job has run


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
    await queue_claimed(resources.redis, claimed)
    queued = {j.job_id for j in await resources.redis.queued_jobs()}
    assert queued == {"claimed:one", "claimed:two", "claimed:three"}
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 3  # until their jobs run
    await _run_queued(resources)
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


async def _run_queued(resources, functions=None) -> Worker:
    """Run what is queued with a burst worker (hub's own jobs, or `functions`)."""
    if functions is None:
        worker = build_worker(resources, burst=True, poll_delay=0.05)
    else:
        worker = Worker(functions=functions, redis_settings=redis_settings(
            resources.settings.redis_url), ctx={"resources": resources}, burst=True,
            handle_signals=False, keep_result=0, poll_delay=0.05)  # fmt: skip
    try:
        await asyncio.wait_for(worker.main(), timeout=30)
    finally:
        await worker.close()
    return worker


async def _stage(db, function: str, *args, job_id: str | None = None) -> int:
    async with db.acquire() as conn, conn.transaction():
        return await stage_job(conn, function, *args, job_id=job_id)


async def test_a_job_that_redis_lost_is_queued_again_after_its_lease(db, resources):
    row = await _stage(db, "sweep_outbox")
    assert await flush_outbox(db, resources.redis) == 1
    assert [j.job_id for j in await resources.redis.queued_jobs()] == [f"outbox:{row}"]
    await resources.redis.flushdb()  # Redis restarted without its data
    await db.execute("UPDATE job_outbox SET sweep_after = now() - interval '1 second'")
    assert await flush_outbox(db, resources.redis) == 1
    assert [j.job_id for j in await resources.redis.queued_jobs()] == [f"outbox:{row}"]


async def test_sweeping_again_while_the_job_waits_does_not_queue_it_twice(db, resources):
    await _stage(db, "sweep_outbox")
    await flush_outbox(db, resources.redis)
    await db.execute("UPDATE job_outbox SET sweep_after = now() - interval '1 second'")
    await flush_outbox(db, resources.redis)
    assert len(await resources.redis.queued_jobs()) == 1


async def test_a_job_failing_through_an_outage_is_retried_and_keeps_its_row(db, resources):
    calls: list[int] = []

    async def flaky(ctx, entry_id):
        calls.append(ctx["job_try"])
        if len(calls) < 3:
            raise asyncpg.exceptions.CannotConnectNowError("the database system is starting up")
        return entry_id

    function = durable(flaky)
    assert (backoff(1), backoff(2)) == (1, 2)
    await _stage(db, "flaky", 7)
    await flush_outbox(db, resources.redis)
    started = time.monotonic()
    worker = await _run_queued(resources, [function])
    assert calls == [1, 2, 3]  # tried again after 1 s, then 2 s
    assert time.monotonic() - started >= 3
    assert worker.jobs_retried == 2 and worker.jobs_complete == 1 and worker.jobs_failed == 0
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 0


async def test_a_job_that_fails_for_good_gives_up_its_row(db, resources):
    async def broken(ctx):
        raise ValueError("a bug, not an outage")

    await _stage(db, "broken")
    await flush_outbox(db, resources.redis)
    worker = await _run_queued(resources, [durable(broken)])
    assert worker.jobs_failed == 1 and worker.jobs_retried == 0
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 0


async def test_an_outage_past_the_last_try_leaves_the_row_for_the_sweep(db, resources):
    async def away(ctx):
        raise ConnectionRefusedError("redis is away")

    await _stage(db, "away")
    await flush_outbox(db, resources.redis)
    worker = await _run_queued(resources, [durable(away, default_tries=1)])
    assert worker.jobs_failed == 1
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 1


async def test_a_run_covers_the_rows_staged_before_it_for_the_same_job_id(db, resources):
    first = await _stage(db, "sweep_outbox", job_id="same")
    second = await _stage(db, "sweep_outbox", job_id="same")
    other = await _stage(db, "sweep_outbox", job_id="other")
    later = await _stage(db, "sweep_outbox", job_id="same")
    await job_done(db, second, "same")
    left = [r["id"] for r in await db.fetch("SELECT id FROM job_outbox ORDER BY id")]
    assert left == [other, later] and first < second
