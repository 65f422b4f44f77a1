"""OPML 2.0 in and out (subscription import/export). Pure.

Documents with a DOCTYPE or entity declarations, in any encoding, are refused before parsing
(no entity expansion, no external fetches; `prolog`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import quoteattr

from hub.directory.reader.prolog import read_prolog

MAX_OUTLINES = 1000


class OpmlError(ValueError):
    pass


def parse_opml(data: bytes) -> list[tuple[str, str | None]]:
    """(xmlUrl, title) of every feed outline, in document order, without duplicates."""
    prolog = read_prolog(data)
    if prolog.doctype or prolog.declarations:
        raise OpmlError("OPML with a DTD or entity declarations is refused.")
    try:
        root = ET.fromstring(data)  # noqa: S314 - see the module docstring
    except ET.ParseError as exc:
        raise OpmlError(f"Not well-formed XML: {exc}") from None
    if root.tag.lower() != "opml":
        raise OpmlError("Not an OPML document.")
    found: dict[str, str | None] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url and url not in found:
            found[url] = outline.get("title") or outline.get("text")
        if len(found) >= MAX_OUTLINES:
            break
    return list(found.items())


def render_opml(title: str, feeds: list[dict[str, str | None]]) -> str:
    """An OPML 2.0 list of feeds (`feed_url`, `title`, `link`, `format`)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{_text(title)}</title>",
        f"    <dateCreated>{format_datetime(datetime.now(UTC), usegmt=True)}</dateCreated>",
        "  </head>",
        "  <body>",
    ]
    for feed in feeds:
        name = feed.get("title") or feed["feed_url"]
        kind = "rss" if feed.get("format") in ("rss", "atom") else feed.get("format") or "rss"
        attrs = f"type={quoteattr(kind)} text={quoteattr(name)} title={quoteattr(name)} "
        attrs += f"xmlUrl={quoteattr(feed['feed_url'])}"
        if feed.get("link"):
            attrs += f" htmlUrl={quoteattr(feed['link'])}"
        lines.append(f"    <outline {attrs}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sites_as_feeds(sites: list[dict]) -> list[dict[str, str | None]]:
    """The main feeds of API Site objects, for `format=opml` lists."""
    return [
        {"feed_url": s["main_feed"]["feed_url"], "title": s["title"] or s["main_feed"]["title"],
         "link": s["link"], "format": s["main_feed"]["format"]}
        for s in sites
        if s.get("main_feed")
    ]  # fmt: skip
