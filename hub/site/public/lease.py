"""One pooled connection for the statements of one public request.

A list page or feed runs two statements (the channel, then its entries). Through the pool
each would acquire a connection and, on release, pay asyncpg's reset round trip; a `Lease`
acquires once, on first use, and is released by the handler as soon as its last statement
ran, before any rendering, so the connection is never held while a template renders. The
route releases it again in `finally` (release is idempotent)."""

from __future__ import annotations

import asyncpg


class Lease:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._conn: asyncpg.Connection | None = None

    async def conn(self) -> asyncpg.Connection:
        if self._conn is None:
            self._conn = await self._pool.acquire()
        return self._conn

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await self._pool.release(conn)
