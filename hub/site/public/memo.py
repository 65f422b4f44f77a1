"""Views kept once computed: what the pages derive from a row (an entry's summary, an entry
page's head, view and validators) is a pure function of that row and of the origin it is
shown on, so it is kept in a small LRU keyed by exactly those inputs, beside the display-HTML
cache of `hub.site.public.content`.

The key holds every value of the row (serialised as JSON text), so a row that
differs in anything the view could read gives a new key: nothing is invalidated, and a stale
view cannot be served. The database is still read on every request and every page is still
rendered by its template; only the Python work between the two is skipped when the same row
comes back (profiles of `bench/bench_site.py`: building the views was about a third of hub's
own time on a channel home)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import orjson

V = TypeVar("V")


def row_key(row: Mapping[str, Any]) -> bytes:
    """A key over all of a row's values, in order: their JSON text (one `orjson` call; a
    type JSON lacks as its `str`). Each position of a statement's rows holds one type, so
    two rows of one statement get the same key only when their values are equal."""
    values = tuple(row.values())
    try:
        return orjson.dumps(values, default=str)
    except TypeError:  # what JSON cannot hold exactly (an integer past 64 bits): its repr
        return b"repr:" + repr(values).encode()


class Memo(Generic[V]):
    """A least-recently-used map of at most `size` values."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Any, V] = OrderedDict()

    def get(self, key: Any) -> V | None:
        """The value kept for `key` (now the most recently used), else None."""
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: Any, value: V) -> V:
        """Keep `value` for `key` (the least recently used one goes when full); `value`."""
        self._items[key] = value
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        self._items.clear()
