"""Approved webmentions on an entry page (webmention-site-feeds §3.5), pure: the rows built by
`hub.core.entries.published` (JSON) grouped the IndieWeb way: facepiles of likes, reposts
and bookmarks, replies oldest first, then plain mentions. Only approved mentions ever reach
this module (the query filters), and their `content_html` was sanitised when it was stored
(§1.5). An author's photo is the node's own 96x96 copy (R-W9), never the source's URL."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from hub.site.public.content import is_http_url, preview_text
from hub.site.public.render import safe
from hub.site.public.view import parse_time

FACEPILES = (("like", "u-like", "like", "likes"), ("repost", "u-repost", "repost", "reposts"),
             ("bookmark", "u-bookmark", "bookmark", "bookmarks"))  # fmt: skip
MAX_SHOWN = 500  # the query's cap; counts beyond it are not shown


MediaUrl = Callable[[str], str]  # a stored file's relative path -> its public URL


def _author(row: Mapping[str, Any], media_url: MediaUrl) -> dict[str, str | None]:
    url = row.get("author_url") if is_http_url(row.get("author_url")) else None
    host = urlsplit(row.get("source") or "").hostname or "someone"
    photo = row.get("author_photo_path")
    return {
        "name": (row.get("author_name") or "").strip() or host,
        "url": url,
        "photo": media_url(photo) if photo else None,
    }


def _mention(row: Mapping[str, Any], media_url: MediaUrl) -> dict[str, Any]:
    url = row.get("url") if is_http_url(row.get("url")) else row.get("source")
    content_html = (row.get("content_html") or "").strip()
    content_text = (row.get("content_text") or "").strip()
    return {
        "url": url,
        "author": _author(row, media_url),
        "name": (row.get("name") or "").strip() or None,
        "published": parse_time(row.get("published")),
        "rsvp": row.get("rsvp"),
        # sanitised with the node allow-list before it was stored (§1.5)
        "content": safe(content_html) if content_html else None,
        "text": content_text,
        "title": (row.get("name") or "").strip() or preview_text(content_html, 120) or url,
    }


def mention_groups(rows: Iterable[Mapping[str, Any]], media_url: MediaUrl) -> dict[str, Any]:
    """{"facepiles": [{"kind", "class", "label", "people"}], "replies": [...], "mentions": [...],
    "count": n} of the approved mentions `rows`, each group in received order (the query
    sorts by publication time); `media_url` makes a stored photo's URL."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    count = 0
    for row in rows:
        by_type.setdefault(row.get("type") or "mention", []).append(_mention(row, media_url))
        count += 1
    facepiles = []
    for kind, css, one, many in FACEPILES:
        items = by_type.get(kind, [])
        if items:
            label = f"{len(items)} {one if len(items) == 1 else many}"
            facepiles.append({"kind": kind, "class": css, "label": label, "people": items})
    return {
        "facepiles": facepiles,
        "replies": by_type.get("reply", []),
        "mentions": by_type.get("mention", []),
        "count": count,
    }
