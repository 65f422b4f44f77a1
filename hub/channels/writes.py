"""The transaction every v1 write runs in: one connection, one transaction, the media files
it stages, and whether it is a dry run (rolled back at the end, files discarded).

After the commit the staged files are renamed into place and the jobs staged in the
transaction are handed to the queue (`queue_claimed`: one Redis call, no outbox flush), so a
rollback leaves neither a file nor a job behind.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg

from hub.channels.files import StagedFiles
from hub.core.queue import claiming, queue_claimed
from hub.core.resources import Resources


@dataclass
class Tx:
    conn: asyncpg.Connection
    files: StagedFiles
    dry_run: bool = False


@contextlib.asynccontextmanager
async def write(resources: Resources, *, dry_run: bool = False) -> AsyncIterator[Tx]:
    files = StagedFiles(resources.settings.media_dir)
    with claiming() as claimed:
        async with resources.pool.acquire() as conn:
            tr = conn.transaction()
            await tr.start()
            try:
                yield Tx(conn, files, dry_run)
            except BaseException:
                await tr.rollback()
                await files.discard()
                raise
            if dry_run:
                await tr.rollback()
                await files.discard()
                return
            try:
                await tr.commit()
            except BaseException:
                await files.discard()
                raise
    await files.publish()
    await queue_claimed(resources.pool, resources.redis, claimed)


def matches(if_match: str | None, etag: str | None) -> bool:
    """RFC 9110 §13.1.1 with strong comparison: `*` matches any current representation; a
    list matches when one of its entity tags equals `etag`; weak tags never match."""
    if if_match is None:
        return True
    if etag is None:
        return False
    tags = [t.strip() for t in if_match.split(",") if t.strip()]
    return "*" in tags or etag in tags


def entry_etag(version: int) -> str:
    return f'"v{version}"'


def channel_etag(updated_at) -> str:
    return f'"c{int(updated_at.timestamp() * 1_000_000)}"'
