"""Backing services for a benchmark: DATABASE_URL / REDIS_URL when set, else embedded ones in a
temporary directory, with a fresh migrated database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from hub.config import Settings
from hub.core.migrate import migrate
from hub.embedded import EmbeddedPostgres, EmbeddedRedis, ensure_database


@contextlib.contextmanager
def bench_settings() -> Iterator[Settings]:
    data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    database_url = os.environ.get("DATABASE_URL")
    redis_url = os.environ.get("REDIS_URL")
    postgres = None if database_url else EmbeddedPostgres(data_dir)
    redis = None if redis_url else EmbeddedRedis(data_dir)
    try:
        admin_url = database_url or postgres.start()
        redis_url = redis_url or redis.start()
        name = f"hub_bench_{secrets.token_hex(4)}"
        asyncio.run(ensure_database(admin_url, name))
        url = urlunsplit(urlsplit(admin_url)._replace(path="/" + name))
        asyncio.run(migrate(url))
        yield Settings.from_env({}, database_url=url, redis_url=redis_url, data_dir=data_dir)
    finally:
        if redis is not None:
            redis.stop()
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
