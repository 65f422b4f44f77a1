"""EXT §4.4: GET /channels/{c}/pages with filters and keyset pagination on (updated_at, id)."""

from __future__ import annotations

from tests.channels.conftest import article, make_account, two_languages

PAGES = "/api/v1/channels/ada_blog/pages"


async def make_pages(client, account, n: int) -> list[str]:
    slugs = []
    for i in range(n):
        slug = f"page_{i}"
        body = article(slug=slug, status="published" if i % 2 else "draft")
        body["translations"][0]["title"] = f"Title {i}" + (" 50%_off" if i == 3 else "")
        r = await client.post(PAGES, json=body, headers=account.headers)
        assert r.status_code == 201
        slugs.append(slug)
    return slugs


async def test_200_pages_newest_first_with_cursor(client, account):
    slugs = await make_pages(client, account, 5)
    seen, cursor = [], None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        r = await client.get(PAGES, params=params, headers=account.headers)
        assert r.status_code == 200
        body = r.json()
        assert set(body) == {"pages", "next_cursor"}
        seen += [p["slug"] for p in body["pages"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(slugs))
    summary = body["pages"][0]
    assert "content_html" not in summary["translations"][0]
    assert "excerpt" not in summary["translations"][0]
    assert summary["translations"][0]["title"].startswith("Title")
    assert summary["translation_status_summary"]["published"] in ([], ["en"])


async def test_200_pages_ascending_and_filters(client, account):
    slugs = await make_pages(client, account, 4)
    await client.post(PAGES, json=two_languages(slug="bilingual"), headers=account.headers)
    r = await client.get(PAGES, params={"order": "asc"}, headers=account.headers)
    assert [p["slug"] for p in r.json()["pages"]] == [*slugs, "bilingual"]
    r = await client.get(PAGES, params={"status": "published"}, headers=account.headers)
    assert [p["slug"] for p in r.json()["pages"]] == ["bilingual", "page_3", "page_1"]
    r = await client.get(PAGES, params={"language": "RU"}, headers=account.headers)
    assert [p["slug"] for p in r.json()["pages"]] == ["bilingual"]
    r = await client.get(PAGES, params={"q": "50%_"}, headers=account.headers)
    assert [p["slug"] for p in r.json()["pages"]] == ["page_3"]  # wildcards taken literally
    r = await client.get(PAGES, params={"q": "PAGE_2"}, headers=account.headers)
    assert [p["slug"] for p in r.json()["pages"]] == ["page_2"]
    r = await client.get(PAGES, params={"q": "пост"}, headers=account.headers)
    assert [p["slug"] for p in r.json()["pages"]] == ["bilingual"]
    since = r.json()["pages"][0]["updated_at"]
    r = await client.get(PAGES, params={"updated_since": since}, headers=account.headers)
    assert "bilingual" in [p["slug"] for p in r.json()["pages"]]


async def test_200_deleted_pages_are_not_listed(client, db, account):
    await make_pages(client, account, 2)
    deleter = await make_account(db, "Dee", scopes=["create", "update", "delete"])
    r = await client.post(
        "/api/v1/channels/dee_blog/pages", json=article(), headers=deleter.headers
    )
    await client.delete("/api/v1/channels/dee_blog/pages/agent_post", headers=deleter.headers)
    r = await client.get("/api/v1/channels/dee_blog/pages", headers=deleter.headers)
    assert r.json() == {"pages": [], "next_cursor": None}


async def test_422_list_parameters(client, account):
    params = {
        "status": "gone",
        "language": "english",
        "updated_since": "yesterday",
        "order": "up",
        "cursor": "!!",
        "limit": "101",
    }
    r = await client.get(PAGES, params=params, headers=account.headers)
    assert r.status_code == 422
    assert set(r.json()["errors"]) == set(params)
    r = await client.get(PAGES, params={"limit": "0"}, headers=account.headers)
    assert r.status_code == 422


async def test_403_404_list(client, account, other):
    r = await client.get("/api/v1/channels/bob_blog/pages", headers=account.headers)
    assert r.status_code == 403
    r = await client.get("/api/v1/channels/none/pages", headers=account.headers)
    assert r.status_code == 404


async def test_422_empty_updated_since(client, account):
    """The OpenAPI document says `updated_since` is a date-time; an empty one is not (issue 15)."""
    r = await client.get(PAGES, params={"updated_since": ""}, headers=account.headers)
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"updated_since"}
