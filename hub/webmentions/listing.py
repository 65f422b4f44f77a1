"""The owner's list (webmention-site-feeds.md §1.9): `GET /api/webmentions?status=...` with a
token (the directory API only admits tokens with the `directory` scope) lists the mentions of
the caller's own channels in that status, newest received first, 50 a page, with their status
and error, so a client can moderate. Its SQL is in `hub.core.webmentions.queries`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub.core.errors import Invalid
from hub.core.resources import Resources
from hub.core.webmentions import queries as q
from hub.core.webmentions.moderation import STATUSES
from hub.webmentions.receive import (
    PAGE_SIZE,
    page_cursor,
    parse_page_cursor,
    present_mention,
)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def present_owned(row: Any, urls: Any) -> dict[str, Any]:
    """A Mention with what only the owner sees: status, error and the receipt time."""
    return {
        **present_mention(row, urls),
        "status": row["status"],
        "error": row["error"],
        "received_at": _iso(row["received_at"]),
    }


async def list_owned(
    resources: Resources, author_id: int, status: str, *, before: str | None, page_url: Any
) -> dict[str, Any]:
    if status not in STATUSES:
        raise Invalid(f"status must be one of {', '.join(STATUSES)}")
    cursor = parse_page_cursor(before) if before else (None, None)
    async with resources.pool.acquire() as conn:
        rows = await q.list_owned(conn, author_id, status, cursor, PAGE_SIZE + 1)
        count = await q.count_owned(conn, author_id, status)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_url = (
        str(
            page_url.include_query_params(
                before=page_cursor(rows[-1]["received_at"], rows[-1]["id"])
            )
        )
        if more
        else None
    )
    return {
        "count": count,
        "next": next_url,
        "results": [present_owned(r, resources.urls) for r in rows],
    }
