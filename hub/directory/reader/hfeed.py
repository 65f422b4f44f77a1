"""h-feed (or top-level h-entry items) from microformats2 HTML through mf2py. Pure: the
document is always given, so mf2py never fetches."""

from __future__ import annotations

import re
from typing import Any

import mf2py

from hub.directory.reader.items import (
    MAX_ITEMS,
    ParsedFeed,
    ParsedPost,
    absolute_url,
    build_post,
    parse_date,
    plain_text,
    shorten,
)


def parse_hfeed(html: str, *, url: str) -> ParsedFeed | None:
    """The h-feed of a page (or its top-level h-entry items as an implied feed); None if none."""
    if not html.strip():
        return None
    doc = mf2py.parse(doc=html, url=url)
    items = doc.get("items", [])
    feed = next((i for i in _walk(items) if "h-feed" in i.get("type", [])), None)
    if feed is not None:
        entries = [c for c in feed.get("children", []) if "h-entry" in c.get("type", [])]
        props = feed.get("properties", {})
    else:
        entries = [i for i in items if "h-entry" in i.get("type", [])]
        props = {}
    if not entries:
        return None
    rels = doc.get("rels", {})
    feed_author = _mf_card(_first(props.get("author")))
    title = _first_text(props.get("name")) or _html_title(html) or ""
    return ParsedFeed(
        format="hfeed",
        format_version=None,
        title=title,
        link=absolute_url(_first_text(props.get("url")), url) or url,
        description=shorten(_first_text(props.get("summary")), 1000),
        icon=absolute_url(_first_url(props.get("photo")), url),
        language=feed.get("lang") if feed else None,
        hub=absolute_url((rels.get("hub") or [None])[0], url),
        self_url=absolute_url((rels.get("self") or [None])[0], url),
        posts=tuple(_mf_post(e, url, feed_author) for e in entries[: MAX_ITEMS * 2]),
    )


def _walk(items: list[dict]):
    for item in items:
        yield item
        yield from _walk(item.get("children", []))


def _first(values: Any) -> Any:
    return values[0] if isinstance(values, list) and values else None


def _first_text(values: Any) -> str | None:
    value = _first(values)
    if isinstance(value, dict):
        value = value.get("value") or (value.get("properties", {}).get("name") or [None])[0]
    return value.strip() if isinstance(value, str) and value.strip() else None


def _first_url(values: Any) -> str | None:
    value = _first(values)
    if isinstance(value, dict):
        value = value.get("value") or _first((value.get("properties") or {}).get("url"))
    return value if isinstance(value, str) else None


def _mf_card(value: Any) -> dict[str, str | None] | None:
    if isinstance(value, str):
        return {"name": value, "url": None, "photo": None}
    if not isinstance(value, dict):
        return None
    props = value.get("properties", {})
    return {
        "name": _first_text(props.get("name")),
        "url": _first_url(props.get("url")),
        "photo": _first_url(props.get("photo")),
    }


def _html_title(html: str) -> str | None:
    match = re.search(r"<title[^>]*>(.*?)</title>", html[:65536], re.I | re.S)
    return plain_text(match.group(1)) if match else None


def _mf_post(entry: dict, base: str, feed_author: dict | None) -> ParsedPost:
    props = entry.get("properties", {})
    content = _first(props.get("content"))
    html = text = None
    if isinstance(content, dict):
        html = content.get("html") or None
        text = content.get("value") or None
    elif isinstance(content, str):
        text = content
    names = props.get("name") or []
    name = _first_text(names)
    photos = [absolute_url(_first_url([p]), base) for p in props.get("photo", [])]
    link = absolute_url(_first_url(props.get("url")), base)
    published = parse_date(_first_text(props.get("published")))
    in_reply_to = absolute_url(_first_url(props.get("in-reply-to")), base)
    categories = [c for c in props.get("category", []) if isinstance(c, str)]
    return build_post(
        base=base,
        guid=_first_url(props.get("uid")),
        link=link,
        title=name,
        html=html,
        text=text if not html else None,
        summary=_first_text(props.get("summary")),
        image=next((p for p in photos if p), None),
        author=_mf_card(_first(props.get("author"))) or feed_author,
        tags=categories,
        in_reply_to=in_reply_to,
        published_at=published,
        updated_at=parse_date(_first_text(props.get("updated"))) or published,
        title_is_implied=True,
    )
