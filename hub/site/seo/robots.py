"""`robots.txt`: the public site is open to crawlers; the owner's dashboard, IndieAuth, Micropub
and the APIs are not. Pure: the origin in, the text out."""

from __future__ import annotations

# What no crawler needs (hub/app.py and hub/site/routes.py route it). Rules match by prefix
# (RFC 9309), so a bare `/auth` would also close a channel `/authors`: each word gets its exact
# path (`$`), its query (`?`) and its subtree (`/`). Python's robotparser reads `/auth?` as
# `/auth` and so closes `/authors` for itself; crawlers that follow RFC 9309 do not.
CLOSED_WORDS = ("dashboard", "auth", "micropub", "api-docs", "healthz")
CLOSED_TREES = ("/api/", "/.well-known/")
DISALLOWED = (
    *(f"/{word}{end}" for word in CLOSED_WORDS for end in ("$", "?", "/")),
    *CLOSED_TREES,
)


def robots_txt(origin: str) -> str:
    """The rules for every crawler, and the absolute URL of the origin's sitemap."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "Allow: /", "",
             f"Sitemap: {origin.rstrip('/')}/sitemap.xml", ""]  # fmt: skip
    return "\n".join(lines)
