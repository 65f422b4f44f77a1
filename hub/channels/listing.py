"""The page list's query (EXT §4.4): filters, the keyset cursor and its limit, parsed purely.

`GET /channels/{c}/pages?status=&language=&q=&updated_since=&order=&cursor=&limit=`. The cursor
is opaque to clients: the (updated_at, id) of the last page item, in microseconds, base64url.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hub.channels.schemas import (
    MSG_LANGUAGE,
    MSG_STATUS,
    Problems,
    parse_datetime,
)
from hub.core.languages import normalise_language

LIST_STATUSES = ("draft", "moderation_review", "scheduled", "published", "archived")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
KNOWN = {"status", "language", "q", "updated_since", "order", "cursor", "limit", "dry_run"}


@dataclass(frozen=True)
class ListQuery:
    status: str | None = None
    language: str | None = None
    q: str | None = None
    updated_since: datetime | None = None
    descending: bool = True
    after: tuple[datetime, int] | None = None
    limit: int = DEFAULT_LIMIT

    @property
    def title_pattern(self) -> str | None:
        """`q` as an ILIKE pattern with its wildcards escaped: a plain substring match."""
        if not self.q:
            return None
        escaped = self.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"%{escaped}%"


def encode_cursor(updated_at: datetime, entry_id: int) -> str:
    micros = (updated_at - _EPOCH) // timedelta(microseconds=1)
    return base64.urlsafe_b64encode(f"{micros}:{entry_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        micros, entry_id = (int(part) for part in text.split(":"))
        return _EPOCH + timedelta(microseconds=micros), entry_id
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError):
        return None


def parse_list_query(params: Mapping[str, str]) -> ListQuery:
    problems = Problems()
    status = params.get("status") or None
    if status is not None and status not in LIST_STATUSES:
        problems.add("status", MSG_STATUS)
    language = None
    if params.get("language"):
        language = normalise_language(params["language"])
        if language is None:
            problems.add("language", MSG_LANGUAGE)
    q = (params.get("q") or "").strip() or None
    if q is not None and len(q) > 200:
        problems.add("q", "The q may not be greater than 200 characters.")
    since = None
    if "updated_since" in params:  # empty is no date-time either (the OpenAPI says so)
        since = parse_datetime(params["updated_since"], "updated_since", problems)
    order = params.get("order") or "desc"
    if order not in ("asc", "desc"):
        problems.add("order", "The order must be asc or desc.")
    after = None
    if params.get("cursor"):
        after = decode_cursor(params["cursor"])
        if after is None:
            problems.add("cursor", "The cursor is not valid; use next_cursor from a previous page.")
    limit = DEFAULT_LIMIT
    if params.get("limit"):
        raw = params["limit"]
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
            problems.add("limit", f"The limit must be an integer between 1 and {MAX_LIMIT}.")
        else:
            limit = int(raw)
    problems.raise_if_any()
    return ListQuery(status, language, q, since, order == "desc", after, limit)
