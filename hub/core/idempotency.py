"""`Idempotency-Key` records (IETF draft-ietf-httpapi-idempotency-key-header), shared by the
Micropub and v1 adapters; this module owns the `idempotency_keys` table.

One record per (credential, key) holds the method, the path, a fingerprint of the request and
the response that was sent. It is written in the same transaction as the effect, so either
both exist or neither does; a failed request stores nothing and may be retried with the same
key. While a request with a key runs, its transaction holds an advisory lock on
hash(credential, key): a second request arriving meanwhile is refused (409); one arriving
after the commit finds the record and gets the stored response again; the same key with a
different request is refused (the adapter's status for `Invalid`). Records count for 24
hours; a cron job deletes older ones.

Each adapter decides what a fingerprint covers and which error field names the key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg

from hub.core.errors import Conflict, Invalid

LIFETIME = timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

MSG_FORMAT = "The Idempotency-Key must be 1 to 255 visible ASCII characters."
MSG_REUSED = "This Idempotency-Key was already used with a different request."
MSG_IN_FLIGHT = "A request with this Idempotency-Key is still being processed."


@dataclass(frozen=True)
class StoredResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def read_key(headers: Any, field: str) -> str | None:
    """The key a request sends, or None; a malformed key is `Invalid` on `field`. The draft's
    quoted form (`"abc"`) and the common bare form (`abc`) are both accepted."""
    raw = headers.get("idempotency-key")
    if raw is None:
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not _KEY.match(key):
        raise Invalid.field(field, MSG_FORMAT)
    return key


def lock_id(credential_id: int, key: str) -> int:
    digest = hashlib.sha256(f"idempotency:{credential_id}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def claim(
    conn: asyncpg.Connection, credential_id: int, key: str, fingerprint: bytes, *, field: str
) -> StoredResponse | None:
    """Take the key for the caller's transaction: the stored response to replay, or None when
    the request should run. `Conflict` while another request holds the key, `Invalid` on
    `field` when the key was used for a different request."""
    locked = await conn.fetchval(
        "SELECT pg_try_advisory_xact_lock($1)", lock_id(credential_id, key)
    )
    if not locked:
        raise Conflict(MSG_IN_FLIGHT, code="idempotency_in_flight")
    row = await conn.fetchrow(
        """
        SELECT fingerprint, status, headers, body FROM idempotency_keys
        WHERE credential_id = $1 AND key = $2 AND created_at > now() - $3::interval
        """,
        credential_id,
        key,
        LIFETIME,
    )
    if row is None:
        return None
    if bytes(row["fingerprint"]) != fingerprint:
        raise Invalid.field(field, MSG_REUSED, code="idempotency_key_reused")
    return StoredResponse(row["status"], dict(row["headers"]), bytes(row["body"]))


async def remember(
    conn: asyncpg.Connection, credential_id: int, key: str, *, method: str, path: str,
    fingerprint: bytes, response: StoredResponse, kept_headers: Iterable[str],
) -> None:  # fmt: skip
    """Store the response in the caller's transaction (the one that made the effect), with
    only the `kept_headers` (lower-case names); an expired record under the key is replaced."""
    kept = set(kept_headers)
    headers = {k: v for k, v in response.headers.items() if k.lower() in kept}
    await conn.execute(
        """
        INSERT INTO idempotency_keys
            (credential_id, key, method, path, fingerprint, status, headers, body)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (credential_id, key) DO UPDATE
        SET method = $3, path = $4, fingerprint = $5, status = $6, headers = $7, body = $8,
            created_at = now()
        WHERE idempotency_keys.created_at <= now() - $9::interval
        """,
        credential_id, key, method, path, fingerprint, response.status, headers, response.body,
        LIFETIME,
    )  # fmt: skip


async def expire(conn: asyncpg.Connection | asyncpg.Pool) -> int:
    """Delete records older than the 24 hours they count for; returns how many."""
    status = await conn.execute(
        "DELETE FROM idempotency_keys WHERE created_at <= now() - $1::interval", LIFETIME
    )
    return int(status.split()[-1])
