"""The supervised worker (issue 15): it never dies of an outage; it keeps trying, says so in
its health, and runs once Redis answers."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses

from arq.worker import func

from hub.core import heartbeats
from hub.worker import WorkerHealth, supervise


async def wait_for_state(health: WorkerHealth, state: str, within: float = 15) -> None:
    async with asyncio.timeout(within):
        while health.state != state:  # noqa: ASYNC110 - the health is polled, as /healthz does
            await asyncio.sleep(0.05)


async def test_a_worker_without_redis_keeps_trying_and_stops_when_told(db, resources):
    settings = dataclasses.replace(resources.settings, redis_url="redis://127.0.0.1:9/0")
    health = WorkerHealth()
    task = asyncio.create_task(supervise(dataclasses.replace(resources, settings=settings), health))
    await wait_for_state(health, "reconnecting")
    await asyncio.sleep(2.5)
    assert not task.done() and health.restarts >= 2 and not health.ok
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert health.state == "stopped"


async def test_a_supervised_worker_runs_and_reports_it(db, resources):
    health = WorkerHealth()
    task = asyncio.create_task(supervise(resources, health, poll_delay=0.05))
    try:
        await wait_for_state(health, "running")
        assert health.ok
        async with asyncio.timeout(5):  # it beats at once, for /healthz of every process
            while not await heartbeats.alive(resources.redis):  # noqa: ASYNC110 - polled, as /healthz does
                await asyncio.sleep(0.1)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert await heartbeats.alive(resources.redis) == []  # a stopped worker takes its beat away


async def test_a_discarded_worker_leaves_no_unretrieved_job_error(db, resources, caplog):
    """A job whose ending lost Redis raised in its arq task; discarding the worker retrieves
    it, so no "Task exception was never retrieved" traceback reaches the log (seen in CI
    when Redis was killed under a stream of jobs)."""
    import gc

    from hub.worker import _discard, build_worker

    async def finish_without_redis() -> None:
        raise ConnectionError("Error 111 connecting to redis.sock. Connection refused.")

    worker = build_worker(resources)
    failed = asyncio.ensure_future(finish_without_redis())
    running = asyncio.ensure_future(asyncio.sleep(60))
    await asyncio.sleep(0)
    worker.tasks.update({"failed": failed, "running": running})
    await _discard(worker)
    assert running.cancelled()
    del failed, running
    worker.tasks.clear()
    gc.collect()
    await asyncio.sleep(0)
    assert "never retrieved" not in caplog.text


async def test_a_worker_does_not_ask_redis_about_its_own_running_job(db, resources):
    """A running job stays in the queue until it finishes: the worker's polls skip its id
    without a round trip (issue 20: four a poll, four polls a second, for a minute-long
    batched run), and it still runs once."""
    from hub.worker import HubWorker

    started, release, runs = asyncio.Event(), asyncio.Event(), []

    async def slow(ctx):
        runs.append(1)
        started.set()
        await release.wait()

    worker = HubWorker(functions=[func(slow, name="slow")], redis_pool=resources.redis,
                       poll_delay=0.02, keep_result=0, burst=True)  # fmt: skip
    await resources.redis.enqueue_job("slow", _job_id="slow-1")
    task = asyncio.create_task(worker.main())
    try:
        async with asyncio.timeout(10):
            await started.wait()
        watches = await _watch_calls(resources.redis)
        await asyncio.sleep(0.4)  # ~20 polls, each reading the running job's id
        assert await _watch_calls(resources.redis) == watches
    finally:
        release.set()
        async with asyncio.timeout(10):
            await task
    assert runs == [1]


async def _watch_calls(redis) -> int:
    return (await redis.info("commandstats")).get("cmdstat_watch", {}).get("calls", 0)
