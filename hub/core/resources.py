"""Resources built once per process and handed to both the app and the worker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from arq.connections import ArqRedis, RedisSettings
from redis.asyncio import BlockingConnectionPool

from hub.config import Settings
from hub.core import db
from hub.core.fetch import GuardedClient
from hub.core.media import pipeline as media
from hub.core.ratelimit import RateLimiter
from hub.core.urls import Urls

IMAGE_UPLOADS_AT_ONCE = 2 * media.WORKERS  # one converting, one being read, per media worker


@dataclass
class Resources:
    settings: Settings
    pool: asyncpg.Pool
    redis: ArqRedis  # a redis.asyncio client that can also enqueue arq jobs
    limiter: RateLimiter
    fetcher: GuardedClient
    urls: Urls
    # Image uploads read, parsed and converted at once; the others wait before their body is
    # read (the server stops reading their sockets), so memory stays bounded however many come.
    image_uploads: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(IMAGE_UPLOADS_AT_ONCE)
    )
    # This node's ASGI app, for reading its own pages in process (`fetch.fetch_own_page`,
    # R-W16); the worker sets it, and without it own pages are fetched over HTTP.
    own_site: Any = None


def redis_settings(url: str) -> RedisSettings:
    return RedisSettings.from_dsn(url)


def redis_pool(url: str, max_connections: int = 64) -> BlockingConnectionPool:
    """One pool for the queue client and the rate limiter. Blocking, because redis-py 5's plain
    asyncio pool holds its lock while it checks a connection, which serialises every command
    of a busy process behind one event-loop turn each (arq pins redis-py < 6); this one checks
    outside the lock and waits for a free connection instead of failing."""
    return BlockingConnectionPool.from_url(url, max_connections=max_connections, timeout=10)


@contextlib.asynccontextmanager
async def open_resources(settings: Settings) -> AsyncIterator[Resources]:
    """Open the pool, Redis, limiter and outbound client for `settings` (whose URLs must be
    resolved: the CLI starts embedded servers first), and close them on exit."""
    if not settings.database_url or not settings.redis_url:
        raise RuntimeError("open_resources needs resolved DATABASE_URL and REDIS_URL")
    pool = await db.create_pool(
        settings.database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max
    )
    try:
        connections = redis_pool(settings.redis_url)
        redis = ArqRedis(connection_pool=connections)
        try:
            await redis.ping()
            async with GuardedClient.from_settings(settings) as fetcher:
                yield Resources(
                    settings=settings,
                    pool=pool,
                    redis=redis,
                    limiter=RateLimiter(settings.redis_url, connection_pool=connections),
                    fetcher=fetcher,
                    urls=Urls(settings.base_url),
                )
        finally:
            await redis.aclose()
            await connections.disconnect()
    finally:
        await pool.close()
