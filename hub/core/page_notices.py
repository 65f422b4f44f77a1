"""Notices that a public page changed: the `hub_pages` notifications that the triggers of
migration 0023 send at commit (the payload is a channel id), received on one dedicated
connection per process. Who writes does not matter: every writer's commit notifies.

`follow` keeps that connection: it reports `on_state(True)` once it listens, each payload
to `on_notice`, and `on_state(False)` as soon as the connection is lost (a PostgreSQL
restart, a network cut, a check that got no answer), then reconnects with back-off. What
happened while it was not listening is unknown, so a listener must treat `False` as "forget
everything" (the page cache clears itself and stores nothing until it listens again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

CHANNEL = "hub_pages"
CHECK_SECONDS = 10.0  # a query on the idle connection this often finds a silently dead one
CHECK_TIMEOUT = 5.0
RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)  # reconnect back-off, the last one repeated

log = logging.getLogger("hub.page_notices")


async def follow(
    dsn: str, on_notice: Callable[[str], None], on_state: Callable[[bool], None]
) -> None:
    """Listen on `CHANNEL` until cancelled; see the module."""
    failures = 0
    while True:
        conn: asyncpg.Connection | None = None
        try:
            conn = await asyncpg.connect(
                dsn, timeout=CHECK_TIMEOUT, server_settings={"application_name": "hub pages"}
            )
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _conn, lost=lost: lost.set())
            await conn.add_listener(CHANNEL, lambda _c, _pid, _ch, payload: on_notice(payload))
            on_state(True)
            if failures:
                log.info("listening for page changes again")
            failures = 0
            await _watch(conn, lost)
            log.warning("page changes: connection lost; pages are not cached until it is back")
        except asyncio.CancelledError:
            raise
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            if failures == 0:
                log.warning("page changes: not listening (%s); pages are not cached", exc)
        finally:
            on_state(False)
            if conn is not None:
                conn.terminate()
        await asyncio.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
        failures += 1


async def _watch(conn: asyncpg.Connection, lost: asyncio.Event) -> None:
    """Return when the connection is lost: closed by the server, or silent to a check."""
    while not lost.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(lost.wait(), CHECK_SECONDS)
            return
        await conn.execute("SELECT 1", timeout=CHECK_TIMEOUT)
