"""Feed parsing: bytes in, a `ParsedFeed` out. Pure: no network, no database.

Formats are detected by content, never by Content-Type (R-D20): JSON Feed 1.0/1.1 (our own
reader), RSS 0.9x/1.0/2.0 and Atom (feedparser), and h-feed / top-level h-entry HTML (mf2py).
Every item's HTML is sanitised and its dates normalised to UTC here, so what leaves this module
is safe to store.
"""

from __future__ import annotations

import codecs
import re
from datetime import UTC, datetime

from hub.directory.reader.hfeed import parse_hfeed
from hub.directory.reader.items import (
    FUTURE_SLACK,
    MAX_FEED_BYTES,
    MAX_ITEMS,
    Attachment,
    FeedError,
    ParsedFeed,
    ParsedPost,
    parse_date,
    replace,
)
from hub.directory.reader.jsonfeed import parse_json_feed
from hub.directory.reader.xmlfeed import parse_xml

__all__ = ["MAX_FEED_BYTES", "Attachment", "FeedError", "ParsedFeed", "ParsedPost", "parse_date",
           "parse_feed", "parse_hfeed", "sniff"]  # fmt: skip


# UTF-32 and UTF-16 by byte order mark, or by how "<" is written when there is none
_WIDE = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (b"<\0\0\0", "utf-32-le"), (b"\0\0\0<", "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
    (b"<\0", "utf-16-le"), (b"\0<", "utf-16-be"),
)  # fmt: skip


def sniff(data: bytes) -> str | None:
    """'json', 'xml' or 'html' from the first bytes; None when it is none of those. XML in
    UTF-16 or UTF-32 is XML too (the XML reader refuses its entity declarations as any)."""
    for mark, codec in _WIDE:
        if data.startswith(mark):
            wide = data[:8192].decode(codec, "ignore").lstrip("\ufeff \t\r\n").lower()
            xml = wide.startswith("<?xml") or re.match(r"<(?:rss|feed|rdf:rdf)[\s>]", wide)
            return "xml" if xml else None
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"{", b"[")):
        return "json"
    if head.startswith(b"<?xml") or re.match(rb"<(?:rss|feed|rdf:rdf)[\s>]", head):
        if b"<html" in head and not re.search(rb"<(?:rss|feed|rdf:rdf)[\s>]", head):
            return "html"
        return "xml"
    if head.startswith((b"<!doctype html", b"<html", b"<!--", b"<head", b"<body", b"<")):
        return "html"
    return None


def parse_feed(data: bytes, *, url: str, now: datetime) -> ParsedFeed:
    """Parse feed bytes fetched from `url` at `now`. Raises FeedError."""
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"The feed is larger than {MAX_FEED_BYTES} bytes.")
    kind = sniff(data)
    if kind == "json":
        feed = parse_json_feed(data, url)
    elif kind == "xml":
        feed = parse_xml(data, url)
    elif kind == "html":
        feed = parse_hfeed(data.decode("utf-8", errors="replace"), url=url)
        if feed is None:
            raise FeedError("The page has no h-feed and no h-entry.")
    else:
        raise FeedError("The document is not RSS, Atom, JSON Feed or HTML.")
    return _finish(feed, now)


def _finish(feed: ParsedFeed, now: datetime) -> ParsedFeed:
    """Clamp future dates, keep the newest MAX_ITEMS, drop duplicate identities."""
    limit = now + FUTURE_SLACK
    posts: dict[str, ParsedPost] = {}
    for post in feed.posts:
        published = post.published_at
        if published is not None and published > limit:
            published = now
        updated = post.updated_at
        if updated is not None and updated > limit:
            updated = now
        if post.identity not in posts:
            posts[post.identity] = replace(post, published_at=published, updated_at=updated)
    ordered = sorted(
        posts.values(),
        key=lambda p: p.published_at or datetime.min.replace(tzinfo=UTC),
        reverse=True,
    )
    return replace(feed, posts=tuple(ordered[:MAX_ITEMS]))
