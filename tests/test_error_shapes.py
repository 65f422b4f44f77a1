"""Each API's error body, pinned across many failure paths (datasette's `test_error_shape.py`).

Micropub answers `{"error", "error_description"}`, the v1 API `{"message", "errors"}`, the
`/api` directory and `/api/webmentions` DRF-style `{"detail"}`, the public site HTML pages.
Every case checks the status, the exact body and the headers that go with it, so a change to
one API's error mapping shows here before a client notices.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from hub.app import create_app
from hub.core.db import transaction
from hub.core.entries import publishing
from tests.factories import bearer, make_author, make_credential, make_entry, make_token

JSON = "application/json"
V1_JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"
NOTE = {"type": ["h-entry"], "properties": {"content": ["x"]}}
PAGES = "/api/v1/channels/ada_blog/pages"


@pytest.fixture
async def ada(db):
    return await make_author(db, "Ada", plan="pro")


def token(secret: str) -> dict[str, str]:
    return {"Authorization": f"Token {secret}"}


# -- Micropub: {"error", "error_description"} ---------------------------------------------------


async def test_micropub_401_no_token(client):
    r = await client.post("/micropub", json=NOTE)
    assert r.status_code == 401
    assert r.headers["content-type"] == JSON
    assert r.headers["www-authenticate"] == 'Bearer realm="hub"'
    assert r.json() == {"error": "unauthorized", "error_description": "No token was sent."}


async def test_micropub_401_insufficient_scope(client, db, ada):
    secret = await make_credential(db, ada.author_id, kind="app_token", scopes=["media"])
    r = await client.post("/micropub", json=NOTE, headers=bearer(secret))
    assert r.status_code == 401
    challenge = 'Bearer error="insufficient_scope", scope="create draft"'
    assert r.headers["www-authenticate"] == challenge
    assert r.json() == {
        "error": "insufficient_scope",
        "error_description": "This token lacks the 'create' scope.",
        "scope": "create draft",
    }


async def test_micropub_403_another_blogs_entry(client, db, ada):
    bob = await make_author(db, "Bob")
    await make_entry(db, bob, "hello")
    secret = await make_credential(db, ada.author_id, kind="app_token", scopes=["delete"])
    body = {"action": "delete", "url": "http://hub.test/bob_blog/hello"}
    r = await client.post("/micropub", json=body, headers=bearer(secret))
    assert r.status_code == 403
    assert r.headers["content-type"] == JSON
    assert r.json()["error"] == "forbidden"
    assert set(r.json()) == {"error", "error_description"}


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({"type": ["h-entry"], "properties": "x"}, "`properties` must be an object."),
        (
            {"action": "explode", "url": "http://hub.test/x"},
            "Unsupported action 'explode'; supported: update, delete, undelete.",
        ),
    ],
)
async def test_micropub_400_invalid_request(client, db, ada, body, description):
    secret = await make_credential(db, ada.author_id, kind="app_token", scopes=["create"])
    r = await client.post("/micropub", json=body, headers=bearer(secret))
    assert r.status_code == 400
    assert r.headers["content-type"] == JSON
    assert r.json() == {"error": "invalid_request", "error_description": description}


async def test_micropub_413_oversize_body(client, db, ada, settings):
    secret = await make_credential(db, ada.author_id, kind="app_token", scopes=["create"])
    form = b"h=entry&content=" + b"x" * settings.max_body_bytes
    headers = {**bearer(secret), "Content-Type": "application/x-www-form-urlencoded"}
    r = await client.post("/micropub", content=form, headers=headers)
    assert r.status_code == 413
    assert r.headers["content-type"] == JSON
    assert r.json() == {
        "error": "invalid_request",
        "error_description": f"The request body is larger than {settings.max_body_bytes} bytes.",
    }


async def test_micropub_404_unknown_path(client):
    r = await client.get("/micropub/nope")
    assert r.status_code == 404
    assert r.headers["content-type"] == JSON
    assert r.json() == {"error": "not_found", "error_description": "Not found."}


@pytest.mark.parametrize("path", ["/micropub", "/micropub/media"])
async def test_micropub_405(client, path):
    r = await client.delete(path)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    assert r.headers["content-type"] == JSON
    assert r.json() == {
        "error": "invalid_request",
        "error_description": "DELETE is not allowed here; use GET, HEAD, POST, OPTIONS.",
    }


# -- v1 API: {"message", "errors"} ---------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, bearer("wrong")])
async def test_v1_401_missing_or_wrong_key(client, ada, headers):
    r = await client.get(PAGES, headers=headers)
    assert r.status_code == 401
    assert r.headers["content-type"] == V1_JSON
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json() == {"message": "Missing or invalid API key.", "errors": {}}


async def test_v1_403_missing_scope(client, db, ada):
    secret = await make_credential(db, ada.author_id, scopes=["media"])
    r = await client.post(PAGES, json={"slug": "x"}, headers=bearer(secret))
    assert r.status_code == 403
    assert r.headers["content-type"] == V1_JSON
    assert r.json() == {"message": "This API key lacks the 'create' scope.", "errors": {}}


@pytest.mark.parametrize(
    ("path", "message"),
    [(f"{PAGES}/999999", "Article not found."), ("/api/v1/nope", "Not found.")],
)
async def test_v1_404(client, db, ada, path, message):
    r = await client.get(path, headers=bearer(await make_credential(db, ada.author_id)))
    assert r.status_code == 404
    assert r.headers["content-type"] == V1_JSON
    assert r.json() == {"message": message, "errors": {}}


async def test_v1_422_field_errors(client, db, ada):
    secret = await make_credential(db, ada.author_id)
    r = await client.post(PAGES, json={"slug": "Bad Slug!", "translations": []},
                          headers=bearer(secret))  # fmt: skip
    slug = "The slug may only contain lowercase letters, digits, underscores and hyphens."
    assert r.status_code == 422
    assert r.headers["content-type"] == V1_JSON
    assert r.json() == {
        "message": f"{slug} (and 1 more error)",
        "errors": {
            "slug": [slug],
            "translations": ["The translations must be a list with at least one item."],
        },
    }


async def test_v1_413_oversize_body(client, db, ada, settings):
    secret = await make_credential(db, ada.author_id)
    body = b"{" + b" " * settings.v1_max_body_bytes + b"}"
    headers = {**bearer(secret), "Content-Type": "application/json"}
    r = await client.post(PAGES, content=body, headers=headers)
    assert r.status_code == 413
    assert r.headers["content-type"] == V1_JSON
    limit = settings.v1_max_body_bytes
    assert r.json() == {
        "message": f"The request body is too large. The limit is {limit} bytes.",
        "errors": {},
    }


async def test_v1_405(client, db, ada):
    r = await client.delete("/api/v1/channels", headers=bearer(await make_credential(db, 1)))
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD, POST"
    assert r.headers["content-type"] == V1_JSON
    assert r.json() == {"message": "Method not allowed.", "errors": {}}


# -- /api directory and /api/webmentions: {"detail"} ----------------------------------------------


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "Authentication credentials were not provided."),
        (token("wrong"), "Invalid token."),
    ],
)
async def test_directory_401(client, headers, detail):
    r = await client.post("/api/sites", json={"url": "https://x.example/"}, headers=headers)
    assert r.status_code == 401
    assert r.headers["content-type"] == JSON
    assert r.headers["www-authenticate"] == "Token"
    assert r.json() == {"detail": detail}


async def test_directory_403_token_of_another_kind(client, db, ada):
    secret = await make_credential(db, ada.author_id)  # a v1 API key, not a directory token
    r = await client.post("/api/sites", json={"url": "https://x.example/"}, headers=token(secret))
    assert r.status_code == 403
    assert r.headers["content-type"] == JSON
    assert r.json() == {"detail": "You do not have permission to perform this action."}


@pytest.mark.parametrize("path", ["/api/sites/999999", "/api/nope", "/api/webmentions/nope"])
async def test_detail_404(client, path):
    r = await client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == JSON
    assert r.json() == {"detail": "Not found."}


@pytest.mark.parametrize("path", ["/api/sites", "/api/webmentions"])
async def test_detail_405_with_allow(client, db, path):
    _, secret = await make_token(db)
    r = await client.delete(path, headers=token(secret))
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    assert r.headers["content-type"] == JSON
    assert r.json() == {"detail": 'Method "DELETE" not allowed.'}


async def test_directory_400_json_parse_error(client, db):
    _, secret = await make_token(db)
    headers = {**token(secret), "Content-Type": "application/json"}
    r = await client.post("/api/sites", content=b"{nope", headers=headers)
    assert r.status_code == 400
    assert r.headers["content-type"] == JSON
    assert r.json() == {"detail": "JSON parse error."}


async def test_directory_415_unsupported_media_type(client, db):
    _, secret = await make_token(db)
    headers = {**token(secret), "Content-Type": "text/plain"}
    r = await client.post("/api/sites", content=b"url=x", headers=headers)
    assert r.status_code == 415
    assert r.headers["content-type"] == JSON
    assert r.json() == {"detail": 'Unsupported media type "text/plain" in request.'}


async def test_directory_406_unsatisfiable_accept(client):
    r = await client.get("/api/sites", headers={"Accept": "text/csv"})
    assert r.status_code == 406
    assert r.headers["content-type"] == JSON
    assert r.json() == {"detail": "Could not satisfy the request Accept header."}


@asynccontextmanager
async def app_with(resources, **changes) -> AsyncIterator[httpx.AsyncClient]:
    settings = dataclasses.replace(resources.settings, **changes)
    app = create_app(settings, dataclasses.replace(resources, settings=settings))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        yield http


async def test_directory_429_with_retry_after(db, resources):
    async with app_with(resources, rate_directory_anon=1) as client:
        assert (await client.get("/api/sites")).status_code == 200
        r = await client.get("/api/sites")
    assert r.status_code == 429
    assert r.headers["content-type"] == JSON
    seconds = int(r.headers["retry-after"])
    assert r.json() == {
        "detail": f"Request was throttled. Expected available in {seconds} seconds."
    }


@pytest.mark.parametrize(
    ("form", "detail"),
    [
        ({"source": "nope"}, "source and target are required"),
        (
            {"source": "https://a.example/", "target": "https://elsewhere.example/x"},
            "target is not on this site",
        ),
    ],
)
async def test_webmentions_400(client, form, detail):
    r = await client.post("/api/webmentions", data=form)
    assert r.status_code == 400
    assert r.headers["content-type"] == JSON
    assert r.json() == {"detail": detail}


async def test_webmentions_401_wrong_token(client):
    r = await client.get("/api/webmentions", headers=token("wrong"))
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Token"
    assert r.json() == {"detail": "Invalid token."}


# -- the public site: HTML pages -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/ada_blog/nope", "/nobody/nope"])
async def test_site_404_is_an_html_page(client, ada, path):
    r = await client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == HTML
    assert "<title>Not found</title>" in r.text


async def test_site_410_deleted_entry(client, db, ada):
    entry_id = await make_entry(db, ada, "gone")
    async with transaction(db) as conn:
        await conn.execute("UPDATE entries SET deleted_at = now() WHERE id = $1", entry_id)
        await publishing.refresh_status(conn, entry_id)
    r = await client.get("/ada_blog/gone")
    assert r.status_code == 410
    assert r.headers["content-type"] == HTML
    assert "<title>Gone</title>" in r.text
    assert '<meta http-equiv="Status" content="410 Gone">' in r.text


@pytest.mark.parametrize(("method", "path"), [("POST", "/ada_blog"), ("DELETE", "/ada_blog/x")])
async def test_site_405_empty_with_allow(client, ada, method, path):
    r = await client.request(method, path)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"
    assert "content-type" not in r.headers
    assert r.content == b""
