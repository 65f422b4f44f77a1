"""Routes of `hub/micropub`, mounted at `/micropub` by the app factory."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.routing import Match, Mount, Route, get_route_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.micropub import endpoints, errors
from hub.web.mounts import any_character, api_mount

# CORS (micropub-resolved.md §1.3, R-M37): open, without credentials; cookies are never read.
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Location, Link",
}
PREFLIGHT = {
    **CORS,
    "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Max-Age": "86400",
}


class Cors:
    """Answers preflights with 204 and adds the CORS headers to every other response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await Response(status_code=204, headers=PREFLIGHT)(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in CORS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_cors)


class _Mount(Mount):
    """A Mount that also answers its bare path (`/micropub`, no trailing slash), which is
    the endpoint clients discover, instead of leaving it to the site's catch-all."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and get_route_path(scope) == self.path:
            scope = {**scope, "path": scope["path"] + "/"}
            match, child = super().matches(scope)
            if match is Match.FULL:
                child["path"] = scope["path"]
            return match, child
        return super().matches(scope)


def mount() -> Mount:
    """`/micropub`: GET (and HEAD) and POST; OPTIONS is the CORS preflight on every path; any
    other method is the router's 405, answered by `errors.handle`."""
    inner = api_mount(
        "/micropub",
        [
            Route("/", endpoints.micropub, methods=["GET", "POST"]),
            Route("/media", endpoints.media_endpoint, methods=["GET", "POST"]),
            Route("/media/{public_id}", endpoints.media_file, methods=["GET"]),
        ],
        errors.handle,
        name="micropub",
    )
    return any_character(_Mount("/micropub", app=Cors(inner.app), name="micropub"))
