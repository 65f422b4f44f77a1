"""What a verified source says about our target (webmention-site-feeds.md §1.5 step 5).

Pure: the parsed mf2 of the source (mf2py's dict) in, an `Interpretation` out: the
representative h-entry, the mention type (R-W7: reply > repost > like > bookmark > mention),
RSVP, author by the authorship algorithm (indieweb.org/authorship-spec: the steps that need the
author page are split out so the job can fetch it), sanitised and shortened content, published
time (UTC) and the mention URL (R-W10).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import orjson

from hub.core.urls import link_key, registrable_domain
from hub.core.webmentions.content import (
    MENTION_SUMMARY_CHARS,
    escape_text,
    sanitize_mention_html,
    truncate_text,
)

TYPE_PROPERTIES = (
    ("in-reply-to", "reply"),
    ("repost-of", "repost"),
    ("like-of", "like"),
    ("bookmark-of", "bookmark"),
)
RSVP_VALUES = ("yes", "no", "maybe", "interested")
MAX_RAW_MF2 = 64 * 1024


@dataclass
class Author:
    name: str | None = None
    url: str | None = None
    photo: str | None = None


@dataclass
class Interpretation:
    type: str = "mention"
    rsvp: str | None = None
    author: Author | None = None  # None: still to be found (see author_page)
    author_page: str | None = None  # an author URL whose page the job fetches (step 6)
    name: str | None = None
    content_html: str | None = None
    content_text: str | None = None
    published: datetime | None = None
    url: str | None = None
    raw: dict[str, Any] | None = None
    entry: dict[str, Any] | None = field(default=None, repr=False)


def _has_type(item: Any, kind: str) -> bool:
    return isinstance(item, dict) and kind in item.get("type", ())


def _values(item: dict, name: str) -> list:
    return list(item.get("properties", {}).get(name, ()))


def _first_str(item: dict, name: str) -> str | None:
    for value in _values(item, name):
        if isinstance(value, str):
            return value.strip() or None
        if isinstance(value, dict):
            text = value.get("value")
            if isinstance(text, str) and text.strip():
                return text.strip()
    return None


def _urls(value: Any) -> list[str]:
    """The URLs a property value stands for: the string, or an embedded item's url/uid."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        found = [u for name in ("url", "uid") for u in _values(value, name) if isinstance(u, str)]
        if isinstance(value.get("value"), str):
            found.append(value["value"])
        return found
    return []


def representative_entry(mf2: dict, urls: list[str]) -> tuple[dict | None, dict | None]:
    """(h-entry, parent h-feed or None): (a) a top-level h-entry, or a child of a top-level
    h-feed, whose url or uid is one of `urls`; else (b) the only top-level h-entry."""
    keys = {link_key(u) for u in urls} - {None}
    candidates: list[tuple[dict, dict | None]] = []
    for item in mf2.get("items", ()):
        if _has_type(item, "h-entry"):
            candidates.append((item, None))
        elif _has_type(item, "h-feed"):
            candidates += [(c, item) for c in item.get("children", ()) if _has_type(c, "h-entry")]
    for entry, feed in candidates:
        own = [u for name in ("url", "uid") for u in _values(entry, name) if isinstance(u, str)]
        if any(link_key(u) in keys for u in own):
            return entry, feed
    top = [item for item in mf2.get("items", ()) if _has_type(item, "h-entry")]
    return (top[0], None) if len(top) == 1 else (None, None)


def mention_type(entry: dict, target: str) -> tuple[str, str | None]:
    """(type, rsvp) of the mention of `target` in `entry` (R-W7, R-W8)."""
    wanted = link_key(target)
    for prop, kind in TYPE_PROPERTIES:
        if any(link_key(u) == wanted for v in _values(entry, prop) for u in _urls(v)):
            rsvp = (_first_str(entry, "rsvp") or "").lower() if kind == "reply" else ""
            return kind, rsvp if rsvp in RSVP_VALUES else None
    return "mention", None


def card_of(value: Any) -> Author | None:
    """An h-card property value as an Author, or None when it is not an h-card."""
    if not _has_type(value, "h-card"):
        return None
    url = _http(_first_str(value, "url"))
    photo = _values(value, "photo")
    photo_url = photo[0] if photo and isinstance(photo[0], str) else None
    if photo and isinstance(photo[0], dict):
        photo_url = photo[0].get("value")
    name = _first_str(value, "name") or (
        value.get("value") if isinstance(value.get("value"), str) else None
    )
    return Author(name=_clip(name, 200), url=url, photo=_http(photo_url))


def authorship(
    entry: dict, feed: dict | None, mf2: dict, *, permalink: bool
) -> Author | str | None:
    """Authorship steps 2-5: an Author when found on the page, the author page URL to fetch,
    or None (no author information: the fallback applies)."""
    values = _values(entry, "author") or (_values(feed, "author") if feed else [])
    if values:
        value = values[0]
        card = card_of(value)
        if card is not None:
            return card
        text = (
            value
            if isinstance(value, str)
            else (value.get("value") if isinstance(value, dict) else None)
        )
        if isinstance(text, str) and _http(text.strip()):
            return text.strip()
        if isinstance(text, str) and text.strip():
            return Author(name=_clip(text.strip(), 200))
    if permalink:
        rel_author = mf2.get("rels", {}).get("author") or []
        if rel_author and _http(rel_author[0]):
            return rel_author[0]
    return None


