"""Routes of `hub/site`, mounted at `/` by the app factory (last, so it never shadows an API).

The public site is built by several parts, each with its own route list; the order here
matters: fixed paths (IndieAuth, dashboard, media files) come before the channel catch-alls
(`/{channel}`, `/{channel}/{slug}`).
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount

from hub.site import errors
from hub.web import api_mount

AUTH_ROUTES: list[BaseRoute] = []  # IndieAuth, owner login (hub/site/auth*.py)
DASHBOARD_ROUTES: list[BaseRoute] = []  # /dashboard (hub/site/dashboard*.py)
PUBLIC_ROUTES: list[BaseRoute] = []  # node home, channel pages, entries, feeds (hub/site/pages*)


def mount() -> Mount:
    return api_mount(
        "", [*AUTH_ROUTES, *DASHBOARD_ROUTES, *PUBLIC_ROUTES], errors.handle, name="site"
    )
