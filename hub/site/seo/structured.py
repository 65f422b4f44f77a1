"""Structured data for search engines and link previews (issue 16): schema.org JSON-LD
(`BlogPosting` on entry pages, `Blog` on channel homes) and Twitter card tags beside the
OpenGraph ones. Pure: values in, a dict or the `<script>` text out; the template prints it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

SCHEMA = "https://schema.org"
# Characters that could end the <script> element or confuse an HTML parser, as JSON escapes
# (`</script>` in a title becomes `\u003c/script\u003e`: the same JSON string).
_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(data: dict[str, Any]) -> str:
    """`data` as JSON that is safe inside `<script type="application/ld+json">`."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def _person(name: str, url: str | None) -> dict[str, Any]:
    return {"@type": "Person", "name": name, **({"url": url} if url else {})}


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def blog_posting(
    *,
    headline: str | None,
    url: str,
    published: datetime | None,
    modified: datetime | None,
    author_name: str,
    author_url: str | None,
    image: str | None,
    language: str,
    description: str | None,
) -> dict[str, Any]:
    """A `BlogPosting`; notes have no headline."""
    return _compact({
        "@context": SCHEMA,
        "@type": "BlogPosting",
        "headline": headline or None,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": _iso(published),
        "dateModified": _iso(modified or published),
        "author": _person(author_name, author_url),
        "image": image,
        "inLanguage": language,
        "description": description,
    })  # fmt: skip


def blog(
    *,
    name: str,
    url: str,
    description: str | None,
    language: str,
    author_name: str,
    author_url: str | None,
) -> dict[str, Any]:
    """A `Blog`: a channel home."""
    return _compact({
        "@context": SCHEMA,
        "@type": "Blog",
        "name": name,
        "url": url,
        "description": description,
        "inLanguage": language,
        "author": _person(author_name, author_url),
    })  # fmt: skip


def twitter_card(title: str, description: str | None, image: str | None) -> list[tuple[str, str]]:
    """(name, content) of the `twitter:*` meta tags: a large image card when there is an
    image, else a summary card."""
    tags = [("twitter:card", "summary_large_image" if image else "summary"),
            ("twitter:title", title)]  # fmt: skip
    if description:
        tags.append(("twitter:description", description))
    if image:
        tags.append(("twitter:image", image))
    return tags
