"""An entry as Micropub properties: the `q=source` view (W3C §3.7.2, micropub-resolved.md §5,
R-M16) and the base every update applies its operations to.

Pure. The stored properties document is returned verbatim, without `mp-*` and
`access_token`. Title, body, summary and tags live in the shared model too, and another API
may have changed them since: a stored property that no longer agrees with the model is
replaced by the model's value (content as stored: Markdown as a string, HTML as `{html}`).
Derived values (`visibility`, `published`, `updated`, `url`, `uid`) fill gaps; `post-status`
always tells the entry's current state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hub.micropub.properties import normalise_categories

HIDDEN = ("access_token",)


def _text(values: Any) -> str | None:
    for value in values if isinstance(values, list) else ():
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, dict) and isinstance(value.get("value"), str):
            return value["value"].strip()
    return None


def _content_source(values: Any) -> tuple[str, str] | None:
    """(body_format, body_source) the first content value was stored as."""
    value = values[0] if isinstance(values, list) and values else None
    if isinstance(value, str):
        return "markdown", value
    if isinstance(value, dict):
        if isinstance(value.get("html"), str):
            return "html", value["html"]
        if isinstance(value.get("value"), str):
            return "markdown", value["value"]
    return None


def effective_properties(
    stored: Mapping[str, Any], content: Mapping[str, Any], tags: Iterable[str]
) -> dict[str, list[Any]]:
    """The entry's properties: `stored` (verbatim), with `name`, `content`, `summary` and
    `category` taken from the model (`content`: the translation fields title, excerpt,
    body_format, body_source; `tags`) wherever they disagree."""
    props = {
        k: list(v) if isinstance(v, list) else [v]
        for k, v in stored.items()
        if not k.startswith("mp-") and k not in HIDDEN
    }
    title = (content.get("title") or "").strip()
    if (_text(props.get("name")) or "") != title:
        _set(props, "name", [title] if title else [])
    body = content.get("body_source") or ""
    fmt = content.get("body_format") or "markdown"
    if _content_source(props.get("content")) != ((fmt, body) if body else None):
        if not body:
            _set(props, "content", [])
        else:
            first = body if fmt == "markdown" else {"html": body}
            _set(props, "content", [first, *props.get("content", [])[1:]])
    excerpt = (content.get("excerpt") or "").strip()
    if (_text(props.get("summary")) or "") != excerpt:
        _set(props, "summary", [excerpt] if excerpt else [])
    tags = list(tags)
    stored_tags = list(normalise_categories(props.get("category") or []))
    if [t.casefold() for t in stored_tags] != [t.casefold() for t in tags]:
        objects = [v for v in props.get("category", []) if not isinstance(v, str)]
        _set(props, "category", [*tags, *objects])
    return props


def _set(props: dict[str, list[Any]], name: str, values: list[Any]) -> None:
    if values:
        props[name] = values
    else:
        props.pop(name, None)


def rfc3339(value: datetime, timezone: str) -> str:
    """A date-time in the blog's time zone, with its offset, to the second."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return value.astimezone(zone).isoformat(timespec="seconds")


def source_view(
    props: Mapping[str, list[Any]],
    *,
    kind: str,
    post_status: str,
    visibility: str,
    published: datetime | None,
    updated: datetime | None,
    url: str,
    uid: str,
    timezone: str,
    only: list[str] | None = None,
) -> dict:
    """The `q=source` document: `{"type", "properties"}`, or with `only` (the `properties`
    parameter) just `{"properties"}` holding the requested ones that exist."""
    full = {k: list(v) for k, v in props.items()}
    full["post-status"] = [post_status]  # the model's state, whatever was asked for once
    derived: dict[str, list[Any]] = {
        "visibility": [visibility],
        "url": [url],
        "uid": [uid],
    }
    if published is not None:
        derived["published"] = [rfc3339(published, timezone)]
    if updated is not None:
        derived["updated"] = [rfc3339(updated, timezone)]
    for name, values in derived.items():
        full.setdefault(name, values)
    if only is not None:
        return {"properties": {k: full[k] for k in only if k in full}}
    return {"type": ["h-event" if kind == "event" else "h-entry"], "properties": full}
