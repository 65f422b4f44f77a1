"""The write unit both write APIs (Micropub and v1) run their writes in.

`write()` gives one connection and, on it, one transaction; what the write does beside the
database follows the transaction:

- **files**: media files are staged (`tx.files`, `hub.core.files.StagedFiles`) and renamed
  into place after the commit, or discarded after a rollback or a dry run;
- **jobs**: every job staged inside the unit (`queue.stage_job`, `stage_jobs`, however deep
  in the core) is claimed and queued right after the commit (`queue.queue_claimed`: one Redis
  call, no outbox flush); a rollback drops them with their outbox rows (docs/decisions/0003);
- **dry run**: everything runs, then is rolled back and its files discarded;
- **lazy**: the transaction starts at `Tx.begin`; until then each statement commits on its
  own, so a write whose only write is one statement needs no BEGIN and COMMIT
  (docs/decisions/0005). A dry run and a write with an `Idempotency-Key` begin at once;
- **Idempotency-Key**: with an `Idempotency`, the unit claims the key first
  (`hub.core.idempotency`): a stored response is handed back as `tx.replay` (plain data: the
  adapter renders it and runs nothing), and `tx.remember(...)` stores the response in the
  transaction of the effect.

The adapters keep their wire parts: which header carries the key, what a fingerprint covers,
which error field names the key, which headers are stored, how a replay is rendered.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import asyncpg
from asyncpg.transaction import Transaction

from hub.core import idempotency as records
from hub.core.files import StagedFiles
from hub.core.idempotency import StoredResponse
from hub.core.queue import claiming, queue_claimed
from hub.core.resources import Resources


@dataclass(frozen=True)
class Idempotency:
    """A request's `Idempotency-Key` as an adapter read it: whose key, which key, what makes
    two requests the same (`fingerprint`), what is recorded (`method`, `path`, the
    `kept_headers` of the response, lower-case) and which error field names the key."""

    credential_id: int
    key: str
    fingerprint: bytes
    method: str
    path: str
    field: str
    kept_headers: tuple[str, ...]


@dataclass
class Tx:
    """One write: its connection, its staged files, whether it is a dry run, and the stored
    response to replay instead of running (with an `Idempotency-Key` already used)."""

    conn: asyncpg.Connection
    files: StagedFiles
    dry_run: bool = False
    idempotency: Idempotency | None = None
    replay: StoredResponse | None = None
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

    async def remember(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        """Store the response (its status, headers and body) for replays of the unit's
        `Idempotency-Key`, in the transaction of the effect; without a key, nothing."""
        idem = self.idempotency
        if idem is None:
            return
        response = StoredResponse(status, dict(headers), bytes(body))
        await records.remember(
            self.conn, idem.credential_id, idem.key, method=idem.method, path=idem.path,
            fingerprint=idem.fingerprint, response=response, kept_headers=idem.kept_headers,
        )  # fmt: skip

    async def _end(self, *, commit: bool) -> None:
        transaction, self._transaction = self._transaction, None
        if transaction is not None:
            await (transaction.commit() if commit else transaction.rollback())


@contextlib.asynccontextmanager
async def write(
    resources: Resources,
    *,
    dry_run: bool = False,
    lazy: bool = False,
    idempotency: Idempotency | None = None,
) -> AsyncIterator[Tx]:
    """The write unit, begun at once unless `lazy` (never for a dry run or with a key)."""
    files = StagedFiles(resources.settings.media_dir)
    with claiming() as claimed:
        async with resources.pool.acquire() as conn:
            tx = Tx(conn, files, dry_run, idempotency)
            try:
                if dry_run or not lazy or idempotency is not None:
                    await tx.begin()
                if idempotency is not None:
                    tx.replay = await records.claim(
                        conn, idempotency.credential_id, idempotency.key,
                        idempotency.fingerprint, field=idempotency.field,
                    )  # fmt: skip
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
    await queue_claimed(resources.redis, claimed)
