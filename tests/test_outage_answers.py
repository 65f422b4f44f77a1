"""What each API answers while Redis or PostgreSQL is away (issue 15, docs/outages.md): 503
with `Retry-After`, in the API's own error shape, never a 500 and nothing written. The app
runs on resources whose Redis (or PostgreSQL pool) points at a server that is not there."""

from __future__ import annotations

import dataclasses
import errno
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pytest
from arq.connections import ArqRedis

from hub.app import create_app
from hub.core import db as hub_db
from hub.core.outages import is_outage
from hub.core.ratelimit import RateLimiter
from hub.core.resources import redis_pool
from tests.factories import bearer, make_author, make_credential

NOTE = {"type": ["h-entry"], "properties": {"content": ["during the outage"]}}
GONE_REDIS = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there
MESSAGE = "The service is temporarily unavailable; try again soon."


@asynccontextmanager
async def app_client(resources) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(resources.settings, resources)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        yield client


@pytest.fixture
async def without_redis(db, resources):
    connections = redis_pool(GONE_REDIS)
    broken = dataclasses.replace(
        resources,
        redis=ArqRedis(connection_pool=connections),
        limiter=RateLimiter(GONE_REDIS, connection_pool=connections),
    )
    async with app_client(broken) as client:
        yield client
    await connections.disconnect()


@pytest.fixture
async def without_postgres(db, resources):
    pool = await hub_db.create_pool(resources.settings.database_url, min_size=0, max_size=1)
    await pool.close()  # a pool whose server is gone: every acquire fails
    async with app_client(dataclasses.replace(resources, pool=pool)) as client:
        yield client


@pytest.fixture
async def ada(db):
    author = await make_author(db, "Ada", plan="pro")
    return author, await make_credential(db, author.author_id, kind="api_key")


async def entries(db) -> int:
    return await db.fetchval("SELECT count(*) FROM entries")


async def test_503_micropub_write_without_redis(without_redis, db, ada):
    secret = await make_credential(db, ada[0].author_id, kind="app_token")
    r = await without_redis.post("/micropub", json=NOTE, headers=bearer(secret))
    assert r.status_code == 503 and int(r.headers["retry-after"]) > 0
    assert r.json() == {"error": "temporarily_unavailable", "error_description": MESSAGE}
    assert await entries(db) == 0


async def test_503_v1_read_and_write_without_redis(without_redis, db, ada):
    _, key = ada
    for r in (
        await without_redis.get("/api/v1/channels", headers=bearer(key)),
        await without_redis.post(
            "/api/v1/channels/ada_blog/pages",
            json={
                "slug": "x",
                "status": "published",
                "translations": [{"language": "en", "title": "T", "content_markdown": "x"}],
            },
            headers=bearer(key),
        ),
    ):
        assert r.status_code == 503 and int(r.headers["retry-after"]) > 0
        assert r.json() == {"message": MESSAGE, "errors": {}}
    assert await entries(db) == 0


async def test_503_directory_and_webmentions_without_redis(without_redis, db, ada):
    directory = await make_credential(db, ada[0].author_id, kind="directory_token")
    r = await without_redis.get(
        "/api/subscriptions", headers={"Authorization": f"Token {directory}"}
    )
    assert r.status_code == 503 and int(r.headers["retry-after"]) > 0
    assert r.json() == {"detail": MESSAGE}
    r = await without_redis.post(
        "/api/webmentions",
        data={"source": "https://a.example/p", "target": "http://hub.test/ada_blog/x"},
    )
    assert r.status_code == 503 and r.json() == {"detail": MESSAGE}
    assert await db.fetchval("SELECT count(*) FROM webmentions") == 0


async def test_public_pages_need_no_redis(without_redis, db, ada):
    r = await without_redis.get("/ada_blog")
    assert r.status_code == 200


async def test_503_everywhere_without_postgres(without_postgres, ada):
    _, key = ada
    r = await without_postgres.get("/api/v1/channels", headers=bearer(key))
    assert r.status_code == 503 and r.json() == {"message": MESSAGE, "errors": {}}
    r = await without_postgres.post("/micropub", json=NOTE, headers=bearer(key))
    assert r.status_code == 503 and r.json()["error"] == "temporarily_unavailable"
    r = await without_postgres.get("/ada_blog")
    assert r.status_code == 503 and r.headers["content-type"].startswith("text/html")
    assert int(r.headers["retry-after"]) > 0
    r = await without_postgres.get("/healthz")
    assert r.status_code == 503 and r.json()["database"].startswith("error")


def test_what_counts_as_an_outage():
    assert is_outage(ConnectionRefusedError(errno.ECONNREFUSED, "refused"))
    assert is_outage(OSError(errno.ENOSPC, "No space left on device"))
    assert is_outage(FileNotFoundError(errno.ENOENT, "No such file or directory"))  # a socket
    assert not is_outage(FileNotFoundError(errno.ENOENT, "No such file", "/srv/media/x.webp"))
    assert not is_outage(ValueError("a bug"))
    left_mid_operation = "cannot switch to state 15; another operation (2) is in progress"
    assert is_outage(asyncpg.exceptions.InternalClientError(left_mid_operation))
