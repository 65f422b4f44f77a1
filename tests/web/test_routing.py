"""`hub.web.routing.Shortcut`: page paths go straight to the catch-all; a path another route
may take goes through the router as before."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from hub.web.routing import Shortcut, first_segment


def _answer(text: str):
    async def endpoint(request):
        return PlainTextResponse(text)

    return endpoint


def test_first_segment():
    assert first_segment("/api/v1/x") == "api"
    assert first_segment("/") == ""
    assert first_segment("/blog") == "blog"


def test_a_route_starting_with_a_parameter_is_refused():
    with pytest.raises(ValueError):
        Shortcut(Route("/{path:path}", _answer("site")), [Route("/{channel}/x", _answer("x"))])


async def test_200_pages_reach_the_catch_all_and_api_paths_their_routes():
    site = Route("/{path:path}", _answer("site"))
    others = [Route("/healthz", _answer("health")),
              Mount("/api", routes=[Route("/sites", _answer("sites"))])]  # fmt: skip
    app = Starlette(routes=[Shortcut(site, others), *others, site])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
    ) as http:
        for path, text in (("/blog/entry", "site"), ("/", "site"), ("/healthz", "health"),
                           ("/api/sites", "sites"), ("/healthzx", "site")):  # fmt: skip
            r = await http.get(path)
            assert r.status_code == 200 and r.text == text, path
        r = await http.get("/api/unknown")  # the mount's own 404, as without the shortcut
        assert r.status_code == 404
