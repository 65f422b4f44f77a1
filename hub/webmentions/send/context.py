"""Reply context (issue 16): what a response target's page says about itself, for the h-cite
the entry page renders (`u-in-reply-to`, `u-like-of`, ...; R-W23: rendering never fetches).

Pure: the page's mf2 (mf2py's dict) and its BeautifulSoup tree in, a `Context` out. The
representative h-entry first (the one whose url is the target, else the only top-level one;
the same rules the verifier reads sources with): its title, its author by the authorship steps
that need no second fetch, its own URL when on the target's site. The name of an h-entry that
is only its content (a note, or mf2's implied name) is no title: a short plain preview of the
content stands in. What the h-entry leaves out comes from the page's head: `og:title` or
`<title>`, `rel=canonical` or `og:url`, and `<meta name="author">` / `article:author`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import mf2py

from hub.core.urls import registrable_domain
from hub.core.webmentions.content import truncate_text
from hub.webmentions.send.discovery import HTML_TYPES, media_type
from hub.webmentions.verify.mf2 import (
    Author,
    authorship,
    card_on_source,
    representative_entry,
)
from hub.webmentions.verify.source import load

TITLE_CHARS = 200
PREVIEW_CHARS = 100  # a note's text standing in for its title
NAME_CHARS = 200
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


@dataclass(frozen=True)
class Context:
    name: str | None = None  # the target's title (or a preview of a note's text)
    url: str | None = None  # its canonical URL, on the target's site
    author_name: str | None = None
    author_url: str | None = None
    author_photo: str | None = None  # the remote URL; re-hosted before it is shown

    def __bool__(self) -> bool:
        return any((self.name, self.url, self.author_name, self.author_url))


def context_of_page(
    url: str, headers: Iterable[tuple[str, str]], body: bytes, target: str
) -> Context | None:
    """The context of a fetched target page (final URL `url`); None unless it is HTML that
    says something of use. CPU-bound (html5lib, mf2py): big pages go off the event loop."""
    kind, charset = media_type(list(headers))
    if kind not in HTML_TYPES:
        return None
    page = load(kind, charset, body)
    if page.soup is None:
        return None
    return read_context(mf2py.parse(doc=page.soup, url=url), page.soup, url, target)


def read_context(mf2: dict, soup: Any, page_url: str, target: str) -> Context | None:
    """The context of the target page fetched from `target` (final URL `page_url`), or None
    when it says nothing of use."""
    entry, feed = representative_entry(mf2, [target, page_url])
    name = url = None
    author = Author()
    if entry is not None:
        name = entry_title(entry)
        url = _same_site(_first_str(entry, "url"), target)
        found = authorship(entry, feed, mf2, permalink=True)
        if isinstance(found, str):  # an author page: its h-card on this page, else the URL
            found = card_on_source(mf2, found) or Author(url=found)
        author = found or author
    head = _head(soup, page_url)
    canonical = (mf2.get("rels", {}).get("canonical") or [None])[0]
    context = Context(
        name=name or head["title"],
        url=url or _same_site(canonical, target) or _same_site(head["og:url"], target),
        author_name=_clean(author.name, NAME_CHARS) or _clean(head["author"], NAME_CHARS),
        author_url=_http(author.url) or _http(head["article:author"]),
        author_photo=_http(author.photo),
    )
    return context if context else None


def entry_title(entry: dict) -> str | None:
    """An h-entry's title: its name unless that is just its content (then a preview of the
    content), else a preview of its content or summary."""
    name = _clean(_first_str(entry, "name"), 10_000)
    text = _clean(_content_text(entry) or _first_str(entry, "summary"), 10_000)
    if name and not (text and _is_content(name, text)):
        return truncate_text(name, TITLE_CHARS)
    return truncate_text(text, PREVIEW_CHARS) if text else None


def _is_content(name: str, text: str) -> bool:
    """mf2 implies a name from the element's whole text: a name holding the content, or
    the start of it, is the content, not a title."""
    name = name.rstrip("…").strip()
    return text in name or text.startswith(name)


def _content_text(entry: dict) -> str | None:
    for value in entry.get("properties", {}).get("content", ()):
        if isinstance(value, dict) and isinstance(value.get("value"), str):
            return value["value"]
        if isinstance(value, str):
            return value
    return None


def _first_str(item: dict, name: str) -> str | None:
    for value in item.get("properties", {}).get(name, ()):
        if isinstance(value, dict):
            value = value.get("value")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _head(soup: Any, page_url: str) -> dict[str, str | None]:
    """`title` (og:title, else <title>), `og:url`, `author` and `article:author` of a page."""
    found: dict[str, str | None] = dict.fromkeys(("og:title", "og:url", "author",
                                                  "article:author"))  # fmt: skip
    title = None
    if soup is not None:
        for meta in soup.find_all("meta"):
            key = (meta.get("property") or meta.get("name") or "").strip().lower()
            content = meta.get("content")
            if key in found and found[key] is None and isinstance(content, str):
                found[key] = content.strip() or None
        tag = soup.find("title")
        title = tag.get_text() if tag is not None else None
    for key in ("og:url", "article:author"):
        if found[key] and _http(urljoin(page_url, found[key])):
            found[key] = urljoin(page_url, found[key])
    author = found["article:author"]
    if author and not _http(author):  # article:author may be a name, not a profile URL
        found["author"] = found["author"] or author
        found["article:author"] = None
    return {
        "title": _clean(found["og:title"], TITLE_CHARS) or _clean(title, TITLE_CHARS),
        "og:url": found["og:url"],
        "author": found["author"],
        "article:author": found["article:author"],
    }


def _same_site(url: str | None, target: str) -> str | None:
    """`url` when it is http(s) on the target's registrable domain (a page cannot claim to
    be another site's), else None."""
    url = _http(url)
    if url is None:
        return None
    mine = registrable_domain(urlsplit(target).hostname or "")
    return url if registrable_domain(urlsplit(url).hostname or "") == mine else None


def _http(url: str | None) -> str | None:
    if not isinstance(url, str):
        return None
    url = url.strip()
    if url.lower().startswith(("http://", "https://")) and len(url) <= 2048:
        return url
    return None


def _clean(text: str | None, limit: int) -> str | None:
    """One line of plain text without control characters, at most `limit` characters."""
    if not isinstance(text, str):
        return None
    text = " ".join(_CONTROLS.sub(" ", text).split())
    return truncate_text(text, limit) if text else None
