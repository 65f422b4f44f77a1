"""`Idempotency-Key` on v1 writes (publicasta-v1-resolved §4.1, EXT): what makes two v1
requests the same (method, canonical path and body), and the v1 face of the shared records in
`hub.core.idempotency` (errors on `idempotency_key`: 409 while in flight, 422 when the key was
used for a different request; status, Location, ETag and Content-Type replayed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import asyncpg
import orjson

from hub.core import idempotency as records
from hub.core.idempotency import REPLAYED_HEADER, StoredResponse

__all__ = ["REPLAYED_HEADER", "StoredResponse", "claim", "expire", "read_key", "remember"]

FIELD = "idempotency_key"
KEPT_HEADERS = ("location", "etag", "content-type")


def read_key(headers: Any) -> str | None:
    """The key a request sends, or None; a malformed key is 422 `errors.idempotency_key`."""
    return records.read_key(headers, FIELD)


def json_digest(raw: bytes) -> bytes:
    """A JSON body's digest, independent of key order and whitespace (the raw bytes when the
    body is not JSON: such a request fails anyway and stores nothing)."""
    try:
        canonical = orjson.dumps(orjson.loads(raw), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONDecodeError:
        canonical = raw
    return hashlib.sha256(canonical).digest()


def form_digest(
    fields: Iterable[tuple[str, str]], file_sha256: bytes | None, filename: str
) -> bytes:
    """A multipart body's digest: its text fields plus the file's hash and name (the boundary
    and part order differ between retries of the same upload)."""
    document = {"fields": sorted(fields), "file": (file_sha256 or b"").hex(), "name": filename}
    return hashlib.sha256(orjson.dumps(document)).digest()


def fingerprint(method: str, path: str, body_digest: bytes) -> bytes:
    return hashlib.sha256(f"{method.upper()} {path}\n".encode() + body_digest).digest()


async def claim(
    conn: asyncpg.Connection, credential_id: int, key: str, fingerprint_: bytes
) -> StoredResponse | None:
    """Take the key for this transaction: the stored response to replay, or None when the
    request should run. 409 while another request holds the key, 422 for a different one."""
    return await records.claim(conn, credential_id, key, fingerprint_, field=FIELD)


async def remember(
    conn: asyncpg.Connection, credential_id: int, key: str, method: str, path: str,
    fingerprint_: bytes, response: StoredResponse,
) -> None:  # fmt: skip
    """Store the response in the caller's transaction (the one that made the effect)."""
    await records.remember(
        conn, credential_id, key, method=method, path=path, fingerprint=fingerprint_,
        response=response, kept_headers=KEPT_HEADERS,
    )  # fmt: skip


async def expire(conn: asyncpg.Connection | asyncpg.Pool) -> int:
    """Delete records older than the 24 hours they count for."""
    return await records.expire(conn)
