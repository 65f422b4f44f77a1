"""Each API's mount answers the router's own 404 and 405 in that API's error shape, and never
redirects a path to its twin with(out) a trailing slash."""

from __future__ import annotations


async def test_405_micropub_names_its_methods_in_its_shape(client):
    r = await client.put("/micropub")
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    assert r.json() == {
        "error": "invalid_request",
        "error_description": "PUT is not allowed here; use GET, HEAD, POST, OPTIONS.",
    }
    media = await client.post("/micropub/media/abc")
    assert media.status_code == 405 and media.headers["allow"] == "GET, HEAD, OPTIONS"


async def test_405_v1_sorted_allow_and_legacy_headers(client):
    r = await client.options("/api/v1/projects/x/pages/y")
    assert r.status_code == 405 and r.headers["allow"] == "DELETE, GET, HEAD"
    assert r.json() == {"message": "Method not allowed.", "errors": {}}
    assert r.headers["cache-control"] == "no-store" and r.headers["deprecation"] == "true"


async def test_404_trailing_slash_is_not_redirected(client):
    for path, body in [
        ("/api/sites/", {"detail": "Not found."}),
        ("/api/v1/channels/", {"message": "Not found.", "errors": {}}),
        ("/micropub/media/", {"error": "not_found", "error_description": "Not found."}),
    ]:
        r = await client.get(path)
        assert r.status_code == 404 and r.json() == body, path


async def test_site_405_for_writes_and_404_page_for_options(client):
    put = await client.put("/auth/token")
    assert put.status_code == 405 and put.headers["allow"] == "GET, HEAD" and put.content == b""
    options = await client.options("/some-channel")
    assert options.status_code == 404 and options.headers["content-type"].startswith("text/html")
