"""`robots.txt`: the public site is open to crawlers; the owner's dashboard, IndieAuth, Micropub
and the APIs are not. Pure: the origin in, the text out."""

from __future__ import annotations

# Path prefixes no crawler needs (hub/app.py and hub/site/routes.py route them). Rules are
# prefix matches, and `/auth?` would mean `/auth` to some parsers (Python's), so a channel
# whose slug starts with one of these words is not crawled either; the words are reserved
# channel slugs themselves (`hub.core.slugs`).
DISALLOWED = (
    "/dashboard",
    "/auth",
    "/micropub",
    "/api/",
    "/api-docs",
    "/.well-known/",
    "/healthz",
)


def robots_txt(origin: str) -> str:
    """The rules for every crawler, and the absolute URL of the origin's sitemap."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "Allow: /", "",
             f"Sitemap: {origin.rstrip('/')}/sitemap.xml", ""]  # fmt: skip
    return "\n".join(lines)
