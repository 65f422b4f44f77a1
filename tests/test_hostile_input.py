"""Hostile input answers each API's own 4xx, never a 500, and stores nothing (issue 15, item 7):
a NUL in a v1 title, a Micropub filter, a search query, a webmention source, a blog or tag
path; integers past PostgreSQL's ranges in Micropub's offset, the directory's page and the
search language's `total_recommendations`."""

from __future__ import annotations

import pytest

from tests.factories import bearer, make_author, make_credential, make_entry

V1_PAGES = "/api/v1/channels/ada_blog/pages"
HUGE = "99999999999999999999"  # past bigint
BIG = "9999999999"  # past integer


@pytest.fixture
async def ada(db):
    author = await make_author(db, "Ada", plan="pro")
    await make_entry(db, author, "hello")
    return author


async def _stored(db) -> tuple[int, int, int]:
    return (
        await db.fetchval("SELECT count(*) FROM entries"),
        await db.fetchval("SELECT count(*) FROM webmentions"),
        await db.fetchval("SELECT count(*) FROM entry_translations"),
    )


def _article(title: str) -> dict:
    return {
        "slug": "hostile",
        "status": "published",
        "translations": [{"language": "en", "title": title, "content_markdown": "x"}],
    }


@pytest.mark.parametrize(
    "title", ["a\x00b", "bell\x07", "\ufffe", "\uffff"], ids=["nul", "c0", "fffe", "ffff"]
)
async def test_v1_422_title_with_a_forbidden_character(client, db, ada, title):
    key = await make_credential(db, ada.author_id)
    before = await _stored(db)
    r = await client.post(V1_PAGES, json=_article(title), headers=bearer(key))
    assert r.status_code == 422
    assert set(r.json()) == {"message", "errors"}
    assert "translations" in r.json()["errors"]
    assert "forbidden character" in r.json()["message"]
    assert await _stored(db) == before


async def test_v1_201_title_with_tab_and_newline(client, db, ada):
    key = await make_credential(db, ada.author_id)
    r = await client.post(V1_PAGES, json=_article("a\tb\nc"), headers=bearer(key))
    assert r.status_code == 201


@pytest.mark.parametrize(
    "query",
    [
        "q=category&filter=a%00b",
        "q=source&filter=a%00",
        f"q=source&offset={HUGE}",
        "q=source&offset=-1",
        "q=config&x=%00",
    ],
)
async def test_micropub_400_hostile_query(client, db, ada, query):
    secret = await make_credential(db, ada.author_id, kind="app_token", scopes=["create"])
    r = await client.get(f"/micropub?{query}", headers=bearer(secret))
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"
    assert set(r.json()) == {"error", "error_description"}


async def test_micropub_200_offset_at_bigint_max(client, db, ada):
    secret = await make_credential(db, ada.author_id, kind="app_token", scopes=["create"])
    r = await client.get(f"/micropub?q=source&offset={2**63 - 1}", headers=bearer(secret))
    assert r.status_code == 200
    assert r.json()["items"] == []


@pytest.mark.parametrize(
    "query", ["q=apple%00", f"q=apple&page={BIG}", f"q=apple&page={HUGE}", "q=a&x=%00"]
)
async def test_directory_400_hostile_search(client, db, query):
    r = await client.get(f"/api/sites/search?{query}")
    assert r.status_code == 400
    assert isinstance(r.json(), dict)
    assert "application/json" in r.headers["content-type"]


@pytest.mark.parametrize(
    "q",
    [
        f"total_recommendations:>{BIG}",
        f"total_recommendations:<-{BIG}",
        f"total_recommendations:{BIG}",
        f"total_recommendations:[{BIG} TO *]",
        f"total_recommendations:[-{BIG} TO {HUGE}]",
    ],
)
async def test_directory_200_search_numbers_past_integer(client, db, q):
    r = await client.get("/api/sites/search", params={"q": q})
    assert r.status_code == 200
    assert r.json()["count"] == 0


@pytest.mark.parametrize(
    "form",
    [
        {"source": "https://a.example/\x00", "target": "http://hub.test/ada_blog/hello"},
        {"source": "https://a.example/", "target": "http://hub.test/ada_blog/hello\x00"},
    ],
)
async def test_webmentions_400_nul(client, db, ada, form):
    before = await _stored(db)
    r = await client.post("/api/webmentions", data=form)
    assert r.status_code == 400
    assert set(r.json()) == {"detail"}
    assert await _stored(db) == before


@pytest.mark.parametrize(
    "path",
    [
        "/ada_blog/hel%00lo",
        "/ada_blog/tags/x%00",
        "/ada_blog/tags/x%00/feed.xml",
        "/ada%00blog",
        "/ada%00blog/hello",
    ],
)
async def test_site_400_nul_in_path_is_an_html_page(client, ada, path):
    r = await client.get(path)
    assert r.status_code == 400
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "forbidden character (U+0000)" in r.text


@pytest.mark.parametrize(
    ("path", "status", "keys"),
    [
        ("/api/v1/channels/ada%00blog", 422, {"message", "errors"}),
        ("/micropub/media/x%00", 400, {"error", "error_description"}),
        ("/api/sites/1%00", 400, None),
    ],
)
async def test_api_nul_in_path_is_the_apis_4xx(client, db, ada, path, status, keys):
    key = await make_credential(db, ada.author_id)
    r = await client.get(path, headers=bearer(key))
    assert r.status_code == status
    if keys is not None:
        assert set(r.json()) == keys


@pytest.mark.parametrize(
    ("path", "content_type", "keys"),
    [
        ("/api/v1/channels/a%0Ab", "application/json; charset=utf-8", {"message", "errors"}),
        ("/api/v1/channels/ada_blog/pages/a%0A", "application/json; charset=utf-8", None),
        ("/micropub/media/a%0Ab", "application/json", {"error", "error_description"}),
        ("/api/sites/a%0Ab", "application/json", {"detail"}),
        ("/ada_blog/a%0Ab", "text/html; charset=utf-8", None),
    ],
)
async def test_404_newline_in_a_path_parameter_is_the_apis_404(
    client, db, ada, path, content_type, keys
):
    kind = "app_token" if path.startswith("/micropub") else "api_key"
    key = await make_credential(
        db, ada.author_id, kind=kind, scopes=["media"] if kind == "app_token" else None
    )
    r = await client.get(path, headers={} if path.startswith("/api/sites") else bearer(key))
    assert r.status_code == 404
    assert r.headers["content-type"] == content_type
    if keys is not None:
        assert set(r.json()) == keys
