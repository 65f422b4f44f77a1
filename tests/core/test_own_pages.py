"""Reading this node's own pages from its ASGI app, in process (R-W16)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from hub.core.errors import FetchFailed, FetchRefused
from hub.core.own_pages import fetch_own_page


async def page(request: Request) -> Response:
    seen = f"{request.url} host={request.headers['host']} accept={request.headers.get('accept')}"
    auth = request.headers.get("authorization", "-")
    return PlainTextResponse(f"{seen} auth={auth}", headers={"Link": "<https://h.example/>"})


async def moved(request: Request) -> Response:
    return RedirectResponse(request.query_params["to"], status_code=301)


async def loop(request: Request) -> Response:
    return RedirectResponse("/loop", status_code=302)


APP = Starlette(routes=[Route("/page", page), Route("/moved", moved), Route("/loop", loop)])


async def test_a_page_is_read_with_its_url_headers_and_status() -> None:
    result = await fetch_own_page(
        APP, "https://node.example/page?q=a%20b", headers={"Accept": "text/html"}
    )
    assert (result.status, result.url, result.redirects) == (
        200, "https://node.example/page?q=a%20b", ()
    )  # fmt: skip
    assert result.text == (
        "https://node.example/page?q=a%20b host=node.example accept=text/html auth=-"
    )
    assert result.headers["link"] == "<https://h.example/>"


async def test_redirects_are_followed_in_the_app_and_recorded() -> None:
    result = await fetch_own_page(APP, "http://node.example:8000/moved?to=/page")
    assert result.status == 200
    assert result.url == "http://node.example:8000/page"
    assert result.redirects == ("http://node.example:8000/moved?to=/page",)
    assert result.redirect_statuses == (301,)


async def test_credentials_are_not_carried_to_another_origin() -> None:
    same = await fetch_own_page(
        APP, "https://node.example/moved?to=/page", headers={"Authorization": "Bearer t"}
    )
    assert same.text.endswith("auth=Bearer t")
    other = await fetch_own_page(
        APP, "https://node.example/moved?to=https://other.example/page",
        headers={"Authorization": "Bearer t"},
    )  # fmt: skip
    assert other.text.endswith("auth=-")


async def test_too_many_redirects_fail() -> None:
    with pytest.raises(FetchFailed, match="redirects"):
        await fetch_own_page(APP, "https://node.example/loop", max_redirects=2)


async def test_a_redirect_out_of_http_or_to_no_url_fails_cleanly() -> None:
    with pytest.raises(FetchFailed):
        await fetch_own_page(APP, "https://node.example/moved?to=ftp://node.example/x")
    with pytest.raises(FetchRefused):
        await fetch_own_page(APP, "https://node.example/moved?to=http://[::1")
