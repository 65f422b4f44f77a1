"""`Idempotency-Key` on v1 writes (publicasta-v1-resolved §4.1, EXT): the v1 wire parts of
the write unit's key (`hub.core.writes`): what makes two v1 requests the same (method,
canonical path and body), the error field (`idempotency_key`: 409 while in flight, 422 when
the key was used for a different request) and what is replayed (status, Location, ETag and
Content-Type).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import asyncpg
import orjson

from hub.core import idempotency as records
from hub.core import writes
from hub.core.idempotency import REPLAYED_HEADER

__all__ = ["REPLAYED_HEADER", "expire", "for_request", "read_key"]

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


def for_request(
    credential_id: int, key: str, method: str, path: str, body_digest: bytes
) -> writes.Idempotency:
    """The write unit's key for a v1 request to `path` (canonical) with this body digest."""
    return writes.Idempotency(
        credential_id, key, fingerprint(method, path, body_digest), method=method, path=path,
        field=FIELD, kept_headers=KEPT_HEADERS,
    )  # fmt: skip


async def expire(conn: asyncpg.Connection | asyncpg.Pool) -> int:
    """Delete records older than the 24 hours they count for."""
    return await records.expire(conn)
