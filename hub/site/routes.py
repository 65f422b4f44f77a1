"""Routes of `hub/site`, mounted at `/` by the app factory (last, so it never shadows an API).

The public site is built by several parts, each with its own route list; the order here
matters: fixed paths (IndieAuth, dashboard, media files) come before the channel catch-alls
(`/{channel}`, `/{channel}/{slug}`).
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount

from hub.site import errors, public_routes
from hub.site.auth_routes import ROUTES as _AUTH
from hub.site.dashboard_routes import ROUTES as _DASHBOARD
from hub.web import api_mount

AUTH_ROUTES: list[BaseRoute] = _AUTH  # IndieAuth, owner login (hub/site/auth*.py)
DASHBOARD_ROUTES: list[BaseRoute] = _DASHBOARD  # /dashboard (hub/site/dashboard*.py)
PUBLIC_ROUTES: list[BaseRoute] = public_routes.ROUTES  # /storage, pages, feeds (catch-all last)


def mount() -> Mount:
    return api_mount(
        "", [*AUTH_ROUTES, *DASHBOARD_ROUTES, *PUBLIC_ROUTES], errors.handle, name="site"
    )
