"""hub.core.long_texts: texts COPYed in slices read back whole, in their order, and gone."""

from __future__ import annotations

from hub.core.long_texts import SLICE, STAGED_TEXTS_SQL, are_long, stage_texts


async def test_staged_texts_read_back_whole_and_consumed(db):
    texts = ["", "é" * SLICE, "a" * (SLICE + 1) + "😀", "x" * (3 * SLICE - 1) + "\n\x01"]
    assert are_long(texts) and not are_long(texts[:2])
    async with db.acquire() as conn, conn.transaction():
        await stage_texts(conn, texts)
        rows = await conn.fetch(f"WITH {STAGED_TEXTS_SQL} SELECT text_id, text FROM texts")
        assert sorted((r["text_id"], r["text"]) for r in rows) == list(enumerate(texts))
        assert await conn.fetchval("SELECT count(*) FROM staged_texts") == 0
        await stage_texts(conn, texts[2:])  # again in the same transaction
        rows = await conn.fetch(f"WITH {STAGED_TEXTS_SQL} SELECT text_id, text FROM texts")
        assert sorted((r["text_id"], r["text"]) for r in rows) == list(enumerate(texts[2:]))
    async with db.acquire() as conn:  # the table went with the transaction
        assert await conn.fetchval("SELECT to_regclass('pg_temp.staged_texts')") is None
