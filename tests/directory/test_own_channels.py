"""The node's own channels are sites of its own directory, indexed at publish time by the
`index_own_entry` job the entries core stages, never by fetching our own pages."""

from __future__ import annotations

import pytest

from hub.core.db import transaction
from hub.worker import build_worker
from tests.factories import make_author, make_credential, make_token


async def publisher(db, name: str = "Ada", kind: str = "api_key", scopes=None) -> tuple[str, str]:
    author = await make_author(db, name, plan="pro")
    return author.channel, await make_credential(db, author.author_id, kind=kind, scopes=scopes)


async def run_index_jobs(resources) -> None:
    """Run what the write queued, except the webmention sends and WebSub pings deferred by
    30 s (a burst worker waits for every queued job, deferred ones too)."""
    redis = resources.redis
    for job in await redis.zrange("arq:queue", 0, -1):
        if job.startswith((b"batch:send_webmentions:", b"batch:websub_publish:")):
            await redis.zrem("arq:queue", job)
    worker = build_worker(resources, burst=True, poll_delay=0.05)
    try:
        await worker.main()
    finally:
        await worker.close()


def article(status: str = "published", title: str = "Quince harvest notes") -> dict:
    return {
        "slug": "quince",
        "default_language": "en",
        "status": status,
        "translations": [
            {
                "language": "en",
                "title": title,
                "content_markdown": "The **quince** tree gave forty fruits this autumn.",
            }
        ],
        "tags": ["orchard", "fruit"],
    }


async def site_posts(client, site_id: str, headers=None) -> list[dict]:
    feeds = (await client.get(f"/api/sites/{site_id}/feeds", headers=headers)).json()
    [feed] = feeds["results"]
    r = await client.get(f"/api/feeds/{feed['id']}/posts", headers=headers)
    assert r.status_code == 200
    return r.json()["results"]


async def test_201_v1_publish_makes_the_channel_a_site_with_the_entry_as_post(
    client, db, resources, feed_server
):
    channel, key = await publisher(db)
    auth = {"Authorization": f"Bearer {key}"}
    r = await client.post(f"/api/v1/channels/{channel}/pages", json=article(), headers=auth)
    assert r.status_code == 201, r.text
    await run_index_jobs(resources)

    _, token = await make_token(db, "reader")  # token callers bypass the anonymous cache
    reader = {"Authorization": f"Token {token}"}
    found = (await client.get("/api/sites/search", params={"q": "ada"}, headers=reader)).json()
    assert found["count"] == 1
    site = found["results"][0]
    assert site["link"] == f"http://hub.test/{channel}" and site["title"] == "Ada"
    assert site["main_feed"]["feed_url"] == f"http://hub.test/{channel}/feed.json"
    [post] = await site_posts(client, site["id"], reader)
    assert post["link"] == f"http://hub.test/{channel}/quince"
    assert post["title"] == "Quince harvest notes"
    assert "<strong>quince</strong>" in post["content"]
    assert post["tags"] == ["orchard", "fruit"]
    assert feed_server.seen == []  # nothing was fetched over HTTP
    feed = await db.fetchrow("SELECT is_local, next_poll_at FROM feeds")
    assert feed["is_local"] and feed["next_poll_at"].year > 9000  # never due for polling

    # an edit updates the post; unpublishing removes it
    changed = article(title="Quince harvest, final count")
    r = await client.post(f"/api/v1/channels/{channel}/pages", json=changed, headers=auth)
    assert r.status_code in (200, 201), r.text
    await run_index_jobs(resources)
    [post] = await site_posts(client, site["id"], reader)
    assert post["title"] == "Quince harvest, final count"
    page = f"/api/v1/channels/{channel}/pages/quince/status"
    r = await client.patch(page, json={"status": "draft"}, headers=auth)
    assert r.status_code == 200, r.text
    await run_index_jobs(resources)
    assert await site_posts(client, site["id"], reader) == []
    assert await db.fetchval("SELECT count(*) FROM posts") == 0


