"""EXT §4.2 `ETag` / `If-Match`: a stale version gets 412 and changes nothing."""

from __future__ import annotations

from hub.channels.preconditions import matches
from tests.channels.conftest import article, make_account, two_languages

PAGES = "/api/v1/channels/ada_blog/pages"
PAGE = PAGES + "/agent_post"
CHANGED = {"message": "The article has changed since you read it.", "errors": {}}


async def test_412_stale_if_match_changes_nothing(client, db):
    account = await make_account(db, "Ada", scopes=["create", "update", "delete"])
    created = await client.post(PAGES, json=two_languages(status="draft"), headers=account.headers)
    etag = created.headers["etag"]
    assert etag == '"v1"'
    stale = {**account.headers, "If-Match": '"v0"'}
    cases = [
        ("PATCH", PAGE + "/status", {"status": "published", "publish_translations": True}),
        ("PUT", PAGE + "/translations/en", {"title": "Changed"}),
        ("POST", PAGES, article(status="draft", tags=["x"])),
        ("DELETE", PAGE + "/translations/ru", None),
        ("DELETE", PAGE, None),
    ]
    for method, path, body in cases:
        r = await client.request(method, path, json=body, headers=stale)
        assert r.status_code == 412, (method, path, r.text)
        assert r.json() == CHANGED
    after = await client.get(PAGE, headers=account.headers)
    assert after.headers["etag"] == etag and after.json()["status"] == "draft"
    assert after.json()["translations"][0]["title"] == "Agent post"
    assert await db.fetchval("SELECT count(*) FROM entry_translations") == 2


async def test_200_matching_if_match_and_star(client, account):
    created = await client.post(PAGES, json=article(status="draft"), headers=account.headers)
    r = await client.patch(
        PAGE + "/status",
        json={"status": "published"},
        headers={**account.headers, "If-Match": created.headers["etag"]},
    )
    assert r.status_code == 200 and r.headers["etag"] == '"v2"'
    r = await client.put(
        PAGE + "/translations/en",
        json={"title": "New"},
        headers={**account.headers, "If-Match": "*"},
    )
    assert r.status_code == 200


async def test_412_if_match_on_a_new_slug(client, db, account):
    r = await client.post(PAGES, json=article(), headers={**account.headers, "If-Match": '"v1"'})
    assert r.status_code == 412
    assert await db.fetchval("SELECT count(*) FROM entries") == 0


async def test_412_and_200_channel_if_match(client, account):
    r = await client.get("/api/v1/channels/ada_blog", headers=account.headers)
    assert r.status_code == 200 and r.json()["slug"] == "ada_blog"
    etag = r.headers["etag"]
    patch = {"translations": [{"language": "en", "title": "Renamed"}]}
    r = await client.patch(
        "/api/v1/channels/ada_blog", json=patch, headers={**account.headers, "If-Match": etag}
    )
    assert r.status_code == 200 and r.headers["etag"] != etag
    r = await client.patch(
        "/api/v1/channels/ada_blog", json=patch, headers={**account.headers, "If-Match": etag}
    )
    assert r.status_code == 412
    assert r.json() == {"message": "The channel has changed since you read it.", "errors": {}}


def test_if_match_strong_comparison():
    assert matches(None, None) and matches(None, '"v1"')
    assert matches('"v1"', '"v1"') and matches('"v0", "v1"', '"v1"') and matches("*", '"v1"')
    assert not matches('"v2"', '"v1"') and not matches('W/"v1"', '"v1"')
    assert not matches("*", None) and not matches('"v1"', None)
