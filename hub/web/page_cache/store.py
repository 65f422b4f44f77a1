"""The rendered answers themselves: an LRU bounded by bytes, each answer tagged with the
channel it shows (None: a node-wide page, dropped on any change). Pure: no I/O, no clock
but the one given.

The store is only `ready` while its process listens for changes (`hub.core.page_notices`);
otherwise it keeps and serves nothing. A render that began before a change to what it shows
must not be stored after that change's notice: `begin()` returns a stamp, and `put` refuses
an answer of a channel dropped (or a store cleared) since that stamp.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Key = tuple[bytes, bytes, bytes, bytes, bool]  # host, path, query, representation, gzip
Headers = list[tuple[bytes, bytes]]

OVERHEAD = 256  # bytes counted per answer beside its body and headers (key, objects)
MAX_SHARE = 8  # one answer may take at most 1/8 of the store


@dataclass(slots=True)
class Stored:
    """One answer as sent: status, headers without Content-Length, body (gzip or not)."""

    status: int
    headers: Headers
    body: bytes
    channel: int | None
    etag: bytes | None = None
    last_modified: bytes | None = None
    labels: dict[str, Any] = field(default_factory=dict)  # the route, for logs and metrics
    expires: float = 0.0
    size: int = 0


class PageCache:
    def __init__(
        self, capacity: int, ttl: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = capacity
        self.ttl = ttl
        self.clock = clock
        self.ready = False
        self.used = 0
        self.notices = 0  # notices received: tests wait on it
        self._entries: OrderedDict[Key, Stored] = OrderedDict()
        self._by_channel: dict[int | None, set[Key]] = {}
        self._stamp = 0
        self._dropped: dict[int, int] = {}  # channel -> stamp of its last drop
        self._cleared = 0  # stamp of the last clear

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def max_size(self) -> int:
        return self.capacity // MAX_SHARE

    def get(self, key: Key) -> Stored | None:
        stored = self._entries.get(key)
        if stored is None:
            return None
        if stored.expires <= self.clock():
            self._remove(key)
            return None
        self._entries.move_to_end(key)
        return stored

    def begin(self) -> int:
        """The stamp to hand to `put` for an answer rendered from now on."""
        return self._stamp

    def put(self, key: Key, stored: Stored, since: int) -> bool:
        """Keep `stored` unless the store is not ready, it is too big, or what it shows
        changed since `since`; the least recently used answers make room."""
        if not self.ready or self._changed_since(stored.channel, since):
            return False
        stored.size = len(stored.body) + sum(len(k) + len(v) for k, v in stored.headers) + OVERHEAD
        if stored.size > self.max_size:
            return False
        stored.expires = self.clock() + self.ttl
        if key in self._entries:
            self._remove(key)
        while self.used + stored.size > self.capacity and self._entries:
            self._remove(next(iter(self._entries)))
        self._entries[key] = stored
        self._by_channel.setdefault(stored.channel, set()).add(key)
        self.used += stored.size
        return True

    def _changed_since(self, channel: int | None, since: int) -> bool:
        if self._cleared > since:
            return True
        if channel is None:  # node-wide: any change may show there
            return self._stamp > since
        return self._dropped.get(channel, 0) > since

    def drop_channel(self, channel: int) -> None:
        """What `channel` shows changed: its answers and the node-wide ones go."""
        self._stamp += 1
        self._dropped[channel] = self._stamp
        for tag in (channel, None):
            for key in self._by_channel.pop(tag, ()):
                self._remove(key, untag=False)

    def clear(self) -> None:
        self._stamp += 1
        self._cleared = self._stamp
        self._dropped.clear()
        self._entries.clear()
        self._by_channel.clear()
        self.used = 0

    def notice(self, payload: str) -> None:
        """A `hub_pages` notification: a channel id, or anything else for "all"."""
        self.notices += 1
        try:
            channel = int(payload)
        except ValueError:
            self.clear()
        else:
            self.drop_channel(channel)

    def set_ready(self, ready: bool) -> None:
        """Listening (True) or not (False): either way nothing kept so far can be trusted."""
        self.clear()
        self.ready = ready

    def _remove(self, key: Key, *, untag: bool = True) -> None:
        stored = self._entries.pop(key, None)
        if stored is None:
            return
        self.used -= stored.size
        if untag:
            keys = self._by_channel.get(stored.channel)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_channel[stored.channel]
