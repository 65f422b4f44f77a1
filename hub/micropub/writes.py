"""The transaction around every `POST /micropub` write, and `Idempotency-Key` (EXT, §3.7).

`write()` opens one connection in one transaction for the service to work in; files the
service stored are deleted when the transaction fails, and jobs it staged are queued after the
commit. With an `Idempotency-Key`, the transaction first takes the key (a transaction advisory
lock on credential + key): a stored response less than 24 hours old is replayed
(`Idempotent-Replayed: true`) and nothing runs; otherwise the response is stored in the same
transaction as the effect, so either both exist or neither does. The same key with another
request is 400; a second request while the first still runs is 409. Records live in the shared
`idempotency_keys` table (expired by the v1 adapter's cron job).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import orjson
from starlette.responses import Response

from hub.core import idempotency as records
from hub.core.entries import attachments
from hub.core.queue import claiming, queue_claimed
from hub.core.resources import Resources
from hub.micropub.bodies import Body, UploadedFile

FIELD = "Idempotency-Key"
KEPT_HEADERS = ("location",)


@dataclass
class Write:
    conn: asyncpg.Connection
    written: list[str] = field(default_factory=list)  # files stored: deleted on rollback
    replay: Response | None = None  # the stored answer to an idempotent retry


@dataclass(frozen=True)
class Idempotency:
    credential_id: int
    key: str
    fingerprint: bytes


def read_key(headers: Any) -> str | None:
    """The `Idempotency-Key` a request sends (bare or quoted), or None; malformed is 400."""
    return records.read_key(headers, FIELD)


def fingerprint(body: Body) -> bytes:
    """What makes two requests the same: the JSON document (key order and spacing aside), or
    the form fields in order with files by content; never the token."""
    if body.kind == "json":
        document: Any = body.document
    else:
        document = [
            [name, value if isinstance(value, str) else _file_digest(value)]
            for name, value in body.pairs
            if name != "access_token"
        ]
    canonical = orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(b"POST /micropub\n" + canonical).digest()


def _file_digest(value: UploadedFile) -> str:
    return "sha256:" + hashlib.sha256(value.data).hexdigest()


@contextlib.asynccontextmanager
async def write(resources: Resources, idempotency: Idempotency | None) -> AsyncIterator[Write]:
    written: list[str] = []
    try:
        with claiming() as claimed:
            async with resources.pool.acquire() as conn, conn.transaction():
                current = Write(conn, written)
                if idempotency is not None:
                    current.replay = await _claim(conn, idempotency)
                yield current
    except BaseException:
        await attachments.delete_files(resources.settings, written)
        raise
    await queue_claimed(resources.pool, resources.redis, claimed)


async def _claim(conn: asyncpg.Connection, idem: Idempotency) -> Response | None:
    stored = await records.claim(conn, idem.credential_id, idem.key, idem.fingerprint, field=FIELD)
    if stored is None:
        return None
    headers = {**stored.headers, records.REPLAYED_HEADER: "true"}
    media_type = "application/json" if stored.body else None
    return Response(stored.body, status_code=stored.status, headers=headers, media_type=media_type)


async def remember(conn: asyncpg.Connection, idem: Idempotency | None, response: Response) -> None:
    """Store `response` for replays, in the transaction of the effect."""
    if idem is None:
        return
    stored = records.StoredResponse(
        response.status_code, dict(response.headers), bytes(response.body)
    )
    await records.remember(
        conn, idem.credential_id, idem.key, method="POST", path="/micropub",
        fingerprint=idem.fingerprint, response=stored, kept_headers=KEPT_HEADERS,
    )  # fmt: skip
