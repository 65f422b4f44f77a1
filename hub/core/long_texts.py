"""Long text values sent to PostgreSQL in slices, so that no statement's parameters hold the
event loop while asyncpg builds them.

asyncpg builds a statement's whole Bind message in one call: for a v1 article near the 20 MiB
body limit (19 MB of Markdown and 38 MB of HTML) that is ~45 ms of copying with the GIL held,
and ~20 ms more for the transport to buffer it, a pause of the loop no other request can
use. Texts longer than `LONG_TEXT` together are COPYed instead, `SLICE` characters a row,
into a temporary table that lives until the transaction ends (`staged_texts`); the loop runs
between slices. The statement that stores them reads them back through the CTEs of
`STAGED_TEXTS_SQL`, which also empty the table for the next use in the same transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import asyncpg

LONG_TEXT = 1 << 20  # characters: texts longer than this together are staged in slices
SLICE = 256 * 1024  # characters a row (and about a CopyData message)

# Not compressed while staged (`EXTERNAL`): each text is read back once, straight away.
_CREATE = """
    CREATE TEMPORARY TABLE IF NOT EXISTS staged_texts
        (text_id int NOT NULL, part int NOT NULL, slice text NOT NULL) ON COMMIT DROP;
    ALTER TABLE staged_texts ALTER COLUMN slice SET STORAGE EXTERNAL;
"""

# Two CTEs: `texts` (text_id, text), every staged text, consumed (`taken`).
STAGED_TEXTS_SQL = """
    taken AS (DELETE FROM staged_texts RETURNING text_id, part, slice),
    texts AS (
        SELECT text_id, string_agg(slice, '' ORDER BY part) AS text FROM taken GROUP BY text_id
    )
"""


def are_long(texts: Sequence[str]) -> bool:
    """True when `texts` together are too long for one statement's parameters."""
    return sum(len(t) for t in texts) > LONG_TEXT


async def stage_texts(conn: asyncpg.Connection, texts: Sequence[str]) -> None:
    """COPY `texts` into `staged_texts` (text_id = their index), in slices. `conn` must be in
    a transaction: the table and its rows go with it."""
    assert conn.is_in_transaction(), "staged texts live in a transaction"
    await conn.execute(_CREATE)
    await conn.copy_records_to_table(
        "staged_texts", records=_slices(texts), columns=("text_id", "part", "slice")
    )


async def _slices(texts: Sequence[str]) -> AsyncIterator[tuple[int, int, str]]:
    for text_id, text in enumerate(texts):
        for part, start in enumerate(range(0, len(text), SLICE)):
            yield text_id, part, text[start : start + SLICE]
            await asyncio.sleep(0)  # the loop runs between slices
        if not text:
            yield text_id, 0, ""
