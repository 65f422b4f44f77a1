"""Backing services for a benchmark: DATABASE_URL / REDIS_URL when set, else embedded ones in a
temporary directory, with a fresh migrated database that is dropped afterwards; and the event
loop the hub runs on in production (uvloop, as `hub serve` gives uvicorn), for both sides."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import uvloop

from hub.config import Settings
from hub.runtime import scratch_services

T = TypeVar("T")


def run_on_production_loop(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on uvloop: the loop `hub serve` runs the app on. The hub side and the bare
    ceiling share it, so their ratio compares the code, not two different loops."""
    return uvloop.run(main)


@contextlib.contextmanager
def bench_settings() -> Iterator[Settings]:
    data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    try:
        with scratch_services(
            data_dir,
            database_url=os.environ.get("DATABASE_URL"),
            redis_url=os.environ.get("REDIS_URL"),
            prefix="hub_bench",
        ) as (database_url, redis_url):
            yield Settings.from_env(
                {}, database_url=database_url, redis_url=redis_url, data_dir=data_dir
            )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