def card_from_author_page(page: dict, page_url: str) -> Author | None:
    """Authorship step 6 on the fetched author page: the first h-card with url = uid = the
    page URL, else the first whose url is also a rel=me link of the page."""
    key = link_key(page_url)
    cards = [item for item in _all_items(page) if _has_type(item, "h-card")]
    for card in cards:
        urls = {link_key(u) for u in _values(card, "url") if isinstance(u, str)}
        uids = {link_key(u) for u in _values(card, "uid") if isinstance(u, str)}
        if key in urls and key in uids:
            return card_of(card)
    me = {link_key(u) for u in page.get("rels", {}).get("me", ())}
    for card in cards:
        if any(link_key(u) in me for u in _values(card, "url") if isinstance(u, str)):
            return card_of(card)
    return None


def card_on_source(mf2: dict, author_page: str) -> Author | None:
    """Step 6, last clause: an h-card on the source page whose url is the author page."""
    key = link_key(author_page)
    for item in _all_items(mf2):
        if _has_type(item, "h-card") and any(
            link_key(u) == key for u in _values(item, "url") if isinstance(u, str)
        ):
            return card_of(item)
    return None


def fallback_author(source_url: str) -> Author:
    parts = urlsplit(source_url)
    return Author(name=parts.hostname, url=f"{parts.scheme}://{parts.netloc}/")


def _all_items(mf2: dict):
    stack = list(reversed(mf2.get("items", ())))
    while stack:
        item = stack.pop()
        if not isinstance(item, dict):
            continue
        yield item
        nested = list(item.get("children", ()))
        for values in item.get("properties", {}).values():
            nested += [v for v in values if isinstance(v, dict) and "type" in v]
        stack += reversed(nested)


def parse_published(value: str | None) -> datetime | None:
    """An ISO 8601 / RFC 3339 time as UTC (a time without an offset is taken as UTC)."""
    if not value:
        return None
    text = value.strip().replace(" ", "T", 1)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def interpret(
    mf2: dict, *, source: str, final_url: str, target: str, title: str | None
) -> Interpretation:
    """Everything the source page itself says; the job completes `author` from the author
    page when `author_page` is set, and falls back to the source host."""
    raw = _raw(mf2)
    entry, feed = representative_entry(mf2, [source, final_url])
    if entry is None:
        return Interpretation(name=_clip(title, 200), url=source, raw=raw)
    kind, rsvp = mention_type(entry, target)
    result = Interpretation(type=kind, rsvp=rsvp, raw=raw, entry=entry)
    found = authorship(entry, feed, mf2, permalink=True)
    if isinstance(found, Author):
        result.author = found
    elif isinstance(found, str):
        result.author_page = found
    _content(result, entry, kind)
    result.published = parse_published(_first_str(entry, "published"))
    own_url = _http(_first_str(entry, "url"))
    same_site = own_url and registrable_domain(urlsplit(own_url).hostname or "") == (
        registrable_domain(urlsplit(source).hostname or "")
    )
    result.url = own_url if same_site else source
    return result


def _content(result: Interpretation, entry: dict, kind: str) -> None:
    contents = _values(entry, "content")
    html_text = None
    plain = None
    if contents:
        first = contents[0]
        if isinstance(first, dict):
            html_text = first.get("html") if isinstance(first.get("html"), str) else None
            plain = first.get("value") if isinstance(first.get("value"), str) else None
        elif isinstance(first, str):
            plain = first
    summary = _first_str(entry, "summary")
    if kind == "mention" and (summary or plain or html_text):
        text = summary or plain or ""
        if not text and html_text:
            text = sanitize_mention_html(html_text)[1]
        text = truncate_text(" ".join(text.split()), MENTION_SUMMARY_CHARS)
        result.content_html, result.content_text = escape_text(text), text
    elif html_text and html_text.strip():
        result.content_html, result.content_text = sanitize_mention_html(html_text)
    elif plain and plain.strip():
        text = truncate_text(plain.strip())
        result.content_html, result.content_text = escape_text(text), text
    name = _first_str(entry, "name")
    content_text = " ".join((result.content_text or "").split())
    if name and not content_text.startswith(" ".join(name.split()).rstrip("…")):
        result.name = _clip(name, 1000)


def _raw(mf2: dict) -> dict | None:
    trimmed = {"items": mf2.get("items", []), "rels": mf2.get("rels", {})}
    return trimmed if len(orjson.dumps(trimmed)) <= MAX_RAW_MF2 else None


def _http(url: str | None) -> str | None:
    if url and url.strip().lower().startswith(("http://", "https://")) and len(url) <= 2048:
        return url.strip()
    return None


def _clip(text: str | None, limit: int) -> str | None:
    if not text:
        return None
    text = " ".join(text.split())
    return text[:limit] or None
