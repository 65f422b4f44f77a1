"""PostgreSQL access: the asyncpg pool and the transaction helper services use."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import asyncpg
import orjson

Connection = asyncpg.Connection
Pool = asyncpg.Pool


class _WithoutTraceback(logging.Filter):
    """asyncpg's pool logs every failed reconnect of its idle connections with a traceback;
    during an outage (which `hub.core.outages` reports once) one line each is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = record.exc_text = None
        return True


logging.getLogger("asyncpg.pool").addFilter(_WithoutTraceback())


async def _init_connection(conn: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(
            kind,
            encoder=lambda value: orjson.dumps(value).decode(),
            decoder=orjson.loads,
            schema="pg_catalog",
        )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Release without the default reset query (`pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *`, one more round trip per checkout). asyncpg still rolls back an open
    transaction first; hub leaves no other session state behind: settings are `SET LOCAL`,
    advisory locks are transaction-scoped (the migrator unlocks its own), nothing LISTENs."""


async def create_pool(url: str, *, min_size: int = 2, max_size: int = 20) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        server_settings={"timezone": "UTC", "application_name": "hub"},
        command_timeout=60,
    )


@contextlib.asynccontextmanager
async def transaction(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """One connection in one transaction: committed when the block ends, rolled back on error."""
    async with pool.acquire() as conn, conn.transaction():
        yield conn
