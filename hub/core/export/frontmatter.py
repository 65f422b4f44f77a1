"""A translation as a Markdown file with YAML front matter (pure), the shape Jekyll and Hugo
read: `title`, `date`, `updated`, `tags`, `slug`, `status`, `draft`, `language`, `kind` and the
URLs a reply, like, repost or bookmark answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from hub.core.export.jsonfeed import iso

# microformats property -> front matter key
RESPONSE_PROPERTIES = {
    "in-reply-to": "in_reply_to",
    "like-of": "like_of",
    "repost-of": "repost_of",
    "bookmark-of": "bookmark_of",
}


def _urls(values: Any) -> list[str]:
    found = []
    for value in values if isinstance(values, list) else [values]:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, Mapping):  # an h-cite: its url
            urls = value.get("properties", {}).get("url") or value.get("url") or []
            found.extend(u for u in (urls if isinstance(urls, list) else [urls]) if u)
    return found


def markdown_file(entry: Mapping[str, Any], translation: Mapping[str, Any], body: str) -> str:
    """The file's text: `---`, the front matter, `---`, the body (Markdown, or HTML for an
    entry that arrived as HTML; Markdown readers show both)."""
    meta: dict[str, Any] = {
        "title": translation["title"] or None,
        "date": iso(translation["published_at"] or entry["published_at"]),
        "updated": iso(translation["content_updated_at"]),
        "slug": entry["slug"],
        "language": translation["language"],
        "status": translation["status"],
        "draft": translation["status"] != "published",
        "kind": entry["kind"],
        "visibility": entry["visibility"],
        "tags": list(entry["tags"]),
        "format": translation["body_format"],
    }
    if translation["excerpt"]:
        meta["summary"] = translation["excerpt"]
    if entry["scheduled_at"] is not None:
        meta["scheduled"] = iso(entry["scheduled_at"])
    properties = entry["properties"] or {}
    for name, key in RESPONSE_PROPERTIES.items():
        if urls := _urls(properties.get(name, [])):
            meta[key] = urls[0] if len(urls) == 1 else urls
    meta = {k: v for k, v in meta.items() if v is not None}
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False)
    return f"---\n{head}---\n\n{body.rstrip()}\n"
