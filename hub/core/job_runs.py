"""How every job runs: retried through outages, its outbox row kept until it is done.

`durable(function)` wraps a job for the worker (`hub.worker` wraps each package's jobs):

- A job that fails because PostgreSQL, Redis or the disk is away (`hub.core.outages`) is
  retried with back-off (`arq.Retry`), up to `OUTAGE_TRIES` times; after that its outbox row
  is still there and the sweep queues it again, so an outage of any length loses nothing.
- A periodic (cron) job skips its tick during an outage, logging it once
  (`quiet_in_outages`).
- A job queued from the outbox carries its row's id (`OUTBOX_KWARG`, added by
  `hub.core.queue`); the row is deleted when the job is done with it: it succeeded, failed
  for good (a bug, bad data), or used its last try of its own schedule. Until then the row
  stays, and the sweep queues the job again if Redis lost it (docs/decisions/0007).
- Every run, cron ticks too, is observed (`observed`): its job id is in every log record made
  meanwhile (`hub.core.logs.job_id`), its outcome and duration are counted
  (`hub.core.metrics`), and it logs one line only when it did work (a result that is not
  empty, zero or one of `IDLE_RESULTS`) or failed.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from arq import Retry
from arq.worker import Function, func

from hub.core import logs, metrics
from hub.core.outages import OutageLog, backoff, is_outage, waiting_out_outages
from hub.core.queue import OUTBOX_KWARG, job_done

log = logging.getLogger("hub.jobs")

DONE_PATIENCE = 60.0  # seconds a finished job waits for PostgreSQL to delete its outbox row
OUTAGE_TRIES = 12  # 1 s, 2 s, 4 s … 60 s: about eight minutes, then the outbox sweep takes over
Job = Callable[..., Awaitable[Any]]
IDLE_RESULTS = frozenset({"skipped", "unchanged", "not_modified"})
"""Results that say a job looked and found nothing to do (as do None, 0 and empty ones)."""


def durable(job: Job | Function, *, default_tries: int = OUTAGE_TRIES) -> Function:
    """`job` (a coroutine or an arq `func`) as an arq function that rides out outages and
    deletes its outbox row once it is done with it."""
    if isinstance(job, Function):
        name, coroutine, tries = job.name, job.coroutine, job.max_tries or default_tries
        options = {
            "timeout": job.timeout_s,
            "keep_result": job.keep_result_s,
            "keep_result_forever": job.keep_result_forever,
        }
    else:
        name, coroutine, tries, options = job.__name__, job, default_tries, {}

    @functools.wraps(coroutine)
    async def run(ctx: dict, *args: Any, **kwargs: Any) -> Any:
        outbox_id = kwargs.pop(OUTBOX_KWARG, None)
        last_try = ctx.get("job_try", 1) >= tries
        try:
            result = await coroutine(ctx, *args, **kwargs)
        except Retry:  # the job's own schedule: done with the row only after its last try
            if last_try:
                await _done(ctx, outbox_id)
            raise
        except Exception as exc:
            if not is_outage(exc):
                await _done(ctx, outbox_id)  # failed for good; arq logs it
                raise
            if last_try:  # the row stays: the sweep queues the job again later
                raise
            delay = backoff(ctx.get("job_try", 1))
            log.info("%s: %s: %s; retry in %.0f s", name, type(exc).__name__, exc, delay)
            raise Retry(defer=delay) from exc
        await _done(ctx, outbox_id)
        return result

    return func(observed(run, name), name=name, max_tries=tries, **options)


def observed(job: Job, name: str) -> Job:
    """`job` with its job id in the log context, its outcome (done, idle, retry, failed,
    cancelled) and duration counted, and one log line when it did work (INFO) or failed
    (ERROR, with the traceback); a run that found nothing logs at DEBUG only."""

    @functools.wraps(job)
    async def run(ctx: dict, *args: Any, **kwargs: Any) -> Any:
        token = logs.job_id.set(ctx.get("job_id"))
        began = time.perf_counter()
        outcome = "failed"
        try:
            result = await job(ctx, *args, **kwargs)
        except Retry:
            outcome = "retry"
            raise
        except asyncio.CancelledError:
            outcome = "cancelled"
            log.warning("%s: cancelled after %s (a timeout or a shutdown); arq runs it again "
                        "if it has tries left", name, _ms(began))  # fmt: skip
            raise
        except Exception as exc:
            log.exception("%s: failed after %s: %s: %s", name, _ms(began), type(exc).__name__, exc)
            raise
        else:
            if did_work(result):
                outcome = "done"
                log.info("%s: done in %s: %s", name, _ms(began), _summary(result))
            else:
                outcome = "idle"
                log.debug("%s: nothing to do (%s)", name, _ms(began))
            return result
        finally:
            metrics.record_job(name, outcome, time.perf_counter() - began)
            logs.job_id.reset(token)

    return run


def did_work(result: Any) -> bool:
    """Whether a job's result says it did something (see `IDLE_RESULTS`)."""
    if isinstance(result, str):
        return result not in IDLE_RESULTS and result != ""
    return bool(result)


def _summary(result: Any) -> str:
    if isinstance(result, (list, tuple, set, frozenset)):
        return f"{len(result)} item(s)"
    text = str(result)
    return text if len(text) <= 120 else text[:117] + "..."


def _ms(began: float) -> str:
    return f"{(time.perf_counter() - began) * 1000:.0f} ms"


def quiet_in_outages(job: Job) -> Job:
    """A periodic job that, during an outage, logs it once (at its start) and skips the tick
    instead of failing with a traceback every time; the next tick runs it again."""
    outage = OutageLog(log, f"{job.__name__}: skipped while the node's services are away")

    @functools.wraps(job)
    async def run(ctx: dict, *args: Any, **kwargs: Any) -> Any:
        try:
            result = await job(ctx, *args, **kwargs)
        except Exception as exc:
            if not is_outage(exc):
                raise
            outage.failed(exc)
            return None
        outage.recovered()
        return result

    return run


async def _done(ctx: dict, outbox_id: int | None) -> None:
    """Delete the job's outbox row. PostgreSQL going away just then is waited out (for up to
    `DONE_PATIENCE` seconds): a row left behind would run the finished job once more."""
    if outbox_id is None:
        return
    pool, job_id = ctx["resources"].pool, ctx.get("job_id")
    try:
        await waiting_out_outages(lambda: job_done(pool, outbox_id, job_id), patience=DONE_PATIENCE)
    except Exception as exc:
        log.warning("could not delete outbox row %s (%s: %s); the job will run again",
                    outbox_id, type(exc).__name__, exc)  # fmt: skip
