"""The directory API over HTTP: root, detail endpoints, OPTIONS, auth levels, throttling,
submission, refresh, recommendations, and the `{"detail"}` error shape."""

from __future__ import annotations

import dataclasses

import pytest

from hub.directory import service
from hub.directory.polling import poller
from tests.directory import FIXTURES
from tests.factories import make_author, make_token


def token(secret: str) -> dict[str, str]:
    return {"Authorization": f"Token {secret}"}


async def polled_site(resources, feed_server, fixture="rss20.xml"):
    url = feed_server.serve_file("/feed", FIXTURES / fixture)
    added = await service.add_site(resources, url)
    await poller.poll_feed(resources, added.feed_ids[0])
    return added


async def test_200_root_links(client, db):
    response = await client.get("/api/")
    assert response.status_code == 200
    assert list(response.json())[:2] == ["sites", "tags"]
    assert response.json()["sites"] == "http://hub.test/api/sites"
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert int(response.headers["ratelimit-limit"]) == 60
    for name, link in response.json().items():  # every link leads somewhere
        answer = await client.get(link, params={"q": "x"} if name == "search" else None)
        assert answer.status_code != 404, link  # (webmentions wants a target: 400)


async def test_200_options_describes_the_endpoint(client, db):
    response = await client.options("/api/sites/search")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Search"
    assert body["renders"] == ["application/json", "text/html"]
    assert body["parses"][0] == "application/json"
    assert body["query_parameters"][0] == {
        "name": "q", "required": True, "description": "The query."
    }  # fmt: skip
    assert "actions" not in body
    sites = await client.options("/api/sites")
    assert sites.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    assert "actions" not in sites.json()  # anonymous callers may not write
    _, secret = await make_token(db)
    authed = await client.options("/api/sites", headers=token(secret))
    assert authed.json()["actions"]["POST"]["url"]["required"] is True


async def test_200_every_endpoint_answers_options(client, db, resources, feed_server):
    added = await polled_site(resources, feed_server)
    post_id = await db.fetchval("SELECT id FROM posts LIMIT 1")
    await db.execute("INSERT INTO site_tags (site_id, name, uses) VALUES ($1, 'x', 2)",
                     added.site_id)  # fmt: skip
    from hub.directory.routes import ENDPOINTS

    values = {"site_id": added.site_id, "feed_id": added.feed_ids[0], "post_id": post_id,
              "name": "x", "subscription_id": "00000000-0000-4000-8000-000000000000",
              "mention_id": "x" * 22, "token": "t"}  # fmt: skip
    for endpoint in ENDPOINTS:
        path = "/api" + endpoint.path.format(**values)
        response = await client.options(path)
        assert response.status_code == 200, path
        assert response.json()["name"] == endpoint.name
        assert response.headers["allow"] == endpoint.allow


async def test_200_head_has_no_body(client, db):
    response = await client.head("/api/")
    assert response.status_code == 200 and response.content == b""


