"""Unicode-aware slugs: transliterated to ASCII, lowercase, joined by a separator."""

from __future__ import annotations

import re
from collections.abc import Collection

from slugify import slugify

_VALID = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")

RESERVED_CHANNEL_SLUGS = frozenset(
    {"api", "api-docs", "dashboard", "storage", "media", "micropub", "static", "assets", "feed",
     "feeds", "rss", "atom", "json", "login", "logout", "auth", "indieauth", "token", "webmention",
     "healthz", "well-known", "directory", "search", "tags", "admin", "settings", "robots.txt",
     "sitemap.xml", "favicon.ico", "posts", ".well-known"}
)  # fmt: skip


def slugify_text(text: str, *, separator: str = "-", max_length: int = 80) -> str:
    return slugify(text, separator=separator, max_length=max_length, word_boundary=True)


def next_free_slug(
    base: str, taken: Collection[str], *, separator: str = "-", max_length: int = 80
) -> str:
    if base not in taken and len(base) <= max_length:
        return base
    n = 2
    while True:
        suffix = f"{separator}{n}"
        candidate = base[: max_length - len(suffix)].rstrip(separator) + suffix
        if candidate not in taken:
            return candidate
        n += 1


def is_valid_slug(slug: str, *, min_length: int = 1, max_length: int = 100) -> bool:
    return min_length <= len(slug) <= max_length and bool(_VALID.match(slug))
