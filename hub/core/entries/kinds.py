"""Post type discovery (micropub-resolved.md §3.5, after the W3C Post Type Discovery note):
an entry's kind from its microformats properties, whichever writer sent them (Micropub, the
dashboard's editor).

Pure. The first rule that matches wins; a client's `mp-type` is never consulted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hub.core.markdown import render_markdown
from hub.core.sanitize import leading_words

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
    if name is not None:
        named = _collapse(name)
        # as many of the content's first words as the name has: they start with the name
        # exactly when the content's whole text does
        if not " ".join(content_words(properties, len(named.split()))).startswith(named):
            return "article"
    return "note"


def content_words(properties: Mapping[str, list[Any]], count: int) -> list[str]:
    """The first `count` words of the first content value's plain text: Markdown rendered and
    its tags stripped, `{html}` stripped, `{value}` taken as it is. A long content is read only
    as far as those words (`sanitize.leading_words`)."""
    for value in _values(properties, "content"):
        if isinstance(value, str):
            return leading_words(render_markdown(value), count)
        if isinstance(value, dict):
            if isinstance(value.get("value"), str):
                return value["value"].split(maxsplit=count)[:count]
            if isinstance(value.get("html"), str):
                return leading_words(value["html"], count)
    return []


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _values(properties: Mapping[str, list[Any]], name: str) -> list[Any]:
    values = properties.get(name) or []
    return values if isinstance(values, list) else [values]


def _present(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value != {} and value != []
