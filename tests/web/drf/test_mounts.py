"""The one `/api` mount serves the DRF-style rows of the webmentions and the directory alike:
OPTIONS, `Allow` and the `{"detail"}` 404/405 come from the same plumbing for both."""

from __future__ import annotations

from hub.webmentions.routes import ENDPOINTS as WEBMENTION_ENDPOINTS


async def test_200_options_on_every_webmention_row(client):
    for endpoint in WEBMENTION_ENDPOINTS:
        path = "/api" + endpoint.path.format(mention_id="x" * 22)
        response = await client.options(path)
        assert response.status_code == 200, path
        assert response.json()["name"] == endpoint.name
        assert response.headers["allow"] == endpoint.allow


async def test_405_and_404_under_webmentions_in_the_detail_shape(client):
    put = await client.put("/api/webmentions")
    assert put.status_code == 405 and put.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    assert put.json() == {"detail": 'Method "PUT" not allowed.'}
    deeper = await client.get("/api/webmentions/x/y")
    assert deeper.status_code == 404 and deeper.json() == {"detail": "Not found."}


async def test_200_api_root_still_lists_webmentions(client):
    root = await client.get("/api/")
    assert root.status_code == 200 and root.json()["webmentions"].endswith("/api/webmentions")
