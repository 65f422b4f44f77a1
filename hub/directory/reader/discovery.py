"""Feed discovery and the main-feed rule. Pure: HTML and headers in, candidate URLs out.

R-D21: `<link rel="alternate">` with an RSS, Atom or JSON type, the HTTP `Link` header, and the
page itself when it holds an h-feed or top-level h-entry items; probe paths only when nothing
is found. R-D25 picks the main feed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from hub.directory.urlnorm import origin

FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/feed+json": "jsonfeed",
    "application/json": "jsonfeed",
    "application/rdf+xml": "rss",
    "application/xml": "rss",
    "text/xml": "rss",
}
PROBE_PATHS = ("/feed", "/rss.xml", "/atom.xml", "/index.xml", "/feed.json")
MAX_CANDIDATES = 20


@dataclass(frozen=True)
class Candidate:
    url: str
    type: str | None
    title: str | None = None


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str]] = []
        self.base: str | None = None
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"]
        elif tag in ("link", "a") and values.get("href") and values.get("rel"):
            self.links.append({**values, "tag": tag})


def html_links(html: str) -> tuple[list[dict[str, str]], str | None]:
    parser = _Links()
    try:
        parser.feed(html[: 2 * 1024 * 1024])
        parser.close()
    except Exception:  # noqa: S110 - broken markup: keep what was found
        pass
    return parser.links, parser.base


_LINK_HEADER = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
_PARAM = re.compile(r";\s*([a-zA-Z*]+)\s*=\s*(\"[^\"]*\"|[^;,\s]+)")


def parse_link_header(value: str) -> list[dict[str, str]]:
    """RFC 8288 `Link` header values as dicts with `href` and the lowercased parameters."""
    out = []
    for match in _LINK_HEADER.finditer(value or ""):
        params = {k.lower(): v.strip('"') for k, v in _PARAM.findall(match.group(2))}
        out.append({"href": match.group(1).strip(), **params})
    return out


def feed_links(html: str, *, url: str, link_header: str = "") -> list[Candidate]:
    """Feeds advertised by a page, in document order, the Link header first, deduplicated."""
    links, base = html_links(html)
    base_url = urljoin(url, base) if base else url
    found: list[Candidate] = []
    seen: set[str] = set()
    entries = [(h, url) for h in parse_link_header(link_header)] + [
        (h, base_url) for h in links if h.get("tag") == "link"
    ]
    for link, against in entries:
        rels = link.get("rel", "").lower().split()
        kind = link.get("type", "").lower().split(";")[0].strip()
        if "alternate" not in rels or kind not in FEED_TYPES:
            continue
        if (
            kind in ("application/xml", "text/xml", "application/rdf+xml")
            and "feed" not in (link.get("href", "").lower() + link.get("title", "").lower())
            and "rss" not in link.get("href", "").lower()
        ):
            continue
        target = urljoin(against, link["href"].strip())
        if not target.startswith(("http://", "https://")) or target in seen:
            continue
        seen.add(target)
        found.append(Candidate(target, FEED_TYPES[kind], link.get("title") or None))
    return found[:MAX_CANDIDATES]


def hub_links(html: str, *, url: str, link_header: str = "") -> tuple[str | None, str | None]:
    """(`rel=hub`, `rel=self`) from the Link header or the document, for WebSub."""
    hub = self_url = None
    links, _ = html_links(html) if html else ([], None)
    for link in parse_link_header(link_header) + links:
        rels = link.get("rel", "").lower().split()
        href = urljoin(url, link.get("href", ""))
        if "hub" in rels and hub is None:
            hub = href
        if "self" in rels and self_url is None:
            self_url = href
    return hub, self_url


def probe_urls(url: str) -> list[str]:
    root = origin(url)
    return [root + path for path in PROBE_PATHS]


@dataclass(frozen=True)
class FeedSummary:
    feed_url: str
    format: str
    title: str


def is_comment_feed(feed: FeedSummary) -> bool:
    title = feed.title.lower()
    return "comments" in feed.feed_url.lower() or title.startswith(("comments on", "comments for"))


def choose_main(feeds: list[FeedSummary]) -> int | None:
    """Index of the main feed (R-D25): FeedBurner, then JSON Feed, then the shortest URL;
    comment feeds only when alone; h-feed only when there is nothing else."""
    if not feeds:
        return None
    indexed = list(enumerate(feeds))
    pool = [(i, f) for i, f in indexed if not is_comment_feed(f)] or indexed
    pool = [(i, f) for i, f in pool if f.format != "hfeed"] or pool

    def rank(item: tuple[int, FeedSummary]) -> tuple[int, int, int, str]:
        _, f = item
        burner = 0 if "feedburner" in f.feed_url.lower() or "feedproxy" in f.feed_url else 1
        json_first = 0 if f.format == "jsonfeed" else 1
        return (burner, json_first, len(f.feed_url), f.feed_url)

    return min(pool, key=rank)[0]
