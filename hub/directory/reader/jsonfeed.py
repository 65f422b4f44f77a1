"""JSON Feed 1.0 and 1.1, read by hand (the `version` URL is checked). Pure."""

from __future__ import annotations

import json
from typing import Any

from hub.directory.reader.items import (
    MAX_ITEMS,
    Attachment,
    FeedError,
    ParsedFeed,
    ParsedPost,
    absolute_url,
    build_post,
    parse_date,
    plain_text,
    shorten,
)

_JSONFEED_VERSIONS = {
    "https://jsonfeed.org/version/1": "1.0",
    "https://jsonfeed.org/version/1.1": "1.1",
    "http://jsonfeed.org/version/1": "1.0",
}


def parse_json_feed(data: bytes, url: str) -> ParsedFeed:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"Invalid JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("version") not in _JSONFEED_VERSIONS:
        raise FeedError("Not a JSON Feed (no known `version`).")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedError("A JSON Feed needs an `items` array.")
    feed_author = _jf_author(doc)
    hub = None
    for h in doc.get("hubs") or []:
        if isinstance(h, dict) and h.get("url"):
            hub = absolute_url(h["url"], url)
            break
    posts = [_jf_post(i, url, feed_author) for i in items[: MAX_ITEMS * 2] if isinstance(i, dict)]
    return ParsedFeed(
        format="jsonfeed",
        format_version=_JSONFEED_VERSIONS[doc["version"]],
        title=plain_text(_str(doc.get("title"))) or "",
        link=absolute_url(doc.get("home_page_url"), url),
        description=shorten(plain_text(_str(doc.get("description"))), 1000),
        icon=absolute_url(doc.get("icon"), url) or absolute_url(doc.get("favicon"), url),
        language=_str(doc.get("language")),
        hub=hub,
        self_url=absolute_url(doc.get("feed_url"), url),
        posts=tuple(posts),
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _jf_author(obj: dict) -> dict[str, str | None] | None:
    authors = obj.get("authors")
    first = authors[0] if isinstance(authors, list) and authors else obj.get("author")
    if not isinstance(first, dict):
        return None
    return {"name": _str(first.get("name")), "url": _str(first.get("url")),
            "photo": _str(first.get("avatar"))}  # fmt: skip


def _jf_post(item: dict, base: str, feed_author: dict | None) -> ParsedPost:
    attachments = []
    for a in item.get("attachments") or []:
        if isinstance(a, dict) and (href := absolute_url(a.get("url"), base)):
            size = a.get("size_in_bytes")
            attachments.append(
                Attachment(
                    href,
                    _str(a.get("mime_type")),
                    size if isinstance(size, int) else None,
                    _str(a.get("title")),
                )
            )
    item_id = item.get("id")
    guid = str(item_id) if isinstance(item_id, (str, int)) and str(item_id).strip() else None
    published = parse_date(item.get("date_published"))
    return build_post(
        base=base,
        guid=guid,
        link=absolute_url(item.get("url"), base) or absolute_url(item.get("external_url"), base),
        title=_str(item.get("title")),
        html=_str(item.get("content_html")),
        text=_str(item.get("content_text")),
        summary=_str(item.get("summary")),
        image=absolute_url(item.get("image"), base) or absolute_url(item.get("banner_image"), base),
        attachments=attachments,
        author=_jf_author(item) or feed_author,
        tags=[t for t in item.get("tags") or [] if isinstance(t, str)],
        published_at=published,
        updated_at=parse_date(item.get("date_modified")) or published,
    )
