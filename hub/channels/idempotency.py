"""`Idempotency-Key` on v1 writes (publicasta-v1-resolved §4.1, EXT; IETF
draft-ietf-httpapi-idempotency-key-header).

One record per (credential, key) holds the method, the path, a fingerprint of the request and
the response that was sent. It is written in the same transaction as the effect, so either
both exist or neither does; a failed request stores nothing and may be retried with the same
key. While a request with a key runs it holds a transaction advisory lock on hash(credential,
key): a second one arriving meanwhile gets 409; one arriving after the commit finds the
record and gets the stored response again (`Idempotent-Replayed: true`); the same key with a
different request gets 422. Records count for 24 hours; a cron job deletes older ones.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
import orjson

from hub.channels import queries
from hub.core.errors import Conflict, Invalid

LIFETIME = timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("location", "etag", "content-type")
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

MSG_FORMAT = "The Idempotency-Key must be 1 to 255 visible ASCII characters."
MSG_REUSED = "This Idempotency-Key was already used with a different request."
MSG_IN_FLIGHT = "A request with this Idempotency-Key is still being processed."


@dataclass(frozen=True)
class StoredResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def read_key(headers: Any) -> str | None:
    """The key a request sends, or None; a malformed key is 422 `errors.idempotency_key`.
    The draft's quoted form (`"abc"`) and the common bare form (`abc`) are both accepted."""
    raw = headers.get("idempotency-key")
    if raw is None:
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not _KEY.match(key):
        raise Invalid.field("idempotency_key", MSG_FORMAT)
    return key


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


def _lock_id(credential_id: int, key: str) -> int:
    digest = hashlib.sha256(f"idempotency:{credential_id}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def claim(
    conn: asyncpg.Connection, credential_id: int, key: str, fingerprint_: bytes
) -> StoredResponse | None:
    """Take the key for this transaction: the stored response to replay, or None when the
    request should run. 409 while another request holds the key, 422 for a different one."""
    locked = await conn.fetchval(
        "SELECT pg_try_advisory_xact_lock($1)", _lock_id(credential_id, key)
    )
    if not locked:
        raise Conflict(MSG_IN_FLIGHT, code="idempotency_in_flight")
    row = await queries.select_idempotency_key(conn, credential_id, key, LIFETIME)
    if row is None:
        return None
    if bytes(row["fingerprint"]) != fingerprint_:
        raise Invalid.field("idempotency_key", MSG_REUSED, code="idempotency_key_reused")
    return StoredResponse(row["status"], dict(row["headers"]), bytes(row["body"]))


async def remember(
    conn: asyncpg.Connection, credential_id: int, key: str, method: str, path: str,
    fingerprint_: bytes, response: StoredResponse,
) -> None:  # fmt: skip
    """Store the response in the caller's transaction (the one that made the effect)."""
    headers = {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
    await queries.upsert_idempotency_key(
        conn, credential_id, key, method, path, fingerprint_, response.status, headers,
        response.body, LIFETIME,
    )  # fmt: skip


async def expire(conn: asyncpg.Connection | asyncpg.Pool) -> int:
    """Delete records older than the 24 hours they count for."""
    return await queries.delete_expired_idempotency_keys(conn, LIFETIME)
