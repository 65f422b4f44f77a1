"""The transaction every v1 write runs in: one connection, one transaction, the media files
it stages, and whether it is a dry run (rolled back at the end, files discarded).

After the commit the staged files are renamed into place and the jobs staged in the
transaction are handed to the queue (`queue_claimed`: one Redis call, no outbox flush), so a
rollback leaves neither a file nor a job behind.

A write may start without its transaction (`lazy`): until `Tx.begin`, each statement commits
on its own. A writer whose only write turns out to be one statement (a new article,
`pages.upsert`) then needs no BEGIN and COMMIT; any other begins before its first write.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
from asyncpg.transaction import Transaction

from hub.channels.media.files import StagedFiles
from hub.core.queue import claiming, queue_claimed
from hub.core.resources import Resources


@dataclass
class Tx:
    conn: asyncpg.Connection
    files: StagedFiles
    dry_run: bool = False
    _transaction: Transaction | None = None

    @property
    def begun(self) -> bool:
        return self._transaction is not None

    async def begin(self, *, lock: int | None = None) -> None:
        """Start the transaction (once); then take the advisory lock `lock` (a bigint key)."""
        if self._transaction is None:
            transaction = self.conn.transaction()
            await transaction.start()
            self._transaction = transaction
        if lock is not None:
            await self.conn.execute("SELECT pg_advisory_xact_lock($1::bigint)", lock)

    async def _end(self, *, commit: bool) -> None:
        transaction, self._transaction = self._transaction, None
        if transaction is not None:
            await (transaction.commit() if commit else transaction.rollback())


@contextlib.asynccontextmanager
async def write(
    resources: Resources, *, dry_run: bool = False, lazy: bool = False
) -> AsyncIterator[Tx]:
    """The write's transaction, begun at once unless `lazy` (never for a dry run)."""
    files = StagedFiles(resources.settings.media_dir)
    with claiming() as claimed:
        async with resources.pool.acquire() as conn:
            tx = Tx(conn, files, dry_run)
            try:
                if dry_run or not lazy:
                    await tx.begin()
                yield tx
            except BaseException:
                await tx._end(commit=False)
                await files.discard()
                raise
            if dry_run:
                await tx._end(commit=False)
                await files.discard()
                return
            try:
                await tx._end(commit=True)
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
