"""The arq worker: collects each package's jobs; builds the same resources the app uses;
keeps a worker running through outages (`supervise`).

arq's `Worker.main` ends with an exception when Redis goes away (and never reconnects), so
`supervise` runs it in a loop: on an outage it logs once, waits with back-off and starts a
fresh worker; on any other crash it logs the traceback and does the same. `WorkerHealth`
says what the loop is doing, for `/healthz` of a process that runs its worker in process;
while it runs, the worker beats in Redis (`hub.core.heartbeats`) for `/healthz` of any process.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import gc
import logging
import signal
import time
from typing import Any

from arq.worker import Worker

from hub.activitypub import jobs as activitypub_jobs
from hub.channels import jobs as channels_jobs
from hub.config import Settings
from hub.core import heartbeats
from hub.core import jobs as core_jobs
from hub.core.entries import jobs as entry_jobs
from hub.core.entries import remote_media
from hub.core.job_runs import OUTAGE_TRIES, durable, observed, quiet_in_outages
from hub.core.media import jobs as media_jobs
from hub.core.outages import OutageLog, backoff, is_outage
from hub.core.resources import Resources, open_resources, redis_settings
from hub.directory import jobs as directory_jobs
from hub.site import jobs as site_jobs
from hub.site.feeds import websub as feeds_websub
from hub.webmentions import jobs as webmention_jobs

log = logging.getLogger("hub.worker")

PACKAGES = [
    core_jobs,
    entry_jobs,
    channels_jobs,
    remote_media,
    media_jobs,
    directory_jobs,
    webmention_jobs,
    feeds_websub,
    site_jobs,
    activitypub_jobs,
]  # each API package adds its `jobs` module here when it has jobs


def functions() -> list:
    """Every package's jobs, each retried through outages and keeping its outbox row until
    it is done (`hub.core.job_runs.durable`)."""
    return [durable(f) for package in PACKAGES for f in package.FUNCTIONS]


def cron_jobs() -> list:
    """Fresh copies: a Worker keeps each cron's next run on the object, so sharing the module's
    objects would stop a second worker in this process from running `run_at_startup` jobs.
    Each skips its tick quietly during an outage (`quiet_in_outages`): the next tick retries;
    each tick is observed (`observed`: logged only when it did work, counted by outcome)."""
    jobs = []
    for package in PACKAGES:
        for job in package.CRON_JOBS:
            job = copy.copy(job)
            name = job.name.removeprefix("cron:")
            job.coroutine = observed(quiet_in_outages(job.coroutine), name)
            jobs.append(job)
    return jobs


class HubWorker(Worker):
    """arq's worker, minus the Redis round trips of trying to start its own running jobs.

    A job stays in the queue until it finishes, so every poll (4 a second) read the ids of
    this worker's running jobs again (a batched run takes up to a minute) and asked Redis
    four times whether each was running (watch, exists, zscore, unwatch) before skipping it.
    An id this worker is running is skipped here without asking: arq would skip it too (its
    in-progress key is set until it finishes). A finished task not yet cleared is asked as
    before."""

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        tasks = self.tasks
        if tasks:
            job_ids = [j for j in job_ids if not _running(tasks.get(j.decode()))]
        await super().start_jobs(job_ids)


def _running(task: asyncio.Task | None) -> bool:
    return task is not None and not task.done()


def build_worker(
    resources: Resources, *, burst: bool = False, handle_signals: bool = False, **options: Any
) -> Worker:
    """A worker sharing `resources` (the pool, Redis and clients of this process). Jobs that
    read this node's own pages (webmention verification, R-W16) get them from the app in
    process."""
    if resources.own_site is None:
        from hub.app import create_app  # the composition root; the app does not import this

        app = create_app(resources.settings, resources)
        resources = dataclasses.replace(resources, own_site=app)
    connection = redis_settings(resources.settings.redis_url)  # its own pool: arq closes it
    connection.conn_retries = 0  # `supervise` waits and reconnects, logging once per outage
    return HubWorker(
        functions=functions(),
        cron_jobs=cron_jobs(),
        redis_settings=connection,
        ctx={"resources": resources},
        burst=burst,
        handle_signals=handle_signals,
        keep_result=0,  # finished job ids can be queued again at once (deterministic ids)
        max_tries=OUTAGE_TRIES,
        max_jobs=options.pop("max_jobs", 20),
        poll_delay=options.pop("poll_delay", 0.25),
        **options,
    )


@dataclasses.dataclass
class WorkerHealth:
    """What a supervised worker is doing: `starting`, `running`, `reconnecting` (after an
    outage or a crash, waiting to start again) or `stopped`."""

    state: str = "starting"
    since: float = dataclasses.field(default_factory=time.monotonic)
    restarts: int = 0

    def set(self, state: str) -> None:
        if state != self.state:
            self.state, self.since = state, time.monotonic()

    @property
    def ok(self) -> bool:
        return self.state == "running"


STEADY_SECONDS = 60.0  # a worker that ran this long resets the back-off


async def supervise(
    resources: Resources, health: WorkerHealth | None = None, **options: Any
) -> None:
    """Run a worker until cancelled, starting a fresh one whenever it stops: after an outage
    of Redis (or PostgreSQL at its start) with back-off and one log line per outage, after
    any other crash with its traceback. Never returns on its own."""
    health = health or WorkerHealth()
    outage = OutageLog(log, "job worker: lost its connection")
    failures = 0
    beating = asyncio.create_task(
        heartbeats.keep_beating(resources.redis, heartbeats.worker_id(), lambda: health.ok)
    )

    async def started(ctx: dict) -> None:
        health.set("running")
        outage.recovered()

    try:
        while True:
            worker = build_worker(resources, on_startup=started, **options)
            began = time.monotonic()
            try:
                await worker.main()
                raise RuntimeError("the worker's loop ended")  # only a burst worker returns
            except Exception as exc:
                if is_outage(exc):
                    outage.failed(exc)
                else:
                    log.exception("job worker stopped unexpectedly; starting a new one")
            finally:
                await _discard(worker)
            health.set("reconnecting")
            health.restarts += 1
            failures = 1 if time.monotonic() - began > STEADY_SECONDS else failures + 1
            await asyncio.sleep(backoff(failures, cap=30))
    finally:
        health.set("stopped")
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating


def _retrieve(task: asyncio.Task) -> None:
    if not task.cancelled():
        task.exception()


async def _discard(worker: Worker) -> None:
    """Stop a worker whose loop ended: cancel its running jobs (arq runs them again later)
    and close its Redis pool, whatever state the connection is in."""
    tasks = list(worker.tasks.values())
    running = [t for t in tasks if not t.done()]
    for task in running:
        task.cancel()
    if running:
        await asyncio.wait(running, timeout=10)
    for task in tasks:  # a job whose ending lost Redis (`finish_job`) raised in its task:
        task.add_done_callback(_retrieve)  # retrieved here, not logged at collection as a
        # "Task exception was never retrieved" traceback; the outbox runs it again if needed
    if worker._pool is not None:  # arq's own close() raises when Redis is away
        with contextlib.suppress(Exception):
            await worker._pool.close(close_connection_pool=True)
        worker._pool = None


async def run_worker(settings: Settings, *, burst: bool = False) -> None:
    """`hub worker`: a worker process of its own, supervised (`supervise`) until SIGTERM or
    SIGINT; with `burst`, one worker that runs what is queued and returns."""
    async with open_resources(settings) as resources:
        if burst:
            worker = build_worker(resources, burst=True)
            try:
                await worker.main()
            finally:
                with contextlib.suppress(Exception):
                    await worker.close()
            return
        # as `hub serve`: collections skip what start-up made (the job modules and their
        # imports); a worker allocates fast (pages, rows, requests), so the full ones came often
        gc.freeze()
        task = asyncio.create_task(supervise(resources))
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task
