"""The anonymous response cache (§1.3, R-D7): anonymous reads are served from Redis for
DIRECTORY_CACHE_SECONDS; token holders always get fresh data; the throttle still counts."""

from __future__ import annotations

from hub.directory.urlnorm import site_key
from tests.factories import make_site, make_token


async def a_site(db, title: str = "Pear Diaries") -> str:
    link = "https://pears.example/"
    return str(await make_site(db, link, link_key=site_key(link), title=title))


async def test_second_anonymous_read_is_served_from_the_cache(client, db, resources):
    site_id = await a_site(db)
    first = await client.get(f"/api/sites/{site_id}")
    assert first.status_code == 200 and first.headers["x-cache"] == "miss"
    await db.execute("UPDATE sites SET title = 'Renamed'")
    second = await client.get(f"/api/sites/{site_id}")
    assert second.headers["x-cache"] == "hit"
    assert second.json()["title"] == "Pear Diaries"  # the cached body, not the database
    assert second.headers["etag"] == first.headers["etag"]
    assert int(second.headers["ratelimit-remaining"]) == 58  # a cached answer still counts
    revalidated = await client.get(
        f"/api/sites/{site_id}", headers={"If-None-Match": first.headers["etag"]}
    )
    assert revalidated.status_code == 304
    ttl = max([await resources.redis.ttl(k) async for k in
               resources.redis.scan_iter("hub:directory:cache:*")])  # fmt: skip
    assert 0 < ttl <= resources.settings.directory_cache_seconds


async def test_token_holders_are_never_served_from_the_cache(client, db):
    site_id = await a_site(db)
    await client.get(f"/api/sites/{site_id}")  # fills the cache
    await db.execute("UPDATE sites SET title = 'Renamed'")
    _, secret = await make_token(db)
    fresh = await client.get(f"/api/sites/{site_id}", headers={"Authorization": f"Token {secret}"})
    assert fresh.status_code == 200 and "x-cache" not in fresh.headers
    assert fresh.json()["title"] == "Renamed" and fresh.json()["is_recommended"] is False
    anonymous = await client.get(f"/api/sites/{site_id}")
    assert "is_recommended" not in anonymous.json()  # the token's fields never leak into it


async def test_search_cache_key_ignores_parameter_order_but_not_values(client, db):
    await a_site(db)
    r = await client.get("/api/sites/search?q=pear&page_size=5")
    assert r.headers["x-cache"] == "miss" and r.json()["count"] == 1
    r = await client.get("/api/sites/search?page_size=5&q=pear")
    assert r.headers["x-cache"] == "hit"
    r = await client.get("/api/sites/search?q=diaries&page_size=5")
    assert r.headers["x-cache"] == "miss"
    html = await client.get("/api/sites/search?q=pear&page_size=5", headers={"Accept": "text/html"})
    assert html.headers["x-cache"] == "miss" and html.headers["content-type"].startswith(
        "text/html"
    )


async def test_errors_and_writes_are_not_cached(client, db):
    r = await client.get("/api/sites/00000000-0000-4000-8000-000000000000")
    assert r.status_code == 404 and "x-cache" not in r.headers
    r = await client.get("/api/sites/search")
    assert r.status_code == 400 and "x-cache" not in r.headers
