"""Politeness per host, across every worker process (Redis): at most N requests to one host
at once (`host_slot`), and one request every S seconds (`reserve_turn`, `wait_turn`).
Directory polls use both, with the settings `HUB_DIRECTORY_HOST_CONCURRENCY` and
`HUB_DIRECTORY_HOST_INTERVAL` (R-D22); webmention sends hold a slot of their own family and
limit (webmention-site-feeds §2.4), waiting for it.
"""

from __future__ import annotations

import asyncio
import time

from hub.core.resources import Resources

SLOT_TTL = 60  # seconds: a crashed worker's slot frees itself
MAX_WAIT = 5.0  # seconds a poll may sleep for its turn; longer → HostBusy (the job retries)
POLL = 0.1  # seconds between tries for a slot, when waiting for one

# Reserve the next turn on a host: the turn starts at max(now, next free time); the next free
# time moves one interval past it. Returns the milliseconds to wait. One round trip, atomic.
_TURN = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local interval = tonumber(ARGV[1])
local max_wait = tonumber(ARGV[2])
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now_ms, free)
local wait = start - now_ms
if wait > max_wait then
  return -wait
end
redis.call('SET', KEYS[1], start + interval, 'PX', wait + interval + 1000)
return wait
"""


class HostBusy(Exception):
    """This host has its share of fetches running, or its next turn is too far away."""

    def __init__(self, host: str, retry_in: float = 5.0) -> None:
        super().__init__(host)
        self.retry_in = retry_in


# Take one of a host's slots: count it, unless the host has its share running. One round trip.
_TAKE = """
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
if count > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return 0
end
return 1
"""

# This process's own requests to a host wait in line for it here, woken the moment one of
# them frees a slot, before they take the slot in Redis (which counts every process's); only
# a host busy with other processes' requests is polled every `POLL` seconds.
_local: dict[tuple[int, str, int], asyncio.Semaphore] = {}


def _local_slots(key: str, limit: int) -> asyncio.Semaphore:
    loop_key = (id(asyncio.get_running_loop()), key, limit)
    slots = _local.get(loop_key)
    if slots is None:
        slots = _local[loop_key] = asyncio.Semaphore(limit)
    return slots


class host_slot:
    """At most `limit` requests to `host` at once, counted per `family` (a Redis counter);
    the directory's polls by default (`HUB_DIRECTORY_HOST_CONCURRENCY`). Entering raises
    HostBusy when the host has its share running, after waiting up to `wait` seconds for a
    slot to free up: in line behind this process's own requests to the host (woken at once
    when one ends), then polling for other processes' slots."""

    def __init__(
        self,
        resources: Resources,
        host: str,
        *,
        family: str = "directory",
        limit: int | None = None,
        wait: float = 0.0,
    ) -> None:
        self.redis = resources.redis
        self.host = host
        self.limit = resources.settings.directory_host_concurrency if limit is None else limit
        self.key = f"hub:{family}:host:{host}"
        self.wait = wait
        self._slots: asyncio.Semaphore | None = None

    async def __aenter__(self) -> None:
        if self.limit <= 0:
            return
        deadline = time.monotonic() + self.wait
        slots = _local_slots(self.key, self.limit)
        if slots.locked():
            if self.wait <= 0:
                raise HostBusy(self.host)
            try:
                async with asyncio.timeout(self.wait):
                    await slots.acquire()
            except TimeoutError:
                raise HostBusy(self.host) from None
        else:
            await slots.acquire()  # free: returns at once
        try:
            while not await self._take():
                if time.monotonic() >= deadline:
                    raise HostBusy(self.host)
                await asyncio.sleep(POLL)
        except BaseException:
            self._release_local(slots)
            raise
        self._slots = slots

    async def _take(self) -> bool:
        return bool(await self.redis.eval(_TAKE, 1, self.key, self.limit, SLOT_TTL))

    async def __aexit__(self, *exc: object) -> None:
        if self.limit > 0:
            try:
                await self.redis.decr(self.key)
            finally:
                if self._slots is not None:
                    self._release_local(self._slots)
                    self._slots = None

    def _release_local(self, slots: asyncio.Semaphore) -> None:
        slots.release()
        if not slots.locked() and slots._value >= self.limit:  # idle: forget the host
            _local.pop((id(asyncio.get_running_loop()), self.key, self.limit), None)


async def reserve_turn(resources: Resources, host: str, *, max_wait: float = MAX_WAIT) -> float:
    """Seconds until this host's next turn, which is now reserved for the caller; raises
    HostBusy when the turn is more than `max_wait` seconds away (nothing is reserved)."""
    interval = resources.settings.directory_host_interval
    if interval <= 0:
        return 0.0
    waited = await resources.redis.eval(
        _TURN,
        1,
        f"hub:directory:turn:{host}",
        int(interval * 1000),
        int(max_wait * 1000),
    )
    if int(waited) < 0:
        raise HostBusy(host, retry_in=-int(waited) / 1000)
    return int(waited) / 1000


async def wait_turn(resources: Resources, host: str, *, max_wait: float = MAX_WAIT) -> None:
    """Sleep until this host may be fetched again (at most `max_wait` seconds)."""
    delay = await reserve_turn(resources, host, max_wait=max_wait)
    if delay > 0:
        await asyncio.sleep(delay)
