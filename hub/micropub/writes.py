"""The Micropub parts of the write unit (`hub.core.writes`) every `POST /micropub` write runs
in: `Idempotency-Key` (EXT, §3.7) as Micropub reads, fingerprints and replays it.

With a key, the unit first takes it (a transaction advisory lock on credential + key): a
stored response less than 24 hours old is replayed (`Idempotent-Replayed: true`) and nothing
runs; otherwise the response is stored in the same transaction as the effect, so either both
exist or neither does. The same key with another request is 400; a second request while the
first still runs is 409. Records live in the shared `idempotency_keys` table (expired by the
v1 adapter's cron job).
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from starlette.responses import Response

from hub.core import idempotency as records
from hub.core import writes
from hub.micropub.bodies import Body, UploadedFile

FIELD = "Idempotency-Key"
KEPT_HEADERS = ("location",)
METHOD, PATH = "POST", "/micropub"


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
    return hashlib.sha256(f"{METHOD} {PATH}\n".encode() + canonical).digest()


def _file_digest(value: UploadedFile) -> str:
    return "sha256:" + hashlib.sha256(value.data).hexdigest()


def idempotency(credential_id: int, key: str, body: Body) -> writes.Idempotency:
    """The write unit's key for a `POST /micropub` with this body."""
    return writes.Idempotency(
        credential_id, key, fingerprint(body), method=METHOD, path=PATH, field=FIELD,
        kept_headers=KEPT_HEADERS,
    )  # fmt: skip


def replayed(stored: records.StoredResponse) -> Response:
    """The stored answer to an idempotent retry, as sent again."""
    headers = {**stored.headers, records.REPLAYED_HEADER: "true"}
    media_type = "application/json" if stored.body else None
    return Response(stored.body, status_code=stored.status, headers=headers, media_type=media_type)
