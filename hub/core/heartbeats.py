"""Worker heartbeats in Redis, so that `/healthz` and `/metrics` of any process can tell
whether a job worker is alive anywhere.

Every running worker (in `hub serve` or `hub worker`) writes its beat every `INTERVAL`
seconds: one sorted set `hub:workers`, member = the worker's id (`host:pid:n`), score = the
time of its last beat. A beat older than `TTL` counts as dead and is pruned by the next beat;
the whole key expires `TTL` seconds after the last beat of any worker. One ZRANGEBYSCORE reads
the living ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

KEY = "hub:workers"
INTERVAL = 10.0  # seconds between two beats of one worker
TTL = 30.0  # seconds after which a worker that did not beat counts as dead

_numbers = itertools.count(1)


@dataclass(frozen=True)
class Beat:
    worker: str
    at: float  # unix time of the last beat
    age: float  # seconds since then


def worker_id() -> str:
    """A new id for a worker of this process: host, pid and a number."""
    return f"{socket.gethostname()}:{os.getpid()}:{next(_numbers)}"


async def beat(redis: Redis, worker: str, *, now: float | None = None) -> None:
    """Record that `worker` is alive now; forget workers silent for longer than `TTL`."""
    now = time.time() if now is None else now
    async with redis.pipeline(transaction=True) as pipe:
        pipe.zadd(KEY, {worker: now})
        pipe.zremrangebyscore(KEY, "-inf", now - TTL)
        pipe.expire(KEY, int(TTL))
        await pipe.execute()


async def forget(redis: Redis, worker: str) -> None:
    """A worker that stops takes its beat away at once."""
    await redis.zrem(KEY, worker)


def read_into(pipe: Pipeline, *, now: float | None = None) -> None:
    """Queue the read of the living workers on `pipe` (parse its answer with `parse`)."""
    now = time.time() if now is None else now
    pipe.zrangebyscore(KEY, now - TTL, "+inf", withscores=True)


async def alive(redis: Redis, *, now: float | None = None) -> list[Beat]:
    """The workers that beat within the last `TTL` seconds, the most recent first."""
    now = time.time() if now is None else now
    async with redis.pipeline(transaction=False) as pipe:
        read_into(pipe, now=now)
        (answer,) = await pipe.execute()
    return parse([answer], now=now)


def parse(answers: list, *, now: float) -> list[Beat]:
    """The Beats in the answer of `read_into`'s command."""
    rows = answers[0] if answers else []
    beats = []
    for member, score in rows:
        name = member.decode() if isinstance(member, bytes) else str(member)
        beats.append(Beat(name, float(score), max(0.0, now - float(score))))
    return sorted(beats, key=lambda b: b.age)


async def keep_beating(redis: Redis, worker: str, running: Callable[[], bool]) -> None:
    """Beat at once when `running()` turns true, then every `INTERVAL` seconds while it stays
    true, until cancelled; then take the beat away. Redis being away skips beats silently
    (the worker's supervisor logs the outage once)."""
    last = 0.0
    try:
        while True:
            if running() and time.monotonic() - last >= INTERVAL:
                with contextlib.suppress(Exception):
                    await beat(redis, worker)
                    last = time.monotonic()
            elif not running():
                last = 0.0
            await asyncio.sleep(0.5)
    finally:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(2):
                await forget(redis, worker)
