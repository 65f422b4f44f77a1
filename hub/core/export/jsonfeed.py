"""An entry as a JSON Feed 1.1 item (pure): the primary translation in the standard fields,
everything else hub holds in the `_hub` extension object (JSON Feed allows `_` extensions)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

VERSION = "https://jsonfeed.org/version/1.1"
EXTENSION = "_hub"
FORMAT = 1  # `_hub.format`: bumped when the extension's meaning changes


def iso(value: datetime | str | None) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


def primary_translation(entry: Mapping[str, Any]) -> Mapping[str, Any] | None:
    translations = entry["translations"]
    for translation in translations:
        if translation["language"] == entry["default_language"]:
            return translation
    return translations[0] if translations else None


def feed_head(channel: Mapping[str, Any], home_url: str) -> dict[str, Any]:
    """The feed object without its items."""
    titles = {t["language"]: t for t in channel["translations"]}
    own = titles.get(channel["default_language"]) or next(iter(titles.values()), None)
    head: dict[str, Any] = {
        "version": VERSION,
        "title": own["title"] if own else channel["slug"],
        "home_page_url": home_url,
        "language": channel["default_language"],
        "authors": [{"name": channel["author_name"]}],
    }
    if own and own.get("description"):
        head["description"] = own["description"]
    head[EXTENSION] = {
        "format": FORMAT,
        "slug": channel["slug"],
        "status": channel["status"],
        "timezone": channel["timezone"],
        "custom_domain": channel["custom_domain"],
        "translations": channel["translations"],
    }
    return head


def item(
    entry: Mapping[str, Any],
    *,
    url: str,
    media: list[dict[str, Any]],
    rewrite: Callable[[str], str],
) -> dict[str, Any]:
    """The item of one entry. `rewrite` turns node media links into archive paths."""
    primary = primary_translation(entry)
    translations = [
        {**t, "body_source": rewrite(t["body_source"]), "content_html": rewrite(t["content_html"])}
        for t in entry["translations"]
    ]
    out: dict[str, Any] = {"id": url, "url": url}
    if primary is not None and primary["title"]:
        out["title"] = primary["title"]
    out["content_html"] = rewrite(primary["content_html"]) if primary else ""
    if primary is not None and primary["excerpt"]:
        out["summary"] = primary["excerpt"]
    if entry["published_at"] is not None:
        out["date_published"] = iso(entry["published_at"])
    out["date_modified"] = iso(entry["updated_at"])
    if entry["tags"]:
        out["tags"] = list(entry["tags"])
    out["language"] = entry["default_language"]
    out[EXTENSION] = {
        "slug": entry["slug"],
        "status": entry["status"],
        "kind": entry["kind"],
        "visibility": entry["visibility"],
        "default_language": entry["default_language"],
        "properties": entry["properties"],
        "published_at": iso(entry["published_at"]),
        "scheduled_at": iso(entry["scheduled_at"]),
        "created_at": iso(entry["created_at"]),
        "updated_at": iso(entry["updated_at"]),
        "deleted_at": iso(entry["deleted_at"]),
        "created_via": entry["created_via"],
        "translations": translations,
        "media": media,
    }
    return out
