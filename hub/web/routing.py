"""A shortcut to the catch-all route for the paths no other route can take.

The app's router tries its routes in order, and the public site (`/{channel}/...`) is last, so
every page was matched against each API's patterns first (a tenth of hub's own path for an
uncached page, in profiles of `bench/bench_site.py`). `Shortcut`, placed first, hands a path
straight to the catch-all when its first segment is none of the other routes' first segments;
any other path goes on through the router as before. The segments are read from the routes
themselves, so a new route cannot be shadowed by the shortcut.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send


def first_segment(path: str) -> str:
    """`api` of `/api/v1/...`; `` of `/`."""
    return path[1:].partition("/")[0]


class Shortcut(BaseRoute):
    """`target` (a catch-all) for any path whose first segment no route of `others` starts
    with. A route whose first segment is a parameter cannot be told apart: refused."""

    def __init__(self, target: BaseRoute, others: Sequence[BaseRoute]) -> None:
        claimed = set()
        for route in others:
            path = getattr(route, "path", None)
            if not isinstance(path, str) or not path.startswith("/"):
                raise ValueError(f"a route without a fixed path: {route!r}")
            segment = first_segment(path)
            if "{" in segment:
                raise ValueError(f"a route whose first segment is a parameter: {path}")
            claimed.add(segment)
        self.target = target
        self.claimed = frozenset(claimed)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope.get("root_path"):
            return Match.NONE, {}
        if first_segment(scope["path"]) in self.claimed:
            return Match.NONE, {}
        return self.target.matches(scope)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.target.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params):
        raise NoMatchFound(name, path_params)  # the target itself answers, later in the list
