"""Post type discovery (micropub-resolved.md §3.5, after the W3C Post Type Discovery note).

Pure. The first rule that matches wins; the client's `mp-type` is never consulted. Also the
post types hub announces in `q=config` and `q=post-types`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hub.core.markdown import render_markdown
from hub.core.sanitize import strip_tags

RSVP_VALUES = ("yes", "no", "maybe", "interested")
# Rules 3 to 10: the first property present (with a value) names the type.
_BY_PROPERTY = (
    ("repost-of", "repost"),
    ("like-of", "like"),
    ("in-reply-to", "reply"),
    ("bookmark-of", "bookmark"),
    ("checkin", "checkin"),
    ("video", "video"),
    ("audio", "audio"),
    ("photo", "photo"),
)
_SPACE = re.compile(r"\s+")


def discover(kind: str, properties: Mapping[str, list[Any]]) -> str:
    """The post type of an `entry` or `event` with these mf2 properties."""
    if kind == "event":
        return "event"
    if any(
        isinstance(v, str) and v.strip().lower() in RSVP_VALUES for v in _values(properties, "rsvp")
    ):
        return "rsvp"
    for name, post_type in _BY_PROPERTY:
        if any(_present(v) for v in _values(properties, name)):
            return post_type
    name = next((v for v in _values(properties, "name") if isinstance(v, str) and v.strip()), None)
    if name is not None and not content_text(properties).startswith(_collapse(name)):
        return "article"
    return "note"


def content_text(properties: Mapping[str, list[Any]]) -> str:
    """The first content value as whitespace-collapsed plain text: Markdown is rendered and
    its tags stripped, `{html}` stripped, `{value}` taken as it is."""
    for value in _values(properties, "content"):
        if isinstance(value, str):
            return _collapse(strip_tags(render_markdown(value)))
        if isinstance(value, dict):
            if isinstance(value.get("value"), str):
                return _collapse(value["value"])
            if isinstance(value.get("html"), str):
                return _collapse(strip_tags(value["html"]))
    return ""


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _values(properties: Mapping[str, list[Any]], name: str) -> list[Any]:
    values = properties.get(name) or []
    return values if isinstance(values, list) else [values]


def _present(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value != {} and value != []


def _post_type(
    type_: str, name: str, properties: list[str], required: list[str], h: str = "entry"
) -> dict:
    return {
        "type": type_,
        "name": name,
        "h": h,
        "properties": properties,
        "required-properties": required,
    }


_COMMON = ["category", "published", "post-status", "visibility", "mp-slug", "mp-syndicate-to"]

# `q=post-types` and `q=config` (micropub-resolved.md §5): what a client may offer to create.
POST_TYPES: list[dict] = [
    _post_type("note", "Note", ["content", *_COMMON], ["content"]),
    _post_type("article", "Article", ["name", "content", "summary", *_COMMON], ["name", "content"]),
    _post_type("photo", "Photo", ["photo", "content", *_COMMON], ["photo"]),
    _post_type("video", "Video", ["video", "content", *_COMMON], ["video"]),
    _post_type("audio", "Audio", ["audio", "content", *_COMMON], ["audio"]),
    _post_type("reply", "Reply", ["in-reply-to", "content", *_COMMON], ["in-reply-to", "content"]),
    _post_type("like", "Like", ["like-of", *_COMMON], ["like-of"]),
    _post_type("repost", "Repost", ["repost-of", "content", *_COMMON], ["repost-of"]),
    _post_type(
        "bookmark", "Bookmark", ["bookmark-of", "name", "content", *_COMMON], ["bookmark-of"]
    ),
    _post_type(
        "rsvp", "RSVP", ["in-reply-to", "rsvp", "content", *_COMMON], ["in-reply-to", "rsvp"]
    ),
    _post_type("checkin", "Check-in", ["checkin", "content", *_COMMON], ["checkin"]),
    _post_type(
        "event",
        "Event",
        ["name", "start", "end", "location", "content", *_COMMON],
        ["name", "start"],
        h="event",
    ),
]
