"""Fixtures: a real PostgreSQL and a real Redis for the whole run.

With DATABASE_URL / REDIS_URL set, the suite uses those servers (it creates and drops a database
of its own on the PostgreSQL, and flushes the Redis database named in REDIS_URL); without them
it starts the embedded servers once per run in a temporary directory. Migrations run once; each
test that takes `db` starts from empty tables and an empty Redis.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from hub.app import create_app
from hub.config import Settings
from hub.core.resources import Resources, open_resources
from hub.runtime import scratch_services
from tests.stubs import StubServer, running_server
from tests.webmentions.fixtures import site, wm_client, wm_resources  # noqa: F401 (fixtures)


@dataclass
class Servers:
    database_url: str
    redis_url: str
    data_dir: Path


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    data_dir = Path(tempfile.mkdtemp(prefix="hub-test-"))
    try:
        with scratch_services(
            data_dir,
            database_url=os.environ.get("DATABASE_URL") or os.environ.get("HUB_DATABASE_URL"),
            redis_url=os.environ.get("REDIS_URL") or os.environ.get("HUB_REDIS_URL"),
            prefix="hub_test",
        ) as (database_url, redis_url):
            yield Servers(database_url, redis_url, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def settings(servers: Servers) -> Settings:
    return Settings.from_env(
        {},
        database_url=servers.database_url,
        redis_url=servers.redis_url,
        data_dir=servers.data_dir,
        base_url="http://hub.test",
        allow_loopback_fetch=True,  # the explicit test-only switch: local stub servers
        db_pool_min=1,
        db_pool_max=10,
    )


@pytest.fixture(scope="session")
async def resources(settings: Settings) -> AsyncIterator[Resources]:
    async with open_resources(settings) as opened:
        yield opened


@pytest.fixture(scope="session")
async def _tables(resources: Resources) -> str:
    rows = await resources.pool.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        " AND tablename <> 'schema_migrations'"
    )
    return ", ".join(f'"{r["tablename"]}"' for r in rows)


@pytest.fixture
async def db(resources: Resources, _tables: str) -> asyncpg.Pool:
    """The pool, with every table empty and Redis flushed."""
    await resources.pool.execute(f"TRUNCATE {_tables} RESTART IDENTITY CASCADE")
    await resources.redis.flushdb()
    return resources.pool


@pytest.fixture
async def client(db, settings: Settings, resources: Resources) -> AsyncIterator[httpx.AsyncClient]:
    """The app in-process, driven over ASGI."""
    app = create_app(settings, resources)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        yield http


@pytest.fixture
def feed_server() -> Iterator[StubServer]:
    """A local server for feeds and sites (answers are `application/xml` unless told)."""
    with running_server("application/xml") as server:
        yield server


@pytest.fixture
def receiver() -> Iterator[StubServer]:
    """A second server, for webhook receivers."""
    with running_server("application/xml") as server:
        yield server
