"""Resources built once per process and handed to both the app and the worker."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
from arq import create_pool as create_arq_pool
from arq.connections import ArqRedis, RedisSettings

from hub.config import Settings
from hub.core import db
from hub.core.fetch import GuardedClient
from hub.core.ratelimit import RateLimiter
from hub.core.urls import Urls


@dataclass
class Resources:
    settings: Settings
    pool: asyncpg.Pool
    redis: ArqRedis  # a redis.asyncio client that can also enqueue arq jobs
    limiter: RateLimiter
    fetcher: GuardedClient
    urls: Urls


def redis_settings(url: str) -> RedisSettings:
    return RedisSettings.from_dsn(url)


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
        redis = await create_arq_pool(redis_settings(settings.redis_url))
        try:
            async with GuardedClient.from_settings(settings) as fetcher:
                yield Resources(
                    settings=settings,
                    pool=pool,
                    redis=redis,
                    limiter=RateLimiter(settings.redis_url),
                    fetcher=fetcher,
                    urls=Urls(settings.base_url),
                )
        finally:
            await redis.aclose()
    finally:
        await pool.close()
