"""The write unit both write APIs use (hub/core/writes.py, files.py): staged media files
appear only after the commit, a rollback or a dry run leaves no file and no job behind, a lazy
unit begins only when asked, and an `Idempotency-Key` is claimed, remembered and replayed."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from hub.core.auth import create_credential
from hub.core.authors import create_author
from hub.core.errors import Invalid
from hub.core.idempotency import StoredResponse
from hub.core.writes import Idempotency, write


@pytest.fixture(autouse=True)
def empty_media_dir(settings) -> None:
    shutil.rmtree(settings.media_dir / "projects", ignore_errors=True)


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


async def test_an_idempotency_key_is_claimed_remembered_and_replayed(db, resources):
    async with db.acquire() as conn, conn.transaction():
        author = await create_author(conn, "Ada")
        credential, _ = await create_credential(conn, author_id=author.id)
    same = hashlib.sha256(b"same").digest()
    key = Idempotency(credential.id, "k-1", same, method="POST", path="/x", field="key",
                      kept_headers=("location",))  # fmt: skip
    async with write(resources, lazy=True, idempotency=key) as tx:
        assert tx.begun and tx.replay is None  # a key begins at once, lazy or not
        await tx.remember(201, {"Location": "/a", "X-Other": "1"}, b"{}")
    async with write(resources, idempotency=key) as tx:
        assert tx.replay == StoredResponse(201, {"Location": "/a"}, b"{}")
    other = Idempotency(credential.id, "k-1", hashlib.sha256(b"other").digest(),
                        method="POST", path="/x", field="key", kept_headers=())  # fmt: skip
    with pytest.raises(Invalid):
        async with write(resources, idempotency=other):
            pass
