"""The page cache's side of `hub.core.page_notices`: while the app runs, a task listens for
page changes and drops what they touch; the cache is ready only while it listens."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from hub.core import page_notices
from hub.web.page_cache.store import PageCache


@contextlib.asynccontextmanager
async def following(cache: PageCache, dsn: str | None) -> AsyncIterator[None]:
    """Listen for the whole block (the app's lifespan); no listener, no cache."""
    if cache.capacity <= 0 or not dsn:
        yield
        return
    task = asyncio.create_task(page_notices.follow(dsn, cache.notice, cache.set_ready))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        cache.set_ready(False)
