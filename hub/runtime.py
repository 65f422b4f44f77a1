"""Bring a process's backing services up: the configured ones, or the embedded default.

`prepared(settings)` starts (or joins) the embedded PostgreSQL and Redis where no URL is
configured, creates the database, applies migrations, and yields settings whose URLs are
resolved. On exit it lets go of what it started; the last user of a shared server stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from hub.config import Settings
from hub.core.migrate import migrate
from hub.embedded import (
    DATABASE_NAME,
    EmbeddedPostgres,
    EmbeddedRedis,
    drop_database,
    ensure_database,
)


@dataclasses.dataclass
class Prepared:
    settings: Settings  # with database_url and redis_url resolved
    database_label: str
    redis_label: str
    worker_in_process: bool


@contextlib.contextmanager
def prepared(
    settings: Settings, *, redis: bool = True, run_migrations: bool = True
) -> Iterator[Prepared]:
    postgres = EmbeddedPostgres(settings.data_dir) if settings.embedded_database else None
    embedded_redis = EmbeddedRedis(settings.data_dir) if settings.embedded_redis and redis else None
    try:
        database_url = settings.database_url
        if postgres is not None:
            admin_url = postgres.start()
            asyncio.run(ensure_database(admin_url))
            database_url = postgres.url(DATABASE_NAME)
            database_label = f"embedded PostgreSQL in {settings.data_dir / 'postgres'}"
        else:
            database_label = redact(database_url)
        redis_url = settings.redis_url
        if embedded_redis is not None:
            redis_url = embedded_redis.start()
            redis_label = f"embedded Redis in {embedded_redis.directory}"
        else:
            redis_label = redact(redis_url) if redis_url else "none"
        if run_migrations:
            asyncio.run(migrate(database_url))
        yield Prepared(
            settings=dataclasses.replace(settings, database_url=database_url, redis_url=redis_url),
            database_label=database_label,
            redis_label=redis_label,
            worker_in_process=settings.worker_in_process,
        )
    finally:
        if embedded_redis is not None:
            embedded_redis.stop()
        if postgres is not None:
            postgres.stop()


def redact(url: str | None) -> str:
    """A URL fit to print: the password replaced by ***."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


@contextlib.contextmanager
def scratch_services(
    data_dir: Path,
    *,
    database_url: str | None = None,
    redis_url: str | None = None,
    prefix: str = "hub_scratch",
) -> Iterator[tuple[str, str]]:
    """A fresh, migrated database of its own (dropped afterwards) and a Redis, on the given
    servers or on embedded ones started under `data_dir`: for tests and benchmarks."""
    postgres = None if database_url else EmbeddedPostgres(data_dir)
    redis = None if redis_url else EmbeddedRedis(data_dir)
    try:
        admin_url = database_url or postgres.start()
        redis_url = redis_url or redis.start()
        name = f"{prefix}_{secrets.token_hex(4)}"
        asyncio.run(ensure_database(admin_url, name))
        url = urlunsplit(urlsplit(admin_url)._replace(path="/" + name))
        asyncio.run(migrate(url))
        try:
            yield url, redis_url
        finally:
            asyncio.run(drop_database(admin_url, name))
    finally:
        if redis is not None:
            redis.stop()
        if postgres is not None:
            postgres.stop()