async def test_201_micropub_create_then_delete(client, db, resources):
    channel, token = await publisher(db, "Bea", kind="app_token", scopes=["create", "delete"])
    auth = {"Authorization": f"Bearer {token}"}
    r = await client.post(
        "/micropub", data={"h": "entry", "content": "Plums are ripe #orchard"}, headers=auth
    )
    assert r.status_code == 201, r.text
    location = r.headers["location"]
    await run_index_jobs(resources)
    rows = await db.fetch("SELECT link, title, content_text FROM posts")
    assert [(p["link"], p["title"]) for p in rows] == [(location, None)]  # a note: no title
    assert "Plums are ripe" in rows[0]["content_text"]
    site = await db.fetchrow("SELECT id, channel_id, link FROM sites")
    assert site["link"] == f"http://hub.test/{channel}" and site["channel_id"] is not None
    r = await client.get(f"/api/sites/{site['id']}")
    assert r.status_code == 200 and r.json()["main_feed"]["format"] == "jsonfeed"

    r = await client.post("/micropub", data={"action": "delete", "url": location}, headers=auth)
    assert r.status_code in (200, 204), r.text
    await run_index_jobs(resources)
    assert await db.fetchval("SELECT count(*) FROM posts") == 0


async def test_201_drafts_and_private_entries_make_no_post(client, db, resources):
    channel, key = await publisher(db, "Cy")
    auth = {"Authorization": f"Bearer {key}"}
    r = await client.post(
        f"/api/v1/channels/{channel}/pages", json=article(status="draft"), headers=auth
    )
    assert r.status_code == 201, r.text
    await run_index_jobs(resources)
    assert await db.fetchval("SELECT count(*) FROM posts") == 0
    assert await db.fetchval("SELECT count(*) FROM sites") == 0  # no site before a public entry


async def test_the_poller_never_fetches_a_local_feed(client, db, resources):
    from hub.directory.polling import poller

    channel, key = await publisher(db, "Dee")
    auth = {"Authorization": f"Bearer {key}"}
    await client.post(f"/api/v1/channels/{channel}/pages", json=article(), headers=auth)
    await run_index_jobs(resources)
    feed_id = await db.fetchval("SELECT id FROM feeds")
    result = await poller.poll_feed(resources, feed_id)
    assert result.outcome == "skipped"
    await db.execute("UPDATE feeds SET next_poll_at = now() - interval '1 hour'")
    from hub.directory.queries.feeds import list_due_feeds

    async with transaction(db) as conn:
        assert await list_due_feeds(conn, await db.fetchval("SELECT now()"), 10) == []


async def test_201_entry_over_the_content_limit_is_indexed_truncated(client, db, resources):
    channel, key = await publisher(db)
    auth = {"Authorization": f"Bearer {key}"}
    paragraph = "Die Quitte trägt **vierzig** Früchte — ещё больше & mehr.\n\n"
    big = article()
    big["translations"][0]["content_markdown"] = paragraph * 6000  # ~400 KB of HTML
    r = await client.post(f"/api/v1/channels/{channel}/pages", json=big, headers=auth)
    assert r.status_code == 201, r.text
    await run_index_jobs(resources)

    post = await db.fetchrow("SELECT content, content_text FROM posts")
    assert post is not None  # indexed, not failed on posts_content_check
    size = len(post["content"].encode())
    assert 250_000 < size <= 256 * 1024
    assert post["content"].startswith("<p>Die Quitte trägt <strong>vierzig</strong>")
    assert post["content"].endswith("</p>")  # cut between elements, every one closed
    assert "ещё больше & mehr" in post["content_text"]


async def test_201_a_burst_of_creates_is_indexed_by_one_batched_job(client, db, resources):
    _, token = await publisher(db, "Dot", kind="app_token", scopes=["create"])
    auth = {"Authorization": f"Bearer {token}"}
    for n in range(6):
        r = await client.post(
            "/micropub", data={"h": "entry", "content": f"Pear number {n}"}, headers=auth
        )
        assert r.status_code == 201, r.text
    queued = [j for j in await resources.redis.zrange("arq:queue", 0, -1)
              if j.startswith(b"batch:index_own_entry")]  # fmt: skip
    assert len(queued) == 1  # one job for the burst, not one an entry
    await run_index_jobs(resources)
    texts = sorted(r["content_text"] for r in await db.fetch("SELECT content_text FROM posts"))
    assert [t.strip() for t in texts] == [f"Pear number {n}" for n in range(6)]
    assert await db.fetchval(
        "SELECT count(*) FROM job_outbox WHERE function = 'index_own_entry'"
    ) == 0  # fmt: skip


