"""Request parsing and response shapes of the directory API (pine-blog-directory-resolved.md §2).

Pure: records and plain values in, JSON-ready dicts out. Keys are stable (`null` when empty),
except `is_recommended` / `is_subscribed`, which exist only for token callers (§2.5).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from hub.core.errors import Invalid, NotFound
from hub.core.inputs import INT4_MAX
from hub.directory.search.parser import SITE_TYPES
from hub.directory.search.sql import ORDERINGS
from hub.web.drf.errors import InvalidPage

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


def ts(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise NotFound("Not found.") from None


def parse_page(params: Mapping[str, str]) -> tuple[int, int]:
    """(page, page_size) from `page` (≥ 1) and `page_size` (capped at 100)."""
    try:
        page = int(params.get("page", "1"))
    except ValueError:
        raise Invalid.field("page", "page must be a positive integer.") from None
    if not 1 <= page <= INT4_MAX:  # (page - 1) * page_size stays a bigint OFFSET
        raise Invalid.field("page", "page must be a positive integer.")
    try:
        size = int(params.get("page_size", str(PAGE_SIZE)))
    except ValueError:
        raise Invalid.field("page_size", "page_size must be a positive integer.") from None
    if size < 1:
        raise Invalid.field("page_size", "page_size must be a positive integer.")
    return page, min(size, MAX_PAGE_SIZE)


def paginated(
    *,
    base: str,
    path: str,
    params: Mapping[str, str] | Any,
    page: int,
    size: int,
    count: int,
    results: list[Any],
) -> dict[str, Any]:
    """The DRF page envelope; a page past the end is 404 `Invalid page.`."""
    if page > 1 and (page - 1) * size >= count:
        raise InvalidPage("Invalid page.")
    items = [(k, v) for k, v in params.multi_items() if k != "page"] if hasattr(
        params, "multi_items"
    ) else [(k, v) for k, v in params.items() if k != "page"]  # fmt: skip

    def link(number: int) -> str:
        query = sorted([*items, ("page", str(number))])
        return f"{base}{path}?{urlencode(query)}"

    return {
        "count": count,
        "next": link(page + 1) if page * size < count else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": results,
    }


def parse_ordering(value: str | None, *, default: str, allow_relevance: bool) -> str:
    ordering = value or default
    if ordering not in ORDERINGS or (ordering == "relevance" and not allow_relevance):
        choices = [o for o in ORDERINGS if allow_relevance or o != "relevance"]
        raise Invalid.field("ordering", f"ordering must be one of {', '.join(choices)}.")
    return ordering


def parse_types(values: list[str]) -> list[str] | None:
    if not values:
        return None
    for value in values:
        if value not in SITE_TYPES:
            raise Invalid.field("type", f"type must be one of {', '.join(SITE_TYPES)}.")
    return list(dict.fromkeys(values))


def parse_time(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid.field(name, f"{name} must be an ISO 8601 timestamp.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Links:
    def __init__(self, base: str) -> None:
        self.base = base

    def site(self, site_id: Any) -> str:
        return f"{self.base}/api/sites/{site_id}"

    def feed(self, feed_id: Any) -> str:
        return f"{self.base}/api/feeds/{feed_id}"

    def post(self, post_id: Any) -> str:
        return f"{self.base}/api/posts/{post_id}"

    def tag(self, name: str) -> str:
        return f"{self.base}/api/tags/{name}"


def feed_summary(row: Mapping[str, Any], links: Links) -> dict[str, Any] | None:
    if row["main_feed_id"] is None:
        return None
    return {
        "id": str(row["main_feed_id"]),
        "url": links.feed(row["main_feed_id"]),
        "feed_url": row["main_feed_url"],
        "title": row["main_feed_title"],
        "format": row["main_feed_format"],
    }


def site(row: Mapping[str, Any], links: Links, *, authed: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(row["id"]),
        "url": links.site(row["id"]),
        "title": row["title"],
        "description": row["description"],
        "link": row["link"],
        "type": row["type"],
        "total_recommendations": row["total_recommendations"],
        "main_feed": feed_summary(row, links),
        "feeds": links.site(row["id"]) + "/feeds",
        "tags": list(row["tags"]),
        "icon": row["icon"],
        "language": row["language"],
        "created_at": ts(row["created_at"]),
        "updated_at": ts(row["last_post_at"]),
    }
    if authed:
        body["is_recommended"] = bool(row["is_recommended"])
        body["is_subscribed"] = bool(row["is_subscribed"])
    if "score" in row.keys():
        body["score"] = round(float(row["score"]), 6)
    return body


def feed(row: Mapping[str, Any], links: Links, *, authed: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(row["id"]),
        "url": links.feed(row["id"]),
        "site": links.site(row["site_id"]),
        "feed_url": row["feed_url"],
        "link": row["link"],
        "title": row["title"],
        "description": row["description"],
        "format": row["format"],
        "format_version": row["format_version"],
        "is_main": row["is_main"],
        "status": row["status"],
        "posts_per_week": round(float(row["posts_per_week"]), 2),
        "last_fetched_at": ts(row["last_fetched_at"]),
        "updated_at": ts(row["posts_changed_at"]),
        "websub": row["websub"],
        "posts": links.feed(row["id"]) + "/posts",
    }
    if authed:
        body["is_subscribed"] = bool(row["is_subscribed"])
    return body


def post(row: Mapping[str, Any], links: Links) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "url": links.post(row["id"]),
        "feed": links.feed(row["feed_id"]),
        "site": links.site(row["site_id"]),
        "guid": row["guid"],
        "link": row["link"],
        "title": row["title"],
        "content": row["content"],
        "content_text": row["content_text"],
        "summary": row["summary"],
        "image": row["image"],
        "attachments": row["attachments"],
        "author": row["author"],
        "tags": list(row["tags"]),
        "in_reply_to": row["in_reply_to"],
        "published_at": ts(row["published_at"]),
        "updated_at": ts(row["updated_at"]),
    }


def tag(row: Mapping[str, Any], links: Links) -> dict[str, Any]:
    return {
        "name": row["name"],
        "url": links.tag(row["name"]),
        "site_count": row["site_count"],
        "sites": links.tag(row["name"]) + "/sites",
    }
