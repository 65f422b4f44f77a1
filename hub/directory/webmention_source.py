"""Does a fetched source link to the target? (W3C §3.2.2; webmention-site-feeds.md §1.5 step 4)

Pure: media type, body bytes and URLs in. HTML is parsed once by html5lib (through
BeautifulSoup, the tree mf2py reads next), so links inside comments or escaped text never
count; candidates are `a`/`area`/`link` href, `img`/`video`/`audio`/`source` src and
`blockquote`/`q` cite, resolved against the final URL or `<base href>`. JSON: any string value
equal to the target. Plain text: the target as a substring.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup

from hub.directory.webmention_urls import link_key

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
class Source:
    kind: str  # html | json | text | other
    soup: BeautifulSoup | None = None
    text: str = ""


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


def html_links(soup: BeautifulSoup, url: str) -> list[str]:
    """Every candidate link of the document, resolved, in document order."""
    base = url
    tag = soup.find("base", href=True)
    if tag is not None:
        base = urljoin(url, str(tag["href"]).strip())
    links = []
    for element in soup.find_all(list(_ATTRIBUTES)):
        value = element.get(_ATTRIBUTES[element.name])
        if isinstance(value, str) and value.strip():
            links.append(urljoin(base, value.strip()))
    return links


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
    if source.kind == "html" and source.soup is not None:
        return any(link_key(link) == wanted for link in html_links(source.soup, url))
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


def says_gone(source: Source) -> bool:
    """`<meta http-equiv="Status" content="410 Gone">`: a deleted page behind a 200 proxy."""
    if source.kind != "html" or source.soup is None:
        return False
    for meta in source.soup.find_all("meta"):
        equiv = str(meta.get("http-equiv", "")).strip().lower()
        if equiv == "status" and str(meta.get("content", "")).strip().startswith("410"):
            return True
    return False


def title_of(source: Source) -> str | None:
    if source.kind != "html" or source.soup is None or source.soup.title is None:
        return None
    text = " ".join(source.soup.title.get_text().split())
    return text[:200] or None