async def test_405_406_415(client, db):
    response = await client.delete("/api/sites")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}
    assert response.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    refused = await client.get("/api/", headers={"Accept": "application/xml"})
    assert refused.status_code == 406
    page = await client.get("/api/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "http://hub.test/api/sites" in page.text
    forced = await client.get("/api/?format=json", headers={"Accept": "text/html"})
    assert forced.headers["content-type"] == "application/json"
    _, secret = await make_token(db)
    xml = await client.post(
        "/api/sites", content=b"<url/>", headers={**token(secret), "Content-Type": "text/xml"}
    )
    assert xml.status_code == 415


async def test_401_bad_token_and_403_without_directory_scope(client, db):
    bad = await client.get("/api/", headers=token("hub_nope"))
    assert bad.status_code == 401
    assert bad.json() == {"detail": "Invalid token."}
    assert bad.headers["www-authenticate"] == "Token"
    _, secret = await make_token(db, scopes=["create"])
    forbidden = await client.get("/api/", headers=token(secret))
    assert forbidden.status_code == 403
    assert forbidden.json() == {"detail": "You do not have permission to perform this action."}


@pytest.mark.parametrize(("plan", "limit"), [(None, 60), ("free", 100), ("pro", 100),
                                             ("premium", 1000)])  # fmt: skip
async def test_429_throttle_per_auth_level(client, db, resources, plan, limit):
    headers = {}
    key = "directory:ip:127.0.0.1"
    if plan:
        await make_author(db, "Olwen")  # the node's owner, whose rates are premium's
        author_id, secret = await make_token(db, plan=plan)
        headers = token(secret)
        key = f"directory:user:{author_id}"
    # fill the window up to one request before the limit without `limit` HTTP requests
    await resources.limiter.hit(key, limit, cost=limit - 1)
    last = await client.get("/api/", headers=headers)
    assert last.status_code == 200 and last.headers["ratelimit-remaining"] == "0"
    assert last.headers["ratelimit-limit"] == str(limit)
    throttled = await client.options("/api/", headers=headers)  # OPTIONS counts too
    assert throttled.status_code == 429
    seconds = int(throttled.headers["retry-after"])
    assert 1 <= seconds <= 60
    assert throttled.json() == {
        "detail": f"Request was throttled. Expected available in {seconds} seconds."
    }
    assert throttled.headers["allow"] == "GET, HEAD, OPTIONS"


async def test_429_real_requests_anonymous(client, db):
    statuses = [(await client.get("/api/")).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429


async def test_200_anonymous_and_token_callers_see_different_fields(
    client, db, resources, feed_server
):
    added = await polled_site(resources, feed_server)
    anonymous = (await client.get(f"/api/sites/{added.site_id}")).json()
    assert "is_recommended" not in anonymous and "is_subscribed" not in anonymous
    assert "is_subscribed" not in anonymous["main_feed"]
    _, secret = await make_token(db)
    authed = (await client.get(f"/api/sites/{added.site_id}", headers=token(secret))).json()
    assert authed["is_recommended"] is False and authed["is_subscribed"] is False
    assert authed["main_feed"]["is_subscribed"] is False
    anonymous.pop("_meta", None)
    assert {k: v for k, v in authed.items() if not k.startswith("is_")} | {
        "main_feed": anonymous["main_feed"]
    } == anonymous


async def test_200_site_feed_post_detail_and_lists(client, db, resources, feed_server):
    added = await polled_site(resources, feed_server)
    site = (await client.get(f"/api/sites/{added.site_id}")).json()
    assert site["title"] == "Apple Orchard Notes" and site["type"] == "blog"
    assert site["link"] == "https://orchard.example/"
    assert site["main_feed"]["format"] == "rss" and site["main_feed"]["format_version"] == "2.0"
    assert site["created_at"].endswith("Z") and site["updated_at"] == "2024-01-02T09:30:00Z"
    feeds = (await client.get(site["feeds"])).json()
    assert feeds["count"] == 1 and feeds["results"][0]["is_main"] is True
    feed = (await client.get(site["main_feed"]["url"])).json()
    assert feed["status"] == "active" and feed["websub"] is False
    posts = (await client.get(feed["posts"])).json()
    assert posts["count"] == 2
    first = posts["results"][0]
    assert first["title"] == "Pruning in winter" and first["published_at"] == "2024-01-02T09:30:00Z"
    assert first["tags"] == ["gardening", "apples"] and "<script" not in first["content"]
    detail = (await client.get(first["url"])).json()
    assert detail == first
    since = (await client.get(feed["posts"], params={"since": "2024-01-01T00:00:00Z"})).json()
    assert since["count"] == 1
    listing = (await client.get("/api/sites")).json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == str(added.site_id)
    assert listing["_meta"]["beta_notice"]["message"].startswith("Warning")
    assert (await client.get("/api/sites", params={"type": "microblog"})).json()["count"] == 0


async def test_200_tags(client, db, resources, feed_server):
    added = await polled_site(resources, feed_server)
    # rss20.xml uses `gardening` twice: a site tag; `apples` once: not one
    tags = (await client.get("/api/tags")).json()
    assert [t["name"] for t in tags["results"]] == ["gardening"]
    assert tags["results"][0] == {
        "name": "gardening", "url": "http://hub.test/api/tags/gardening", "site_count": 1,
        "sites": "http://hub.test/api/tags/gardening/sites",
    }  # fmt: skip
    assert (await client.get("/api/tags", params={"q": "gar"})).json()["count"] == 1
    assert (await client.get("/api/tags", params={"q": "zzz"})).json()["count"] == 0
    sites = (await client.get("/api/tags/gardening/sites")).json()
    assert [s["id"] for s in sites["results"]] == [str(added.site_id)]
    assert (await client.get(f"/api/sites/{added.site_id}")).json()["tags"] == ["gardening"]
    assert (await client.get("/api/sites", params={"tag": "gardening"})).json()["count"] == 1


@pytest.mark.parametrize(
    "path",
    ["/api/sites/not-a-uuid", "/api/sites/00000000-0000-4000-8000-000000000000",
     "/api/feeds/00000000-0000-4000-8000-000000000000", "/api/posts/x", "/api/tags/nope",
     "/api/tags/NOT%20A%20TAG/sites", "/api/nothing"],
)  # fmt: skip
async def test_404_shape(client, db, path):
    response = await client.get(path)
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


async def test_404_hidden_site_and_out_of_lists(client, db, resources, feed_server):
    added = await polled_site(resources, feed_server)
    await db.execute("UPDATE sites SET hidden_at = now()")
    assert (await client.get(f"/api/sites/{added.site_id}")).status_code == 404
    assert (await client.get(f"/api/feeds/{added.feed_ids[0]}")).status_code == 404
    assert (await client.get("/api/sites")).json()["count"] == 0
    assert (await poller.poll_feed(resources, added.feed_ids[0])).outcome == "skipped"


async def test_201_submit_then_200_for_a_known_site(client, db, resources, feed_server):
    _, secret = await make_token(db)
    url = feed_server.serve_file(
        "/feed.json", FIXTURES / "feed.json", content_type="application/json"
    )
    created = await client.post("/api/sites", json={"url": url}, headers=token(secret))
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == body["url"]
    assert body["title"] == "Tiny Thoughts" and body["_meta"]["beta_notice"]
    again = await client.post("/api/sites", data={"url": url}, headers=token(secret))
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    anonymous = await client.post("/api/sites", json={"url": url})
    assert anonymous.status_code == 401


async def test_400_and_422_submissions(client, db, feed_server):
    _, secret = await make_token(db)
    for url, status in [("ftp://x.example/", 400), ("not a url", 400),
                        ("http://10.0.0.1/feed", 400), ("http://192.168.1.1/", 400)]:  # fmt: skip
        response = await client.post("/api/sites", json={"url": url}, headers=token(secret))
        assert response.status_code == status, url
    feed_server.serve("/", "<html><p>no feeds</p></html>", content_type="text/html")
    response = await client.post(
        "/api/sites", json={"url": feed_server.url("/")}, headers=token(secret)
    )
    assert response.status_code == 422
    assert response.json() == {"detail": "No feed was found at that URL."}
    missing = await client.post("/api/sites", json={}, headers=token(secret))
    assert missing.status_code == 400 and missing.json() == {"detail": "url is required."}


async def test_429_submission_quota(client, db, resources, feed_server):
    author_id, secret = await make_token(db)
    await resources.redis.set(f"hub:directory:submit:h:{author_id}", 20, ex=3600)
    response = await client.post(
        "/api/sites", json={"url": feed_server.url("/x")}, headers=token(secret)
    )
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 60


async def test_200_refresh_now_uses_the_poller(client, db, resources, feed_server):
    _, secret = await make_token(db)
    url = feed_server.serve_file("/feed", FIXTURES / "atom.xml")
    added = await service.add_site(resources, url)
    path = f"/api/feeds/{added.feed_ids[0]}/refresh"
    assert (await client.post(path)).status_code == 401
    response = await client.post(path, headers=token(secret))
    assert response.status_code == 200
    assert response.json()["poll"]["outcome"] == "updated" and response.json()["poll"]["added"] == 2
    assert response.json()["last_fetched_at"] is not None
    again = await client.post(path, headers=token(secret))
    assert again.json()["poll"]["outcome"] == "skipped"  # once a minute per feed


async def test_201_200_204_401_recommendations(client, db, resources, feed_server):
    added = await polled_site(resources, feed_server)
    _, secret = await make_token(db)
    path = f"/api/sites/{added.site_id}/recommendation"
    first = await client.post(path, headers=token(secret))
    assert first.status_code == 201
    assert first.json()["is_recommended"] is True and first.json()["total_recommendations"] == 1
    assert (await client.post(path, headers=token(secret))).status_code == 200
    removed = await client.delete(path, headers=token(secret))
    assert removed.status_code == 204 and removed.content == b""
    site = (await client.get(f"/api/sites/{added.site_id}", headers=token(secret))).json()
    assert site["total_recommendations"] == 0 and site["is_recommended"] is False
    assert (await client.post(path)).status_code == 401


async def test_4xx_error_shape_is_detail_everywhere(client, db, resources, settings):
    failures = [
        await client.get("/api/sites/search"),
        await client.get("/api/sites/search", params={"q": "(x"}),
        await client.get("/api/sites", params={"ordering": "nope"}),
        await client.get("/api/sites", params={"page": "2"}),
        await client.get("/api/feeds/x/posts"),
        await client.put("/api/sites"),
        await client.get("/api/", headers={"Authorization": "Bearer x"}),
    ]
    for response in failures:
        assert response.status_code >= 400
        assert set(response.json()) <= {"detail", "position"} and response.json()["detail"]
        assert response.headers["allow"]


async def test_200_unlimited_when_the_setting_is_zero(db, resources, settings):
    import httpx

    from hub.app import create_app

    unlimited = dataclasses.replace(settings, rate_directory_anon=0)
    app = create_app(unlimited, dataclasses.replace(resources, settings=unlimited))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as h:
        response = await h.get("/api/")
    assert response.status_code == 200 and "ratelimit-limit" not in response.headers


async def test_304_when_the_etag_still_matches(client, db, resources, feed_server):
    added = await polled_site(resources, feed_server)
    first = await client.get(f"/api/sites/{added.site_id}")
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    again = await client.get(f"/api/sites/{added.site_id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


async def test_prune_keeps_the_newest_posts_per_feed(db, resources, feed_server):
    from hub.directory.queries.posts import prune_old_posts

    added = await polled_site(resources, feed_server)
    assert await prune_old_posts(db, 1) == 1
    assert await db.fetchval("SELECT title FROM posts") == "Pruning in winter"
    assert await db.fetchval("SELECT count(*) FROM posts WHERE feed_id = $1",
                             added.feed_ids[0]) == 1  # fmt: skip


async def test_429_after_too_many_bad_tokens_from_one_ip(client, db, settings):
    statuses = [
        (await client.get("/api/", headers=token(f"hub_bad{i}"))).status_code
        for i in range(settings.rate_failed_auth_per_ip + 1)
    ]
    assert statuses[:-1] == [401] * settings.rate_failed_auth_per_ip and statuses[-1] == 429
