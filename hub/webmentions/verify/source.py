"""Does a fetched source link to the target? (W3C §3.2.2; webmention-site-feeds.md §1.5 step 4)

Pure: media type, body bytes and URLs in. HTML is parsed once by html5lib (through
BeautifulSoup, the tree mf2py reads next), so links inside comments or escaped text never
count; candidates are `a`/`area`/`link` href, `img`/`video`/`audio`/`source` src and
`blockquote`/`q` cite, resolved against the final URL or `<base href>`. JSON: any string value
equal to the target. Plain text: the target as a substring.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup

from hub.core.urls import link_key

MAX_BYTES = 1024 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")
JSON_TYPES = ("application/json", "application/ld+json", "application/activity+json")
_ATTRIBUTES = {
    "a": "href",
    "area": "href",
    "link": "href",
    "img": "src",
    "video": "src",
    "audio": "src",
    "source": "src",
    "blockquote": "cite",
    "q": "cite",
}


@dataclass
class Scan:
    """What the verifier reads from an HTML tree, gathered in one walk."""

    links: list[str]  # candidate links, resolved, in document order
    gone: bool  # `<meta http-equiv="Status" content="410 ...">`
    title: str | None


@dataclass
class Source:
    kind: str  # html | json | text | other
    soup: BeautifulSoup | None = None
    text: str = ""
    _scan: Scan | None = field(default=None, repr=False)

    def scan(self, url: str) -> Scan | None:
        """The HTML tree's links (resolved against `url`), status meta and title; None when
        this is not HTML. Walked once, whichever question comes first."""
        if self.soup is None:
            return None
        if self._scan is None:
            self._scan = scan(self.soup, url)
        return self._scan


def load(media_type: str, charset: str | None, body: bytes) -> Source:
    """The body as the verifier reads it, by media type (`+json` and `+xml` variants too)."""
    body = body[:MAX_BYTES]
    if media_type in HTML_TYPES:
        soup = BeautifulSoup(body, "html5lib", from_encoding=charset)
        return Source("html", soup=soup)
    if media_type in JSON_TYPES or media_type.endswith("+json"):
        return Source("json", text=_decode(body, charset))
    if media_type == "text/plain":
        return Source("text", text=_decode(body, charset))
    return Source("other")


def _decode(body: bytes, charset: str | None) -> str:
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def scan(soup: BeautifulSoup, url: str) -> Scan:
    """One walk over the tree: candidate links (resolved against `url` or the first
    `<base href>`), the 410 status meta, the first `<title>`."""
    base: str | None = None
    raw: list[str] = []
    gone = False
    title: str | None = None
    for element in soup.find_all(True):
        name = element.name
        attribute = _ATTRIBUTES.get(name)
        if attribute is not None:
            value = element.get(attribute)
            if isinstance(value, str) and value.strip():
                raw.append(value.strip())
        elif name == "base" and base is None and isinstance(element.get("href"), str):
            base = urljoin(url, element["href"].strip())
        elif name == "meta":
            equiv = str(element.get("http-equiv", "")).strip().lower()
            if equiv == "status" and str(element.get("content", "")).strip().startswith("410"):
                gone = True
        elif name == "title" and title is None:
            title = " ".join(element.get_text().split())[:200] or None
    resolved_base = base or url
    return Scan([urljoin(resolved_base, link) for link in raw], gone, title)


def html_links(soup: BeautifulSoup, url: str) -> list[str]:
    """Every candidate link of the document, resolved, in document order."""
    return scan(soup, url).links


def _json_strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def links_to(source: Source, url: str, target: str) -> bool:
    """Whether the source at `url` (the final URL) links to `target` (compared by link_key)."""
    wanted = link_key(target)
    if wanted is None:
        return False
    found = source.scan(url) if source.kind == "html" else None
    if found is not None:
        return any(link_key(link) == wanted for link in found.links)
    if source.kind == "json":
        try:
            data = json.loads(source.text)
        except ValueError:
            return False
        return any(
            value.strip() == target or link_key(value.strip()) == wanted
            for value in _json_strings(data)
            if value.startswith(("http://", "https://"))
        )
    if source.kind == "text":
        return target in source.text
    return False


def says_gone(source: Source, url: str) -> bool:
    """`<meta http-equiv="Status" content="410 Gone">`: a deleted page behind a 200 proxy."""
    found = source.scan(url) if source.kind == "html" else None
    return found is not None and found.gone


def title_of(source: Source, url: str) -> str | None:
    found = source.scan(url) if source.kind == "html" else None
    return found.title if found is not None else None
