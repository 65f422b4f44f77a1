"""The v1 write transaction: staged media files appear only after the commit, and a rollback
or a dry run leaves no file behind (hub/channels/writes.py, files.py)."""

from __future__ import annotations

import pytest

from hub.channels.writes import matches, write


def listing(settings) -> list[str]:
    root = settings.media_dir / "projects"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


async def test_files_appear_after_commit(db, resources, settings):
    async with write(resources) as tx:
        await tx.files.write("projects/9/drafts/a.webp", b"RIFF1")
        assert listing(settings)[0].startswith("9/drafts/.tmp-")  # staged, not yet in place
        await tx.conn.execute("SELECT 1")
    assert listing(settings) == ["9/drafts/a.webp"]
    async with write(resources) as tx:
        await tx.files.link("projects/9/drafts/a.webp", "projects/9/pages/3/a.webp")
    assert listing(settings) == ["9/drafts/a.webp", "9/pages/3/a.webp"]
    target = settings.media_dir / "projects/9/pages/3/a.webp"
    assert target.read_bytes() == b"RIFF1" and target.stat().st_nlink == 2  # a hard link


async def test_rollback_removes_staged_files(db, resources, settings):
    with pytest.raises(RuntimeError):
        async with write(resources) as tx:
            await tx.files.write("projects/9/drafts/b.webp", b"RIFF2")
            await tx.conn.execute("INSERT INTO job_outbox (function) VALUES ('x')")
            raise RuntimeError("boom")
    assert listing(settings) == []
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 0


async def test_dry_run_rolls_back_and_discards(db, resources, settings):
    async with write(resources, dry_run=True) as tx:
        await tx.files.write("projects/9/drafts/c.webp", b"RIFF3")
        await tx.conn.execute("INSERT INTO job_outbox (function) VALUES ('x')")
    assert listing(settings) == []
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 0


async def test_a_lazy_write_commits_each_statement_until_it_begins(db, resources):
    """`lazy`: a lone statement stands on its own; what follows `Tx.begin` is one transaction,
    rolled back on an error. A dry run begins at once, lazy or not."""
    with pytest.raises(RuntimeError):
        async with write(resources, lazy=True) as tx:
            await tx.conn.execute("INSERT INTO job_outbox (function) VALUES ('alone')")
            assert not tx.begun
            await tx.begin()
            await tx.conn.execute("INSERT INTO job_outbox (function) VALUES ('in the tx')")
            raise RuntimeError("boom")
    assert [r["function"] for r in await db.fetch("SELECT function FROM job_outbox")] == ["alone"]
    async with write(resources, lazy=True, dry_run=True) as tx:
        assert tx.begun
        await tx.conn.execute("INSERT INTO job_outbox (function) VALUES ('dry')")
    assert await db.fetchval("SELECT count(*) FROM job_outbox") == 1


def test_if_match_strong_comparison():
    assert matches(None, None) and matches(None, '"v1"')
    assert matches('"v1"', '"v1"') and matches('"v0", "v1"', '"v1"') and matches("*", '"v1"')
    assert not matches('"v2"', '"v1"') and not matches('W/"v1"', '"v1"')
    assert not matches("*", None) and not matches('"v1"', None)
