"""Routes of `hub/site`, mounted at `/` by the app factory (last, so it never shadows an API).

The public site is built by several parts, each with its own route list; the order here
matters: fixed paths (IndieAuth, dashboard, media files) come before the channel catch-alls
(`/{channel}`, `/{channel}/{slug}`). The fixed paths sit behind a `Gate` on their prefixes,
so a public page is not matched against each of their patterns first.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Match, Mount, NoMatchFound
from starlette.types import Receive, Scope, Send

from hub.site import errors
from hub.site.dashboard.routes import ROUTES as _DASHBOARD
from hub.site.login.routes import ROUTES as _AUTH
from hub.site.public import routes as public_routes
from hub.site.seo.routes import ROUTES as _SEO
from hub.web.mounts import api_mount

AUTH_ROUTES: list[BaseRoute] = _AUTH  # IndieAuth, owner login (hub/site/auth*.py)
DASHBOARD_ROUTES: list[BaseRoute] = _DASHBOARD  # /dashboard (hub/site/dashboard/pages*.py)
PUBLIC_ROUTES: list[BaseRoute] = public_routes.ROUTES  # /storage, pages, feeds (catch-all last)
FIXED_PREFIXES = ("/.well-known/", "/auth", "/dashboard")


def _route_path(scope: Scope) -> str:
    """The path below the app's `root_path`, as Starlette's own routes match it."""
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root + "/"):
        return path[len(root) :]
    return path


class Gate(BaseRoute):
    """`routes` tried only for paths starting with one of `prefixes`, in order, like a
    Router would (the first full match wins, else the first partial one: a 405). A path
    outside the prefixes, or matching none of the routes, goes on to the next route."""

    def __init__(self, prefixes: tuple[str, ...], routes: list[BaseRoute]) -> None:
        self.prefixes = prefixes
        self.routes = routes

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or not _route_path(scope).startswith(self.prefixes):
            return Match.NONE, {}
        partial: tuple[Match, Scope] | None = None
        for route in self.routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                return match, {**child, "hub.site.route": route}
            if match is Match.PARTIAL and partial is None:
                partial = (match, {**child, "hub.site.route": route})
        return partial or (Match.NONE, {})

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await scope["hub.site.route"].handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params):
        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                continue
        raise NoMatchFound(name, path_params)


def mount() -> Mount:
    fixed = Gate(FIXED_PREFIXES, [*AUTH_ROUTES, *DASHBOARD_ROUTES])
    # robots.txt and sitemap.xml before the catch-all, so no channel path can take them
    return api_mount("", [fixed, *_SEO, *PUBLIC_ROUTES], errors.handle, name="site")