async def test_201_an_entry_that_cannot_be_indexed_does_not_hold_back_the_others(
    client, db, resources
):
    from hub.core.batches import batch_job_id
    from hub.core.queue import stage_jobs
    from hub.directory import jobs

    _, token = await publisher(db, "Eve", kind="app_token", scopes=["create"])
    r = await client.post("/micropub", data={"h": "entry", "content": "Figs"},
                          headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert r.status_code == 201, r.text
    async with db.acquire() as conn:  # a row no run can index
        await stage_jobs(conn, [("index_own_entry", ["broken"], batch_job_id("index_own_entry"),
                                 None)])  # fmt: skip
    entry_id = await db.fetchval("SELECT id FROM entries")
    with pytest.raises(jobs.IndexFailed):
        await jobs.index_own_entry({"resources": resources}, entry_id)
    assert await db.fetchval("SELECT count(*) FROM posts") == 1  # the good one went in
    assert await db.fetchval(
        "SELECT count(*) FROM job_outbox WHERE function = 'index_own_entry'"
    ) == 0  # fmt: skip


HOSTILE_STORED_HTML = [
    '<p>A note with a <a href="http://127.0.0.5:4444/posts/17" rel="noopener noreferrer">link'
    "</a> &amp; <strong>more</strong>.</p>\n",  # as the sanitiser wrote it: not parsed again
    "<p>plain<br>text &lt;b&gt; &nbsp;</p><p><em>two</em></p>",
    '<p>rel <a href="/relative" rel="noopener noreferrer">x</a></p>',
    '<p><a href="http://a.b.1/" rel="noopener noreferrer">refused host</a></p>',
    "<p>a &quot;quote&quot; &#38; \u00a0 \r\n</p><p><p>nested</p></p>",
    '<b><i>mis</b>nested</i><img src="http://t.example/p.gif" width="1" height="1">',
    "<script>alert(1)</script><p onclick=x>click</p><P>upper</P> see href='rel'",
    '<a href="javascript:alert(1)" rel="noopener noreferrer">js</a>\x0c\x85\ufeff',
]


async def test_201_own_entries_posts_are_the_same_without_sanitising_stored_html_again(
    client, db, resources, monkeypatch
):
    """Stored HTML the sanitiser would give back as it is skips it (issue 20): the posts are
    the same as when every entry's HTML is sanitised again, hostile HTML included."""
    from hub.directory import own
    from hub.directory.queries import own as own_queries
    from hub.directory.reader import items

    _, token = await publisher(db, "Fay", kind="app_token", scopes=["create"])
    for n in range(len(HOSTILE_STORED_HTML)):
        r = await client.post("/micropub", data={"h": "entry", "content": f"Plum {n}"},
                              headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert r.status_code == 201, r.text
    ids = [r["id"] for r in await db.fetch("SELECT id FROM entries ORDER BY id")]
    for entry_id, html in zip(ids, HOSTILE_STORED_HTML, strict=True):
        await db.execute(
            "UPDATE entry_translations SET content_html = $2 WHERE entry_id = $1", entry_id, html
        )
    columns = "identity, link, title, content, content_text, summary, image, tags, content_hash"

    async def index_all() -> list:
        await db.execute("DELETE FROM posts")
        async with db.acquire() as conn, conn.transaction():
            await own_queries.lock_own_index(conn)
            done = await own.index_entries(conn, resources, ids)
        assert done.added == len(ids)
        return [dict(r) for r in await db.fetch(f"SELECT {columns} FROM posts ORDER BY identity")]

    fast = await index_all()
    assert "<strong>more</strong>" in fast[0]["content"]
    monkeypatch.setattr(items, "is_plainly_sanitised", lambda markup: False)
    assert await index_all() == fast
