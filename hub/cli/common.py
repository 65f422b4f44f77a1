"""What every data command shares: one transaction against the node's database.

The database is the embedded one of a running `hub serve` on the same data directory (started
for the length of the command when none runs), or the configured one.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from hub.config import Settings
from hub.runtime import prepared

Commands = argparse._SubParsersAction
"""What `add_subparsers` returns: the `hub` parser's commands, handed to each group's `register`."""


def with_connection(
    settings: Settings, work: Callable[[asyncpg.Connection], Awaitable[Any]]
) -> Any:
    """Run `work` in one transaction against the node's database (embedded or configured)."""

    async def run(url: str) -> Any:
        from hub.core.db import _init_connection

        conn = await asyncpg.connect(url)
        await _init_connection(conn)  # jsonb codecs, as in the pool (job_outbox args)
        try:
            async with conn.transaction():
                return await work(conn)
        finally:
            await conn.close()

    with prepared(settings, redis=False) as ready:
        return asyncio.run(run(ready.settings.database_url))
