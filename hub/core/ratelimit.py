"""The one rate limiter, on Redis: `hit` keeps a sliding 60-second log per key (the `limits`
library) for the APIs' per-token limits; `hit_windows` counts several fixed windows (a minute,
an hour, a day) in one round trip, for limits that span more than a minute (webmentions).
Past a limit both raise `RateLimited(retry_after)`. `braked` asks whether a key is at its
limit without counting (the brake on failed authentications, checked on every authenticated
request), and remembers for a second a key it found under its limit. The hits of concurrent
requests go to Redis together (`_Hits`)."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.aio.storage import RedisStorage
from limits.aio.storage.redis.bridge import RedisBridge
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool, Redis
from redis.exceptions import NoScriptError

from hub.core.errors import RateLimited

CLEAR_SECONDS = 1.0  # how long `braked` trusts a key it found under its limit
CLEAR_KEYS = 10_000  # at most this many remembered; past it, all are forgotten


def storage_uri(redis_url: str) -> str:
    """`limits` wants its own scheme prefix: redis://… → async+redis://…, unix://… likewise."""
    if redis_url.startswith("unix://"):
        return "async+redis+unix://" + redis_url.removeprefix("unix://")
    return "async+" + redis_url


class _RedisPyStorage(RedisStorage):
    """limits' async Redis storage, on redis-py only. The parent imports every client it knows
    (redis-py, coredis, valkey) when it is made, whichever it uses: coredis and its beartype
    were 12 MiB of every process's memory (issue 20). Not registered for a scheme (it names
    none), so `limits` itself still maps `async+redis://` to its own class."""

    DEPENDENCIES = {"redis": RedisStorage.DEPENDENCIES["redis"]}


@dataclass(frozen=True)
class RateStatus:
    limit: int
    remaining: int
    reset_after: int  # seconds until the oldest counted request leaves the window


@dataclass(frozen=True)
class Window:
    """One fixed-window counter: at most `limit` hits on `key` per `seconds` (0: unlimited)."""

    key: str
    limit: int
    seconds: int


class RateLimiter:
    def __init__(
        self,
        redis_url: str,
        *,
        key_prefix: str = "hub:rl",
        connection_pool: ConnectionPool | None = None,
    ) -> None:
        options = {"connection_pool": connection_pool} if connection_pool is not None else {}
        self._storage = _RedisPyStorage(
            storage_uri(redis_url), implementation="redispy", key_prefix=key_prefix, **options
        )
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._redis = (
            Redis(connection_pool=connection_pool)
            if connection_pool is not None
            else Redis.from_url(redis_url)
        )
        self._key_prefix = key_prefix
        self._hits = _Hits(self._redis)
        self._clear: dict[str, float] = {}  # key -> monotonic time until which it is known clear
        self._asking: dict[str, list] = {}  # key -> [statuses in flight, hit counted meanwhile]

    async def braked(self, key: str, per_minute: int) -> RateStatus | None:
        """`key`'s status when it is at its limit (`remaining` 0), else None; counts nothing.
        A key found under its limit is taken as under it for `CLEAR_SECONDS` without asking
        Redis again, until this process counts a hit on it (`hit` forgets it at once): a hit
        counted by another process is seen within `CLEAR_SECONDS`. For a brake checked on
        every request (failed authentications), whose key nearly always is clear: one Redis
        round trip a second instead of one a request."""
        if per_minute <= 0:
            return None
        now = time.monotonic()
        if self._clear.get(key, 0.0) > now:
            return None
        asking = self._asking.setdefault(key, [0, False])
        asking[0] += 1
        try:
            standing = await self.status(key, per_minute)
        finally:
            asking[0] -= 1
            if asking[0] == 0:
                del self._asking[key]
        if standing.remaining <= 0:
            return standing
        if not asking[1]:  # no hit on `key` was counted here while Redis answered
            if len(self._clear) >= CLEAR_KEYS:
                self._clear.clear()
            self._clear[key] = now + CLEAR_SECONDS
        return None

    async def hit(self, key: str, per_minute: int, *, cost: int = 1) -> None:
        """Count one request for `key`; raise RateLimited (with Retry-After seconds) past the
        limit. `per_minute` of 0 or less means unlimited."""
        if per_minute <= 0:
            return
        self._forget(key)
        item = RateLimitItemPerMinute(per_minute)
        name = f"{self._key_prefix}:{item.key_for(key)}"  # where `limits` keeps it
        try:
            counted = await self._hits.hit(name, per_minute, item.get_expiry(), cost)
        finally:
            self._forget(key)  # again: a `braked` may have found it clear while this hit flew
        if counted:
            return
        stats = await self._limiter.get_window_stats(item, key)
        raise RateLimited(math.ceil(stats.reset_time - time.time()), limit=per_minute)

    def _forget(self, key: str) -> None:
        """`key` is counted: not clear any more, nor what a status in flight finds."""
        self._clear.pop(key, None)
        if key in self._asking:
            self._asking[key][1] = True

    async def status(self, key: str, per_minute: int) -> RateStatus:
        """Where `key` stands, for RateLimit-* response headers; counts nothing."""
        if per_minute <= 0:
            return RateStatus(limit=0, remaining=0, reset_after=0)
        stats = await self._limiter.get_window_stats(RateLimitItemPerMinute(per_minute), key)
        reset_after = max(0, math.ceil(stats.reset_time - time.time()))
        return RateStatus(limit=per_minute, remaining=stats.remaining, reset_after=reset_after)

    async def hit_windows(self, windows: Iterable[Window]) -> None:
        """Count one hit in every window, all in one Redis round trip; a window whose limit
        is 0 counts nothing. Past the first limit exceeded, RateLimited with Retry-After the
        seconds left in that window. Counters live at `hub:{key}:{seconds}:{window number}`."""
        counted = [window for window in windows if window.limit > 0]
        if not counted:
            return
        now = int(time.time())
        async with self._redis.pipeline(transaction=True) as pipe:
            for window in counted:
                name = f"hub:{window.key}:{window.seconds}:{now // window.seconds}"
                pipe.incr(name)
                pipe.expire(name, window.seconds + 100)
            replies = await pipe.execute()
        for window, count in zip(counted, replies[::2], strict=True):
            if count > window.limit:
                raise RateLimited(window.seconds - now % window.seconds, limit=window.limit)

    async def clear(self, key: str, per_minute: int) -> None:
        await self._limiter.clear(RateLimitItemPerMinute(per_minute), key)


