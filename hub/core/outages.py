"""Outages of the node's own infrastructure: PostgreSQL, Redis, the media disk.

`is_outage` tells an error that says "a part hub depends on is away or full, try again soon"
from one that says "this request or job is wrong". The APIs answer the first with 503 and
`Retry-After` (`Unavailable`), jobs retry it with back-off (`hub.core.job_runs`), and the
worker reconnects after it (`hub.worker`). Errors of outbound fetches (other people's sites)
are not outages: they are `FetchFailed`, which each caller handles in its own way.

`OutageLog` logs an outage once when it starts and once when it ends, not on every retry.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
import redis.exceptions

from hub.core.errors import Unavailable

T = TypeVar("T")

# PostgreSQL away, restarting, shutting down, out of connections, disk or memory
_POSTGRES = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.InsufficientResourcesError,
)
_REDIS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
# refused, reset, aborted, broken pipe; timeouts (a pool's acquire, a command's)
_NETWORK = (ConnectionError, TimeoutError)
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})

OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    *_POSTGRES,
    *_REDIS,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OSError,
)  # the classes `is_outage` looks at; it decides on the instance


def is_outage(exc: BaseException) -> bool:
    """True when `exc` means PostgreSQL, Redis or the disk is unavailable for now."""
    if isinstance(exc, _POSTGRES + _REDIS + _NETWORK):
        return True
    if isinstance(exc, asyncpg.InterfaceError):  # a closed connection, not a misuse of one
        text = str(exc).lower()
        return "closed" in text or "closing" in text
    if isinstance(exc, asyncpg.exceptions.InternalClientError):
        # a pooled connection left mid-operation by a server that shut down under it ("cannot
        # switch to state 15; another operation (2) is in progress"): the next one is fresh
        return True
    if not isinstance(exc, OSError):
        return False
    # a unix socket whose file is gone (its server is restarting) has no file name; a missing
    # file that code opened by name is a bug, not an outage
    return exc.errno in _DISK_FULL or (exc.errno == errno.ENOENT and exc.filename is None)


def unavailable(exc: BaseException) -> Unavailable:
    """The `Unavailable` an API answers for outage `exc` (naming the part, not the error)."""
    if isinstance(exc, OSError) and exc.errno in _DISK_FULL:
        return Unavailable("The node's storage is full; try again later.", retry_after=60)
    return Unavailable("The service is temporarily unavailable; try again soon.")


def backoff(attempt: int, *, first: float = 1.0, cap: float = 60.0) -> float:
    """Seconds to wait before retry number `attempt` (1-based): doubling from `first`, at most
    `cap`."""
    return min(cap, first * 2 ** max(0, attempt - 1))


async def waiting_out_outages(call: Callable[[], Awaitable[T]], *, patience: float) -> T:
    """`await call()`, called again (with back-off from 0.5 s, at most 5 s apart) while it
    fails through an outage, for up to `patience` seconds in all; then, or for any other
    failure, its exception. For a step that must not be left undone after work that must not
    be done twice (deleting a finished job's row, ending a lease)."""
    waited, attempt = 0.0, 0
    while True:
        try:
            return await call()
        except Exception as exc:
            attempt += 1
            delay = backoff(attempt, first=0.5, cap=5)
            if not is_outage(exc) or waited + delay > patience:
                raise
            await asyncio.sleep(delay)
            waited += delay


class OutageLog:
    """Logs the start of an outage once, its end once (with how long it lasted), and
    nothing for the failures in between."""

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self.logger = logger
        self.what = what
        self.since: float | None = None

    def failed(self, exc: BaseException) -> None:
        if self.since is None:
            self.since = time.monotonic()
            self.logger.warning(
                "%s: %s: %s; retrying with back-off", self.what, type(exc).__name__, exc
            )

    def recovered(self) -> None:
        if self.since is not None:
            lasted = time.monotonic() - self.since
            self.since = None
            self.logger.warning("%s: back after %.1f s", self.what, lasted)

    @property
    def ongoing(self) -> bool:
        return self.since is not None
