"""`q=source` (W3C §3.7.2, micropub-resolved.md §5): one post by `url`, the post list, and
entries made by the v1 API (one shared model)."""

from __future__ import annotations

from hub.core.entries import listing
from tests.factories import make_credential
from tests.micropub.conftest import source

MP = "/micropub"


async def _create(client, token, properties: dict) -> str:
    r = await client.post(
        MP, json={"type": ["h-entry"], "properties": properties}, headers=token.headers
    )
    assert r.status_code == 201, r.text
    return r.headers["location"]


async def test_200_source_fills_derived_values(client, token):
    url = await _create(
        client, token, {"content": ["Hi"], "published": ["2022-03-04T05:06:07+00:00"]}
    )
    props = (await source(client, token, url)).json()["properties"]
    assert props["post-status"] == ["published"] and props["visibility"] == ["public"]
    assert props["published"] == ["2022-03-04T05:06:07+00:00"]  # as sent
    assert props["url"] == [url] and props["uid"] == [url]
    assert "T" in props["updated"][0]
    assert not any(name.startswith("mp-") for name in props)


async def test_200_source_published_is_in_the_blog_time_zone(client, db, token):
    await db.execute("UPDATE channels SET timezone = 'America/New_York'")
    url = await _create(client, token, {"content": ["Now"]})
    published = (await source(client, token, url)).json()["properties"]["published"][0]
    assert published.endswith(("-05:00", "-04:00"))


async def test_200_source_single_properties_parameter(client, token):
    url = await _create(client, token, {"content": ["c"], "name": ["n"], "category": ["t"]})
    r = await client.get(
        MP, params={"q": "source", "url": url, "properties": "name"}, headers=token.headers
    )
    assert r.json() == {"properties": {"name": ["n"]}}
    missing = await source(client, token, url, "summary")
    assert missing.json() == {"properties": {}}


async def test_200_source_of_an_event(client, token):
    r = await client.post(
        MP,
        json={"type": ["h-event"], "properties": {"name": ["Meetup"], "start": ["2030-01-01"]}},
        headers=token.headers,
    )
    assert r.status_code == 201
    assert (await source(client, token, r.headers["location"])).json()["type"] == ["h-event"]


async def test_404_source_of_a_deleted_post(client, token, make_token):
    url = await _create(client, token, {"content": ["x"]})
    deleter = await make_token(["delete"])
    await client.post(MP, json={"action": "delete", "url": url}, headers=deleter.headers)
    r = await source(client, token, url)
    assert r.status_code == 404 and r.json()["error"] == "not_found"


async def test_400_source_with_a_malformed_url(client, token):
    r = await source(client, token, "not a url")
    assert r.status_code == 400


async def test_200_post_list_newest_first_with_drafts_and_filters(client, token):
    await _create(client, token, {"content": ["First note"], "published": ["2020-01-01T00:00:00Z"]})
    await _create(client, token, {"name": ["An article"], "content": ["Words"]})
    await _create(client, token, {"content": ["A draft"], "post-status": ["draft"]})
    r = await client.get(MP, params={"q": "source"}, headers=token.headers)
    assert r.status_code == 200
    items = r.json()["items"]
    assert len(items) == 3 and items[-1]["properties"]["content"] == ["First note"]
    assert all(item["properties"]["url"] for item in items)

    async def listed(**params) -> list:
        r = await client.get(MP, params={"q": "source", **params}, headers=token.headers)
        return r.json()["items"]

    assert [i["properties"]["content"] for i in await listed(**{"post-status": "draft"})] == [
        ["A draft"]
    ]
    assert [i["properties"]["name"] for i in await listed(**{"post-type": "article"})] == [
        ["An article"]
    ]
    assert len(await listed(filter="FIRST")) == 1
    assert len(await listed(limit="1", offset="1")) == 1


async def test_200_article_made_through_the_v1_api_is_readable(client, db, token):
    key = await make_credential(db, token.author_id, kind="api_key")
    r = await client.post(
        f"/api/v1/channels/{token.channel_slug}/pages",
        json={
            "slug": "from_v1",
            "default_language": "en",
            "status": "published",
            "tags": ["agents"],
            "translations": [
                {
                    "language": "en",
                    "title": "Written by an agent",
                    "excerpt": "A teaser.",
                    "content_markdown": "Body from **agent**.",
                }
            ],
        },
        headers={"Authorization": f"Bearer {key}"},
    )
    assert r.status_code == 201, r.text
    url = "http://hub.test/ada-blog/from_v1"
    body = (await source(client, token, url)).json()
    props = body["properties"]
    assert body["type"] == ["h-entry"]
    assert props["name"] == ["Written by an agent"]
    assert props["content"] == ["Body from **agent**."]
    assert props["summary"] == ["A teaser."] and props["category"] == ["agents"]
    assert props["post-status"] == ["published"]
    # and it can be edited through Micropub without losing what v1 made
    r = await client.post(
        MP,
        json={"action": "update", "url": url, "add": {"category": ["micropub"]}},
        headers=token.headers,
    )
    assert r.status_code == 200
    assert r.json()["properties"]["category"] == ["agents", "micropub"]
    assert r.json()["properties"]["name"] == ["Written by an agent"]


async def test_200_post_list_offset_pages_walk_every_post_once_newest_first(client, db, token):
    # Issue 20: the list reads entries_channel_timeline_idx in its order; its pages are the same
    # (newest first by published, scheduled or created time; deleted posts left out).
    for day in (3, 1, 5, 2, 4):
        await _create(client, token, {"content": [f"Day {day}"],
                                      "published": [f"2021-01-0{day}T00:00:00Z"]})  # fmt: skip
    gone = await _create(client, token, {"content": ["Gone"]})
    deleter = await make_credential(db, token.author_id, kind="app_token", scopes=["delete"])
    r = await client.post(MP, json={"action": "delete", "url": gone},
                          headers={"Authorization": f"Bearer {deleter}"})  # fmt: skip
    assert r.status_code == 204, r.text
    seen = []
    for offset in (0, 2, 4, 6):
        r = await client.get(
            MP, params={"q": "source", "limit": "2", "offset": str(offset)}, headers=token.headers
        )
        assert r.status_code == 200
        seen += [item["properties"]["content"][0] for item in r.json()["items"]]
    assert seen == ["Day 5", "Day 4", "Day 3", "Day 2", "Day 1"]
    async with db.acquire() as conn, conn.transaction():
        # with sorts priced out too, the plan shows whether an index gives the order (on a
        # few rows the planner may otherwise sort a hash join, depending on its statistics)
        await conn.execute("SET LOCAL enable_seqscan = off")
        await conn.execute("SET LOCAL enable_sort = off")
        rows = await conn.fetch("EXPLAIN " + listing.ENTRY_IDS_SQL, 1, None, None, None, 20, 0)
    plan = "\n".join(r[0] for r in rows)
    assert "entries_channel_timeline_idx" in plan and "Sort Key" not in plan
    # the whole page is one statement (no query per post), and it reads the same index
    async with db.acquire() as conn, conn.transaction():
        # with sorts priced out too, the plan shows whether an index gives the order (on a
        # few rows the planner may otherwise sort a hash join, depending on its statistics)
        await conn.execute("SET LOCAL enable_seqscan = off")
        await conn.execute("SET LOCAL enable_sort = off")
        rows = await conn.fetch("EXPLAIN " + listing.FULL_ENTRIES_SQL, 1, None, None, None, 20, 0)
    assert "entries_channel_timeline_idx" in "\n".join(r[0] for r in rows)