class _Hits:
    """`limits`' moving-window hit (its own Lua script on its own keys, so `status` and
    `clear` read what it writes) for the hits of concurrent requests at once: whoever hits
    while a batch is in flight joins the next one, sent as one pipeline. One Redis call per
    batch instead of one per request, and without the layers of `limits` and redis-py's
    per-command connection checkout (about a tenth of a Micropub create in cProfile)."""

    SCRIPT = RedisBridge.SCRIPT_ACQUIRE_MOVING_WINDOW

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._sha: str | None = None
        self._pending: list[tuple[str, int, int, int, asyncio.Future[bool]]] = []
        self._task: asyncio.Task[None] | None = None

    async def hit(self, name: str, limit: int, expiry: int, cost: int) -> bool:
        """Whether `cost` entries fitted in the window at `name` (and were counted)."""
        loop = asyncio.get_running_loop()
        if self._task is not None and self._task.get_loop() is not loop:  # a loop gone since
            self._pending, self._task = [], None
        done: asyncio.Future[bool] = loop.create_future()
        self._pending.append((name, limit, expiry, cost, done))
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run())
        return await asyncio.shield(done)

    async def _run(self) -> None:
        while self._pending:
            await asyncio.sleep(0)  # let the requests of this loop turn join
            batch, self._pending = self._pending, []
            try:
                replies = await self._send(batch)
            except BaseException as exc:  # Redis down: every hit of the batch fails alike
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            for (*_, done), reply in zip(batch, replies, strict=True):
                if done.done():
                    continue
                if isinstance(reply, Exception):  # that hit's own error (a key of another type)
                    done.set_exception(reply)
                else:
                    done.set_result(bool(reply))

    async def _send(self, batch: list) -> list:
        if self._sha is None:
            self._sha = await self._redis.script_load(self.SCRIPT)
        for _ in range(2):
            now = time.time()
            async with self._redis.pipeline(transaction=False) as pipe:
                for name, limit, expiry, cost, _ in batch:
                    pipe.evalsha(self._sha, 1, name, now, limit, expiry, cost)
                replies = await pipe.execute(raise_on_error=False)
            if not any(isinstance(reply, NoScriptError) for reply in replies):
                break
            self._sha = await self._redis.script_load(self.SCRIPT)  # Redis restarted: again
        return replies
