"""Batched jobs (`hub.core.batches`): a burst of writes queues one job, whose run takes every
row staged since; a write committed once a run has begun queues the next run; nothing staged is
lost."""

from datetime import UTC, datetime, timedelta

from hub.core.batches import (
    NEXT_RUN_GAP,
    batch_job_id,
    end_lease,
    hand_over,
    next_run_job_id,
    open_batch,
    queue_next_run,
    release_mark,
    stage_lease,
    take_batch,
    take_due_batch,
    take_run_slot,
)
from hub.core.queue import claiming, flush_outbox, queue_claimed, stage_jobs

BATCH = batch_job_id("sweep_outbox")


async def _write(db, resources, n: int, due: datetime | None = None) -> None:
    """One committed write staging the batched job with argument `n` (due at `due`), queued
    by its writer."""
    with claiming() as claimed:
        async with db.acquire() as conn, conn.transaction():
            await stage_jobs(conn, [("sweep_outbox", [n], BATCH, due)])
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


async def test_a_run_takes_the_due_rows_and_says_when_the_next_is_due(db, resources):
    now = datetime.now(UTC)
    await _write(db, resources, 1, now - timedelta(seconds=2))
    await _write(db, resources, 2, now - timedelta(seconds=1))
    await _write(db, resources, 3, now + timedelta(seconds=30))
    await _write(db, resources, 4, now + timedelta(seconds=31))
    async with db.acquire() as conn, conn.transaction():
        taken, next_due = await take_due_batch(conn, "sweep_outbox", 100)
    assert taken == [[1], [2]]
    assert abs((next_due - now).total_seconds() - 30) < 0.01  # the first waiting row's time
    left = await db.fetch("SELECT args FROM job_outbox ORDER BY id")
    assert [r["args"] for r in left] == [[3], [4]]  # waiting rows stay for their run


async def test_a_full_run_says_the_next_is_due_now_and_none_when_all_is_taken(db, resources):
    for n in range(3):
        await _write(db, resources, n)  # no delay: due at once
    async with db.acquire() as conn, conn.transaction():
        taken, next_due = await take_due_batch(conn, "sweep_outbox", 2)
        assert taken == [[0], [1]]
        assert next_due <= datetime.now(UTC)  # one due row left over: at once
        taken, next_due = await take_due_batch(conn, "sweep_outbox", 2)
        assert (taken, next_due) == ([[2]], None)


async def test_due_rows_another_run_holds_are_skipped(db, resources):
    await _write(db, resources, 1)
    await _write(db, resources, 2)
    async with db.acquire() as first, first.transaction():
        assert (await take_due_batch(first, "sweep_outbox", 1))[0] == [[1]]
        async with db.acquire() as second, second.transaction():
            assert (await take_due_batch(second, "sweep_outbox", 100))[0] == [[2]]


async def test_the_next_run_is_queued_once_and_not_before_the_gap(db, resources):
    began = datetime.now(UTC)
    await queue_next_run(resources.redis, "sweep_outbox", began, began=began)
    await queue_next_run(resources.redis, "sweep_outbox", began, began=began)  # another run
    await queue_next_run(resources.redis, "sweep_outbox", None, began=began)  # nothing left
    [job] = await resources.redis.queued_jobs()
    due = began + NEXT_RUN_GAP
    assert job.job_id == next_run_job_id("sweep_outbox", due) and job.args == ()
    assert abs(job.score / 1000 - due.timestamp()) < 0.01


async def test_a_run_slot_is_held_until_the_end_of_its_transaction(db):
    async with db.acquire() as a, a.transaction(), db.acquire() as b, b.transaction():
        assert await take_run_slot(a, "sweep_outbox", 1)
        assert not await take_run_slot(b, "sweep_outbox", 1)  # the one slot is a's
    async with db.acquire() as b, b.transaction():
        assert await take_run_slot(b, "sweep_outbox", 1)  # a committed: free again


async def test_a_lease_is_swept_only_when_it_is_over(db, resources):
    async with db.acquire() as conn:
        lease = await stage_lease(conn, "sweep_outbox", [["t1", "t2"]], seconds=60)
    assert await flush_outbox(db, resources.redis) == 0  # the run is still at work
    await db.execute("UPDATE job_outbox SET sweep_after = now() WHERE id = $1", lease)
    assert await flush_outbox(db, resources.redis) == 1  # it died: its job redoes the work
    [job] = await resources.redis.queued_jobs()
    assert job.function == "sweep_outbox" and job.args == (["t1", "t2"],)


async def test_an_ended_lease_goes_or_stays_as_the_retry_of_what_failed(db, resources):
    async with db.acquire() as conn:
        done = await stage_lease(conn, "sweep_outbox", [["t1"]])
        failed = await stage_lease(conn, "sweep_outbox", [["t1", "t2"]])
    await end_lease(db, resources.redis, done)
    await end_lease(db, resources.redis, failed, retry=[["t2"]], retry_in=60)
    [row] = await db.fetch("SELECT * FROM job_outbox")
    assert row["id"] == failed and row["args"] == [["t2"]]
    [job] = await resources.redis.queued_jobs()
    assert job.args == (["t2"],) and job.score / 1000 > datetime.now(UTC).timestamp() + 55


async def _run_id(resources) -> str:
    """The id of the batch's job that waits (the one holding its pending mark)."""
    [job] = [j for j in await resources.redis.queued_jobs() if j.job_id.startswith(BATCH)]
    return job.job_id


async def test_writes_while_a_run_reads_queue_no_job_and_its_successor_takes_them(db, resources):
    now = datetime.now(UTC)
    await _write(db, resources, 1, now)
    run = await _run_id(resources)
    await resources.redis.delete(*[k for k in await resources.redis.keys("arq:job:*")])
    await resources.redis.delete("arq:queue")  # the run has started
    async with db.acquire() as conn, conn.transaction():
        taken, next_due = await take_due_batch(conn, "sweep_outbox", 100)
    assert taken == [[1]] and next_due is None
    await _write(db, resources, 2, now + timedelta(seconds=30))  # while the run reads
    assert await _queued(resources) == []  # the run holds the mark: no job of its own
    await hand_over(resources.redis, db, "sweep_outbox", run, next_due, began=now)
    [successor] = await resources.redis.queued_jobs()  # found once the mark was given up
    assert successor.job_id.startswith(BATCH + ":") and successor.job_id != run
    assert abs(successor.score / 1000 - (now + timedelta(seconds=30)).timestamp()) < 0.01
    await _write(db, resources, 3, now + timedelta(seconds=31))
    assert len(await _queued(resources)) == 1  # the successor holds the mark now


async def test_a_run_with_nothing_left_gives_the_mark_up(db, resources):
    await _write(db, resources, 1)
    run = await _run_id(resources)
    await resources.redis.delete("arq:queue")
    async with db.acquire() as conn, conn.transaction():
        taken, next_due = await take_due_batch(conn, "sweep_outbox", 100)
    assert taken == [[1]]
    began = datetime.now(UTC)
    await hand_over(resources.redis, db, "sweep_outbox", run, next_due, began=began)
    assert await _queued(resources) == []  # nothing waits: no successor
    await _write(db, resources, 2)
    assert len(await _queued(resources)) == 1  # a write queues a job again


async def test_a_run_gives_up_only_its_own_mark(db, resources):
    await _write(db, resources, 1)
    assert not await release_mark(resources.redis, "sweep_outbox", "batch:sweep_outbox:other")
    assert await release_mark(resources.redis, "sweep_outbox", await _run_id(resources))
    await _write(db, resources, 2)
    assert len(await _queued(resources)) == 2
