"""The public pages' query parameters: `?before=` paging cursors (`?lang=` is read with
`hub.core.languages`). Pure. (The paths themselves are read by `hub.core.urls.parse_path`.)
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_CURSOR = re.compile(r"^(-?[0-9]{1,18})\.([0-9]{1,18})$")


def encode_cursor(published_at_us: int, entry_id: int) -> str:
    """A `?before=` cursor: the microseconds since the epoch of `published_at`, then the id."""
    return f"{published_at_us}.{entry_id}"


def decode_cursor(value: str) -> tuple[int, int] | None:
    match = _CURSOR.match(value)
    return (int(match.group(1)), int(match.group(2))) if match else None


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def cursor_of(published_at: datetime, entry_id: int) -> str:
    """The `?before=` cursor of an entry (its publication time and id)."""
    return encode_cursor((published_at - EPOCH) // timedelta(microseconds=1), entry_id)


def cursor_time(value: str) -> tuple[datetime, int] | None:
    """The (published_at, id) a `?before=` value names; None when malformed or out of range."""
    cursor = decode_cursor(value)
    if cursor is None:
        return None
    try:
        return EPOCH + timedelta(microseconds=cursor[0]), cursor[1]
    except OverflowError:
        return None
