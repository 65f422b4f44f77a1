"""Entry slugs: from a title or text, Unicode transliterated, unique within the channel.

The unique index on (channel_id, slug) is the final arbiter: a writer that loses a race to the
same slug gets a UniqueViolationError and allocates again.
"""

from __future__ import annotations

import asyncpg

from hub.core.entries.queries import taken_entry_slugs
from hub.core.slugs import next_free_slug, slugify_text


async def allocate_entry_slug(
    conn: asyncpg.Connection,
    channel_id: int,
    text: str,
    *,
    separator: str = "-",
    max_length: int = 80,
    fallback: str = "entry",
) -> str:
    base = _base(text, separator, max_length, fallback)
    taken = await taken_entry_slugs(conn, channel_id, base, separator)
    return next_free_slug(base, taken, separator=separator, max_length=max_length)


def first_choice_slug(
    text: str, *, separator: str = "-", max_length: int = 80, fallback: str = "entry"
) -> str:
    """What `allocate_entry_slug` returns when no slug of the channel is in the way: a writer
    can try it first and allocate only when the insert finds it taken."""
    base = _base(text, separator, max_length, fallback)
    return next_free_slug(base, (), separator=separator, max_length=max_length)


def _base(text: str, separator: str, max_length: int, fallback: str) -> str:
    return slugify_text(text, separator=separator, max_length=max_length - 4) or fallback
