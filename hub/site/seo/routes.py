"""Routes of the SEO files, placed before the public catch-all (`hub/site/routes.py`), so no
channel can take them (`robots.txt` and `sitemap.xml` are reserved channel slugs too)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from hub.site.seo import files

ROUTES: list[BaseRoute] = [
    Route("/robots.txt", files.robots, methods=["GET", "HEAD"]),
    Route("/sitemap.xml", files.sitemap, methods=["GET", "HEAD"]),
]
