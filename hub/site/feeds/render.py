"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 documents from one neutral description, pure
(webmention-site-feeds §4.2 to 4.4). XML is written by hand with escaping, and characters XML 1.0
forbids are dropped, so every document is well-formed whatever the content."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

import orjson

GENERATOR = "hub"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class FeedItem:
    id: str  # the translation permalink (R-W28)
    url: str
    title: str  # empty for notes
    content_html: str  # absolute URLs, sanitised
    summary: str | None
    published: datetime
    modified: datetime
    language: str
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    external_url: str | None = None


@dataclass(frozen=True)
class FeedDoc:
    title: str
    home_url: str  # the HTML page of this scope
    feed_url: str  # this document's own URL
    description: str | None
    language: str
    updated: datetime
    author_name: str
    author_url: str
    icon: str | None
    hub: str | None
    items: list[FeedItem]


def _x(text: str | None) -> str:
    """Text or attribute content for XML: escaped, with forbidden characters dropped."""
    text = _NOT_XML.sub("", text or "")
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def rfc822(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC))  # "+0000"


def rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


def rss(doc: FeedDoc) -> str:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"'
        ' xmlns:atom="http://www.w3.org/2005/Atom"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n',
        f"<title>{_x(doc.title)}</title>\n<link>{_x(doc.home_url)}</link>\n",
        f"<description>{_x(doc.description or doc.title)}</description>\n",
        f"<language>{_x(doc.language)}</language>\n",
        f"<lastBuildDate>{rfc822(doc.updated)}</lastBuildDate>\n",
        f"<generator>{GENERATOR}</generator>\n",
        f'<atom:link rel="self" type="application/rss+xml" href="{_x(doc.feed_url)}"/>\n',
    ]
    if doc.hub:
        out.append(f'<atom:link rel="hub" href="{_x(doc.hub)}"/>\n')
    if doc.icon:
        out.append(
            f"<image><url>{_x(doc.icon)}</url><title>{_x(doc.title)}</title>"
            f"<link>{_x(doc.home_url)}</link></image>\n"
        )
    for item in doc.items:
        out.append("<item>\n")
        if item.title:
            out.append(f"<title>{_x(item.title)}</title>\n")
        out.append(f"<link>{_x(item.url)}</link>\n")
        out.append(f'<guid isPermaLink="true">{_x(item.id)}</guid>\n')
        out.append(f"<pubDate>{rfc822(item.published)}</pubDate>\n")
        out.append(f"<description>{_x(item.summary or item.content_html)}</description>\n")
        out.append(f"<content:encoded>{_x(item.content_html)}</content:encoded>\n")
        out.extend(f"<category>{_x(tag)}</category>\n" for tag in item.tags)
        out.append(f"<dc:creator>{_x(doc.author_name)}</dc:creator>\n</item>\n")
    out.append("</channel>\n</rss>\n")
    return "".join(out)


def atom(doc: FeedDoc) -> str:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{_x(doc.language)}">\n',
        f"<id>{_x(doc.home_url)}</id>\n<title>{_x(doc.title)}</title>\n",
        f"<updated>{rfc3339(doc.updated)}</updated>\n",
        f'<link rel="self" type="application/atom+xml" href="{_x(doc.feed_url)}"/>\n',
        f'<link rel="alternate" type="text/html" href="{_x(doc.home_url)}"/>\n',
    ]
    if doc.hub:
        out.append(f'<link rel="hub" href="{_x(doc.hub)}"/>\n')
    out.append(
        f"<author><name>{_x(doc.author_name)}</name><uri>{_x(doc.author_url)}</uri></author>\n"
        f"<generator>{GENERATOR}</generator>\n"
    )
    if doc.icon:
        out.append(f"<icon>{_x(doc.icon)}</icon>\n<logo>{_x(doc.icon)}</logo>\n")
    if doc.description:
        out.append(f"<subtitle>{_x(doc.description)}</subtitle>\n")
    for item in doc.items:
        out.append(
            f'<entry xml:lang="{_x(item.language)}">\n<id>{_x(item.id)}</id>\n'
            f"<title>{_x(item.title)}</title>\n"
            f'<link rel="alternate" type="text/html" href="{_x(item.url)}"/>\n'
            f"<published>{rfc3339(item.published)}</published>\n"
            f"<updated>{rfc3339(item.modified)}</updated>\n"
        )
        if item.summary:
            out.append(f'<summary type="text">{_x(item.summary)}</summary>\n')
        out.append(f'<content type="html">{_x(item.content_html)}</content>\n')
        out.extend(f'<category term="{_x(tag)}"/>\n' for tag in item.tags)
        out.append("</entry>\n")
    out.append("</feed>\n")
    return "".join(out)


def json_feed(doc: FeedDoc) -> bytes:
    author: dict[str, str] = {"name": doc.author_name, "url": doc.author_url}
    if doc.icon:
        author["avatar"] = doc.icon
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": doc.title,
        "home_page_url": doc.home_url,
        "feed_url": doc.feed_url,
    }
    if doc.description:
        feed["description"] = doc.description
    if doc.icon:
        feed["icon"] = doc.icon
        feed["favicon"] = doc.icon
    feed["authors"] = [author]
    feed["language"] = doc.language
    if doc.hub:
        feed["hubs"] = [{"type": "WebSub", "url": doc.hub}]
    feed["items"] = [_json_item(item) for item in doc.items]
    return orjson.dumps(feed)


def _json_item(item: FeedItem) -> dict[str, object]:
    out: dict[str, object] = {"id": item.id, "url": item.url}
    if item.external_url:
        out["external_url"] = item.external_url
    if item.title:
        out["title"] = item.title
    out["content_html"] = item.content_html
    if item.summary:
        out["summary"] = item.summary
    if item.image:
        out["image"] = item.image
    out["date_published"] = rfc3339(item.published)
    out["date_modified"] = rfc3339(item.modified)
    if item.tags:
        out["tags"] = item.tags
    out["language"] = item.language
    return out
