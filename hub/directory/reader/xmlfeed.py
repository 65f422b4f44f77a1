"""RSS 0.9x/1.0/2.0 and Atom: plain RSS 2.0 by `rss.read_rss`, every other document through
feedparser. Pure (bytes in; feedparser never fetches)."""

from __future__ import annotations

import calendar
import io
from datetime import UTC, datetime
from typing import Any

import feedparser

from hub.directory.reader.items import (
    MAX_ITEMS,
    Attachment,
    FeedError,
    ParsedFeed,
    ParsedPost,
    absolute_url,
    build_post,
    plain_text,
    shorten,
)
from hub.directory.reader.prolog import read_prolog
from hub.directory.reader.rss import read_rss


def parse_xml(data: bytes, url: str) -> ParsedFeed:
    # Entity declarations are refused outright (billion laughs, external entities), in every
    # encoding: no feed needs them. A DOCTYPE alone (RSS 0.91) is read.
    if read_prolog(data).declarations:
        raise FeedError("XML with a DTD internal subset or entity declarations is refused.")
    return build_feed(read_rss(data, url) or read_with_feedparser(data, url), url)


def build_feed(read: tuple[str, Any, list[Any]], url: str) -> ParsedFeed:
    """The `ParsedFeed` of what a reader found: (version, feed, entries) with feedparser's
    keys."""
    version, meta, entries = read
    fmt = "atom" if version.startswith("atom") else "rss"
    fmt_version = {
        "rss090": "0.90", "rss091n": "0.91", "rss091u": "0.91", "rss092": "0.92",
        "rss093": "0.93", "rss094": "0.94", "rss20": "2.0", "rss10": "1.0", "rss": None,
        "atom03": "0.3", "atom10": "1.0", "atom": None,
    }.get(version)  # fmt: skip
    link = absolute_url(meta.get("link"), url)
    hub = self_url = None
    for entry_link in meta.get("links", []):
        rel = entry_link.get("rel")
        if rel == "hub" and hub is None:
            hub = absolute_url(entry_link.get("href"), url)
        elif rel == "self" and self_url is None:
            self_url = absolute_url(entry_link.get("href"), url)
        elif rel == "alternate" and link is None:
            link = absolute_url(entry_link.get("href"), url)
    image = meta.get("image") or {}
    icon = absolute_url(image.get("href") or image.get("url"), url) or absolute_url(
        meta.get("icon") or meta.get("logo"), url
    )
    author = _fp_author(meta)
    posts = [_fp_post(entry, url, author) for entry in entries[: MAX_ITEMS * 2]]
    return ParsedFeed(
        format=fmt,
        format_version=fmt_version,
        title=plain_text(meta.get("title")) or "",
        link=link,
        description=shorten(plain_text(meta.get("subtitle") or meta.get("description")), 1000),
        icon=icon,
        language=(meta.get("language") or None),
        hub=hub,
        self_url=self_url,
        posts=tuple(posts),
    )


def read_with_feedparser(data: bytes, url: str) -> tuple[str, Any, list[Any]]:
    """Any RSS or Atom document feedparser reads: (version, feed, entries)."""
    parsed = feedparser.parse(
        io.BytesIO(data),
        response_headers={"content-location": url, "content-type": "application/xml"},
        sanitize_html=False,  # sanitize_html() below is the one allow-list
        resolve_relative_uris=False,  # clean_html() resolves against the item link
    )
    version = parsed.get("version") or ""
    if not version:
        reason = parsed.get("bozo_exception")
        raise FeedError(f"Not an RSS or Atom feed{f': {reason}' if reason else ''}.")
    if parsed.get("bozo") and not parsed.entries:
        raise FeedError(f"Malformed feed: {parsed.get('bozo_exception')}")
    return version, parsed.feed, parsed.entries


def _fp_date(entry: Any, *names: str) -> datetime | None:
    for name in names:
        value = dict.get(entry, f"{name}_parsed")  # no feedparser fallback mapping
        if value:
            try:
                moment = datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
            if moment.year >= 1970:
                return moment
    return None


def _fp_author(entry: Any) -> dict[str, str | None] | None:
    detail = entry.get("author_detail") or {}
    name = detail.get("name") or entry.get("author")
    if not name and not detail.get("href"):
        return None
    return {"name": plain_text(name), "url": detail.get("href"), "photo": None}


def _fp_post(entry: Any, base: str, feed_author: dict | None) -> ParsedPost:
    link = absolute_url(entry.get("link"), base)
    html = None
    if entry.get("content"):
        html = entry["content"][0].get("value")
    summary = entry.get("summary")
    if not html and summary:
        html, summary = summary, None
    attachments: list[Attachment] = []
    for enc in entry.get("enclosures", []):
        href = absolute_url(enc.get("href"), base)
        if href:
            length = enc.get("length")
            attachments.append(
                Attachment(
                    href,
                    enc.get("type") or None,
                    int(length) if str(length or "").isdigit() else None,
                )
            )
    image = None
    for media in entry.get("media_content", []) + entry.get("media_thumbnail", []):
        if (media.get("medium") in (None, "image")) and media.get("url"):
            kind = media.get("type") or ""
            if not kind or kind.startswith("image/"):
                image = absolute_url(media["url"], base)
                break
    reply = entry.get("thr_in-reply-to") or {}
    in_reply_to = absolute_url(reply.get("href") or reply.get("ref"), base) if reply else None
    guid = entry.get("id") or None
    published = _fp_date(entry, "published", "created", "updated")
    return build_post(
        base=base,
        guid=guid.strip() if isinstance(guid, str) and guid.strip() else None,
        link=link,
        title=entry.get("title"),
        html=html,
        summary=summary,
        image=image,
        attachments=attachments,
        author=_fp_author(entry) or feed_author,
        tags=[t.get("term") or t.get("label") for t in entry.get("tags", [])],
        in_reply_to=in_reply_to,
        published_at=published,
        updated_at=_fp_date(entry, "updated") or published,
    )
