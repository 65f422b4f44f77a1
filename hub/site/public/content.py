"""Stored content made ready to show, pure: HTML cleaned again at display time, relative URLs
made absolute, microformats property classes taken out of author content, response targets
read from `entries.properties` with the reply contexts the send job kept, and the generated
bodies of content-less responses.

Why clean again: content is sanitised before it is stored (DESIGN "Content safety"), but the
page must not depend on every writer having done so. And author HTML may carry mf2 property
classes (`u-like-of`, `p-name`, ...) that the allow-list keeps: inside our `e-content` they
would become properties of our own h-entry, so they are dropped here (nested `h-*` roots are
kept; they parse as children, never as our properties).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from html import escape
from typing import Any
from urllib.parse import urljoin, urlsplit

import nh3

from hub.core.sanitize import ATTRIBUTES, TAGS, URL_SCHEMES, strip_tags
from hub.core.urls import BadURL, normalize

_DROP_WITH_CONTENT = {"script", "style", "template", "noscript", "textarea", "title", "iframe",
                      "object", "noembed", "noframes", "select"}  # fmt: skip
_ROOT_CLASS = re.compile(r"^(?:h-[a-z0-9-]+|language-[A-Za-z0-9_+-]+|image-embed)$")
_URL_ATTRIBUTES = {"href", "src", "poster", "cite"}

RESPONSE_KINDS = ("in-reply-to", "like-of", "repost-of", "bookmark-of")
RESPONSE_VERBS = {
    "in-reply-to": "In reply to",
    "like-of": "Liked",
    "repost-of": "Reposted",
    "bookmark-of": "Bookmarked",
}


def _absolute_srcset(base: str, value: str) -> str:
    parts = []
    for candidate in value.split(","):
        bits = candidate.strip().split(None, 1)
        if bits:
            parts.append(" ".join([urljoin(base, bits[0]), *bits[1:]]))
    return ", ".join(parts)


@functools.lru_cache(maxsize=1024)
def display_html(markup: str, base: str) -> str:
    """`markup` through the node allow-list once more, with URLs resolved against `base`
    (the permalink) and only root/code/figure classes kept. Cached: the same stored HTML
    renders the same way."""

    def attribute(tag: str, name: str, value: str) -> str | None:
        if name in _URL_ATTRIBUTES:
            return urljoin(base, value.strip())
        if name == "srcset":
            return _absolute_srcset(base, value)
        if name == "class":
            return " ".join(c for c in value.split() if _ROOT_CLASS.match(c)) or None
        return value

    return nh3.clean(
        markup,
        tags=set(TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes=ATTRIBUTES,
        attribute_filter=attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


@functools.lru_cache(maxsize=2048)
def preview_text(markup: str, limit: int = 280) -> str:
    """Plain text of the start of some HTML, cut on a word boundary with an ellipsis. Cached
    like `display_html`: a summary without an excerpt is read from its content by an HTML
    parser, 20 of them on every render of a channel home of notes."""
    text = strip_tags(markup)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,.;:") + "…"


def is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _first(values: Any) -> Any:
    return values[0] if isinstance(values, list) and values else None


def cite_of(value: Any) -> tuple[str, str | None] | None:
    """(url, name) of one response target value: a URL, `{value}`, or a nested h-cite /
    h-entry whose `url` names it (micropub-resolved §3.2)."""
    if isinstance(value, str):
        return (value, None) if is_http_url(value) else None
    if not isinstance(value, Mapping):
        return None
    props = value.get("properties")
    props = props if isinstance(props, Mapping) else {}
    url = _first(props.get("url")) or value.get("value")
    name = _first(props.get("name"))
    if not is_http_url(url):
        return None
    return url, name if isinstance(name, str) and name.strip() else None


def responses(
    properties: Mapping[str, Any],
    contexts: Iterable[Mapping[str, Any]] | None = None,
    media_url: Callable[[str], str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """{"in-reply-to": [{"url", "name"}], ...}: the response targets of an entry. A target
    whose page the send job read (`contexts`, keyed by `target_norm`) also gets "cited"
    (its title was found), "canonical" (its own URL, when not the one linked) and "author"
    ({"name", "url", "photo"}; `media_url` makes the re-hosted photo's URL). Names fall back
    to the name the author gave, then the URL (R-W23: rendering never fetches)."""
    by_norm = {c.get("target_norm"): c for c in contexts or ()}
    found: dict[str, list[dict[str, Any]]] = {}
    for kind in RESPONSE_KINDS:
        values = properties.get(kind)
        for value in values if isinstance(values, list) else [values]:
            cite = cite_of(value)
            if not cite:
                continue
            item: dict[str, Any] = {"url": cite[0], "name": cite[1] or cite[0]}
            context = by_norm.get(_norm(cite[0])) if by_norm else None
            if context:
                item |= _context(context, cite, media_url)
            found.setdefault(kind, []).append(item)
    return found


def _norm(url: str) -> str | None:
    try:
        return normalize(url)
    except BadURL:
        return None


def _context(
    context: Mapping[str, Any], cite: tuple[str, str | None], media_url: Callable[[str], str] | None
) -> dict[str, Any]:
    """The parts of a stored reply context that a cite shows."""
    name = (context.get("name") or "").strip()
    canonical = context.get("url")
    author_name = (context.get("author_name") or "").strip()
    author_url = context.get("author_url") if is_http_url(context.get("author_url")) else None
    photo = context.get("author_photo_path")
    item: dict[str, Any] = {"cited": True, "name": cite[1] or name or cite[0]}
    if is_http_url(canonical) and _norm(canonical) != _norm(cite[0]):
        item["canonical"] = canonical
    if author_name or author_url:
        item["author"] = {
            "name": author_name or urlsplit(author_url or "").hostname or author_url,
            "url": author_url,
            "photo": media_url(photo) if photo and media_url else None,
        }
    return item


def urls_of(properties: Mapping[str, Any], name: str) -> list[str]:
    """The http(s) URL values of a property (`syndication`, `photo`, ...)."""
    values = properties.get(name)
    out = []
    for value in values if isinstance(values, list) else [values]:
        url = value.get("value") if isinstance(value, Mapping) else value
        if is_http_url(url):
            out.append(url)
    return out


def photos_of(properties: Mapping[str, Any]) -> list[dict[str, str]]:
    """`photo` values as {"url", "alt"} (remote photos without a local copy)."""
    values = properties.get("photo")
    out = []
    for value in values if isinstance(values, list) else [values]:
        if isinstance(value, Mapping):
            url, alt = value.get("value"), value.get("alt")
        else:
            url, alt = value, ""
        if is_http_url(url):
            out.append({"url": url, "alt": alt if isinstance(alt, str) else ""})
    return out


def response_html(targets: Mapping[str, list[dict[str, str]]]) -> str:
    """A one-line body for likes, reposts and bookmarks without content (R-W27)."""
    lines = []
    for kind in ("like-of", "repost-of", "bookmark-of", "in-reply-to"):
        for target in targets.get(kind, []):
            lines.append(
                f'<p>{RESPONSE_VERBS[kind]} <a href="{escape(target["url"])}">'
                f"{escape(target['name'])}</a></p>"
            )
    return "".join(lines)


LANGUAGE_NAMES = {
    "ar": "العربية", "bg": "Български", "ca": "Català", "cs": "Čeština", "da": "Dansk",
    "de": "Deutsch", "el": "Ελληνικά", "en": "English", "eo": "Esperanto", "es": "Español",
    "et": "Eesti", "fa": "فارسی", "fi": "Suomi", "fr": "Français", "he": "עברית",
    "hi": "हिन्दी", "hu": "Magyar", "id": "Bahasa Indonesia", "it": "Italiano", "ja": "日本語",
    "ko": "한국어", "lt": "Lietuvių", "lv": "Latviešu", "nl": "Nederlands", "no": "Norsk",
    "pl": "Polski", "pt": "Português", "ro": "Română", "ru": "Русский", "sk": "Slovenčina",
    "sl": "Slovenščina", "sr": "Српски", "sv": "Svenska", "th": "ไทย", "tr": "Türkçe",
    "uk": "Українська", "vi": "Tiếng Việt", "zh": "中文",
}  # fmt: skip


def language_name(code: str) -> str:
    """An endonym for the language of a BCP 47 code, else the code itself."""
    name = LANGUAGE_NAMES.get(code.split("-")[0])
    return f"{name} ({code})" if name and "-" in code else name or code
