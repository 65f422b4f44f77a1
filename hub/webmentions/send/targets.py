"""Which URLs an entry sends webmentions to (webmention-site-feeds.md §2.2, R-W18). Pure.

The union over the published translations of every `a[href]` in the sanitised content HTML
(resolved against the translation's permalink) and of the URL values of `in-reply-to`,
`like-of`, `repost-of` and `bookmark-of` (strings or h-cite objects). Dropped: non-http(s) URLs,
the entry's own URLs, duplicates by §1.4 and anything past the first 100.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from hub.core.urls import BadURL, normalize

PROPERTIES = ("in-reply-to", "like-of", "repost-of", "bookmark-of")
MAX_TARGETS = 100


@dataclass(frozen=True)
class Translation:
    language: str
    content_html: str
    permalink: str


@dataclass(frozen=True)
class SendTarget:
    target: str  # as linked
    norm: str  # §1.4, without the fragment
    source: str  # the permalink that holds the link (the primary's when several do)


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href and href.strip():
                self.hrefs.append(href.strip())


_ANCHOR_START = re.compile(r"<a[\t\n\r\f />]", re.IGNORECASE)  # how an `a` start tag begins

# The HTML the sanitiser writes, tag by tag: every `<` begins a start or end tag whose
# attributes are `name` or `name="value"` (double quotes, no `<` inside), one space or more
# before each. When every `<` of a text begins such a tag (and none is a `script` or `style`,
# whose contents the tokenizer reads as text), its tags are exactly the tokenizer's, read by
# one regular expression instead of `HTMLParser` (issue 20: planning the sends of a batch).
_TAG = re.compile(r'<(/?)([A-Za-z][^\s/<>"]*)((?:\s+[^\s"\'>/=<]+(?:="[^"<]*")?)*)\s*/?>')
_ATTR = re.compile(r'\s+([^\s"\'>/=<]+)(?:="([^"<]*)")?')
_RAW_TEXT = frozenset({"script", "style"})
# an absolute http(s) URL that `urljoin` gives back unchanged (with a host, no params, no empty
# query or fragment): resolving it is skipped
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~%/+-]*)?"
                        r"(?:\?[A-Za-z0-9._~%=&+-]+)?")  # fmt: skip


def _sanitised_hrefs(html: str) -> list[str] | None:
    """The `a` start tags' hrefs (the last `href` of a tag, as `dict(attrs)` keeps it,
    unescaped and stripped; empty ones left out) when `html` is tag for tag what the
    sanitiser writes, else None (the tokenizer reads it)."""
    hrefs: list[str] = []
    tags = 0
    for match in _TAG.finditer(html):
        tags += 1
        name = match[2].lower()
        if name in _RAW_TEXT:
            return None
        if name == "a" and not match[1]:
            href = None
            for key, value in _ATTR.findall(match[3]):
                if key.lower() == "href":
                    href = value
            href = unescape(href).strip() if href else ""
            if href:
                hrefs.append(href)
    return hrefs if tags == html.count("<") else None


def content_links(content_html: str, base: str) -> list[str]:
    """Every `a[href]` of stored (already sanitised) HTML, resolved against `base`."""
    if not _ANCHOR_START.search(content_html or ""):  # no `a` tag: no parse (most notes)
        return []
    hrefs = _sanitised_hrefs(content_html)
    if hrefs is None:
        parser = _Anchors()
        parser.feed(content_html)
        parser.close()
        hrefs = parser.hrefs
    return [href if _PLAIN_URL.fullmatch(href) else urljoin(base, href) for href in hrefs]


def property_urls(properties: dict[str, Any]) -> list[str]:
    """URL values of the response properties: strings, or the `url` of h-cite objects."""
    found: list[str] = []
    for name in PROPERTIES:
        values = properties.get(name) or []
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, str):
                found.append(value.strip())
            elif isinstance(value, dict):
                nested = value.get("properties", value)
                urls = nested.get("url") or []
                urls = urls if isinstance(urls, list) else [urls]
                found += [u.strip() for u in urls if isinstance(u, str)]
    return found


def entry_targets(
    translations: Iterable[Translation],
    properties: dict[str, Any],
    *,
    is_own: Callable[[str], bool],
) -> list[SendTarget]:
    """Targets in document order, primary translation first. `is_own(norm)` says whether a
    URL is one of this entry's own permalinks (skipped)."""
    ordered = list(translations)
    if not ordered:
        return []
    primary = ordered[0].permalink
    candidates = [(url, primary) for url in property_urls(properties)]
    for translation in ordered:
        links = content_links(translation.content_html, translation.permalink)
        candidates += [(url, translation.permalink) for url in links]
    targets: dict[str, SendTarget] = {}
    for url, source in candidates:
        try:
            norm = normalize(url)
        except BadURL:
            continue
        if is_own(norm) or urlsplit(url).scheme.lower() not in ("http", "https"):
            continue
        if norm not in targets:
            if len(targets) >= MAX_TARGETS:
                continue
            targets[norm] = SendTarget(url.split("#", 1)[0], norm, source)
    return list(targets.values())
