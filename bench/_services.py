"""Backing services for a benchmark: DATABASE_URL / REDIS_URL when set, else embedded ones in a
temporary directory, with a fresh migrated database that is dropped afterwards."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hub.config import Settings
from hub.runtime import scratch_services


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
