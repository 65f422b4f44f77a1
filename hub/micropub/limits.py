"""The entry limits (`hub.core.entries.limits`) in Micropub's terms.

Pure. `check_limits` counts the `category` values and the URL-valued properties of a
properties dict and raises `Invalid` (400 `invalid_request`) when one entry would hold more
than the limits allow. It runs on a create's properties, on each `replace`/`add`/`delete` map
of an update before the entry is read, and on the properties an update results in, so that
nothing is rendered, fetched or stored for a post over the limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.core.entries.limits import TAG_LENGTH, TAGS_PER_ENTRY, URLS_PER_ENTRY
from hub.core.errors import Invalid

URL_PROPERTIES = (
    "photo",
    "video",
    "audio",
    "in-reply-to",
    "like-of",
    "repost-of",
    "bookmark-of",
    "syndication",
)

TOO_MANY_CATEGORIES = f"A post may have at most {TAGS_PER_ENTRY} categories."
TOO_MANY_URLS = (
    f"A post may name at most {URLS_PER_ENTRY} URLs in {', '.join(URL_PROPERTIES[:-1])} "
    f"and {URL_PROPERTIES[-1]} together."
)
CATEGORY_TOO_LONG = f"A category may be at most {TAG_LENGTH} characters long."


def check_limits(properties: Mapping[str, Any]) -> None:
    """`Invalid` when `properties` (name -> list of values) name more categories or URLs than
    one entry may hold; values of other shapes are left to the property checks."""
    if _count(properties.get("category")) > TAGS_PER_ENTRY:
        raise Invalid.field("category", TOO_MANY_CATEGORIES)
    urls = 0
    for name in URL_PROPERTIES:
        urls += _count(properties.get(name))
        if urls > URLS_PER_ENTRY:
            raise Invalid.field(name, TOO_MANY_URLS)


def _count(values: Any) -> int:
    return len(values) if isinstance(values, list | tuple) else 0
