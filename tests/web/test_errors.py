"""`hub.web.errors`: the router's 404/405 as domain errors, the MRO table lookup, Retry-After."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request

from hub.core.errors import NotFound, RateLimited
from hub.web.errors import MethodNotAllowed, from_router, lookup, retry_after


def _request(method: str) -> Request:
    return Request({"type": "http", "method": method, "path": "/", "headers": []})


def test_router_405_becomes_method_not_allowed_with_sorted_allow():
    exc = from_router(_request("PUT"), HTTPException(405, headers={"Allow": "POST, HEAD, GET"}))
    assert isinstance(exc, MethodNotAllowed)
    assert exc.allow == ["GET", "HEAD", "POST"] and exc.method == "PUT"


def test_router_404_becomes_not_found():
    exc = from_router(_request("GET"), HTTPException(404))
    assert isinstance(exc, NotFound) and exc.message == "Not found."


def test_lookup_walks_the_mro_and_codes_win():
    class Missing(NotFound):
        pass

    table = {NotFound: "nf"}
    assert lookup(table, Missing("x"), "default") == "nf"
    assert lookup(table, RateLimited(3), "default") == "default"
    assert lookup(table, NotFound("x", code="odd"), "default", codes={"odd": "c"}) == "c"
    assert retry_after(RateLimited(3)) == {"Retry-After": "3"}
    assert retry_after(NotFound("x")) == {}
