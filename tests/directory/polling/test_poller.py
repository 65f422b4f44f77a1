"""Polling against real local HTTP servers: fetch → parse → store, conditional GET, errors."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from hub.core.fetch import GuardedClient
from hub.directory import service
from hub.directory.polling import poller
from hub.worker import build_worker
from tests.directory import FIXTURES
from tests.stubs import Answer, LoopbackOnly


async def run_jobs(resources):
    worker = build_worker(resources, burst=True, poll_delay=0.05)
    try:
        await worker.main()
    finally:
        await worker.close()


async def add(resources, url):
    return await service.add_site(resources, url)


async def posts_of(db, feed_id):
    return await db.fetch(
        "SELECT * FROM posts WHERE feed_id = $1 ORDER BY published_at DESC, id", feed_id
    )


@pytest.mark.parametrize(
    ("fixture", "fmt", "version", "count"),
    [
        ("rss091.xml", "rss", "0.91", 2),
        ("rss20.xml", "rss", "2.0", 2),
        ("atom.xml", "atom", "1.0", 2),
        ("feed.json", "jsonfeed", "1.1", 3),
        ("broken_dates.xml", "rss", "2.0", 4),
    ],
)
async def test_add_feed_url_then_the_worker_imports_its_posts(
    db, resources, feed_server, fixture, fmt, version, count
):
    url = feed_server.serve_file("/feed", FIXTURES / fixture)
    added = await add(resources, url)
    assert added.created and len(added.feed_ids) == 1
    await run_jobs(resources)  # the poll_feed job staged by add_site
    feed = await db.fetchrow("SELECT * FROM feeds WHERE id = $1", added.feed_ids[0])
    assert (feed["format"], feed["format_version"], feed["is_main"]) == (fmt, version, True)
    assert feed["status"] == "active" and feed["last_status"] == 200
    posts = await posts_of(db, feed["id"])
    assert len(posts) == count
    assert all(p["published_at"].tzinfo is not None for p in posts)


async def test_discovery_from_an_html_page_picks_the_main_feed(db, resources, feed_server):
    page = (FIXTURES / "site.html").read_text()
    page = page.replace("https://orchard.example/feed.json", feed_server.url("/feed.json"))
    feed_server.serve("/", page, content_type="text/html; charset=utf-8")
    feed_server.serve_file("/feed.xml", FIXTURES / "rss20.xml")
    feed_server.serve_file("/comments/feed.atom", FIXTURES / "atom.xml")
    feed_server.serve_file("/feed.json", FIXTURES / "feed.json")
    added = await add(resources, feed_server.url("/"))
    feeds = await db.fetch("SELECT feed_url, is_main, site_id FROM feeds ORDER BY feed_url")
    assert len(feeds) == 3 and {f["site_id"] for f in feeds} == {added.site_id}
    main = [f["feed_url"] for f in feeds if f["is_main"]]
    assert main == [feed_server.url("/feed.json")]  # JSON Feed preferred, comments never
    site = await db.fetchrow("SELECT * FROM sites WHERE id = $1", added.site_id)
    assert site["title"] == "Tiny Thoughts"  # from the main feed only
    again = await add(resources, feed_server.url("/feed.xml"))
    assert not again.created and again.site_id == added.site_id


async def test_hfeed_page_is_its_own_feed(db, resources, feed_server):
    url = feed_server.serve_file("/", FIXTURES / "hfeed.html", content_type="text/html")
    added = await add(resources, url)
    await run_jobs(resources)
    feed = await db.fetchrow("SELECT * FROM feeds WHERE id = $1", added.feed_ids[0])
    assert feed["format"] == "hfeed" and feed["feed_url"] == url
    assert len(await posts_of(db, feed["id"])) == 3


async def test_probe_paths_when_the_page_names_no_feed(db, resources, feed_server):
    feed_server.serve("/", "<html><title>x</title><p>hi</p></html>", content_type="text/html")
    feed_server.serve_file("/rss.xml", FIXTURES / "rss20.xml")
    added = await add(resources, feed_server.url("/"))
    feed = await db.fetchrow("SELECT feed_url FROM feeds WHERE id = $1", added.feed_ids[0])
    assert feed["feed_url"] == feed_server.url("/rss.xml")
    assert len(feed_server.hits("/feed")) == 1  # probed first, 404


async def test_422_when_no_feed_is_found(db, resources, feed_server):
    feed_server.serve("/", "<html><p>nothing</p></html>", content_type="text/html")
    with pytest.raises(service.Unprocessable, match="No feed"):
        await add(resources, feed_server.url("/"))


async def test_conditional_get_and_304_keep_posts_and_store_validators(db, resources, feed_server):
    data = (FIXTURES / "rss20.xml").read_bytes()

    def answer(seen):
        if seen.headers.get("if-none-match") == '"v1"':
            return Answer(b"", 304, {"ETag": '"v1"'})
        return Answer(data, 200, {"ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})

    url = feed_server.serve("/feed", answer)
    added = await add(resources, url)
    feed_id = added.feed_ids[0]
    first = await poller.poll_feed(resources, feed_id)
    assert (first.outcome, first.added) == ("updated", 2)
    second = await poller.poll_feed(resources, feed_id)
    assert second.outcome == "not_modified"
    last = feed_server.hits("/feed")[-1]
    assert last.headers["if-none-match"] == '"v1"'
    assert last.headers["if-modified-since"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert "feed directory" in last.headers["user-agent"]
    feed = await db.fetchrow("SELECT * FROM feeds WHERE id = $1", feed_id)
    assert feed["etag"] == '"v1"' and feed["last_status"] == 304
    assert feed["poll_interval_seconds"] > 1800  # no change: the interval grows
    assert len(await posts_of(db, feed_id)) == 2


async def test_same_body_is_not_parsed_again_but_validators_are_stored(db, resources, feed_server):
    url = feed_server.serve_file("/feed", FIXTURES / "feed.json", headers={"ETag": '"a"'})
    feed_id = (await add(resources, url)).feed_ids[0]
    assert (await poller.poll_feed(resources, feed_id)).outcome == "updated"
    feed_server.serve_file("/feed", FIXTURES / "feed.json", headers={"ETag": '"b"'})
    assert (await poller.poll_feed(resources, feed_id)).outcome == "unchanged"
    assert await db.fetchval("SELECT etag FROM feeds WHERE id = $1", feed_id) == '"b"'


async def test_changed_item_updates_the_post_and_new_guid_same_link_is_the_same_post(
    db, resources, feed_server
):
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "T",
        "items": [{"id": "a", "url": "https://t.example/1", "content_text": "one",
                   "date_published": "2024-01-01T00:00:00Z"}],
    }  # fmt: skip
    import json

    url = feed_server.serve("/f", json.dumps(feed), content_type="application/feed+json")
    feed_id = (await add(resources, url)).feed_ids[0]
    await poller.poll_feed(resources, feed_id)
    feed["items"][0]["content_text"] = "one, edited"
    feed_server.serve("/f", json.dumps(feed))
    result = await poller.poll_feed(resources, feed_id)
    assert (result.added, result.changed) == (0, 1)
    feed["items"][0]["id"] = "rotated"
    feed_server.serve("/f", json.dumps(feed))
    await poller.poll_feed(resources, feed_id)
    rows = await posts_of(db, feed_id)
    assert len(rows) == 1 and rows[0]["guid"] == "rotated"
    assert rows[0]["content_text"] == "one, edited"


async def test_a_failed_poll_loses_no_earlier_post(db, resources, feed_server):
    url = feed_server.serve_file("/feed", FIXTURES / "rss20.xml")
    feed_id = (await add(resources, url)).feed_ids[0]
    await poller.poll_feed(resources, feed_id)
    for broken in (
        dict(body=b"<rss><chan", status=200),
        dict(body=b"oops", status=500),
        dict(body=b'{"version": "nope"}', status=200),
    ):
        feed_server.serve("/feed", **broken)
        result = await poller.poll_feed(resources, feed_id)
        assert result.outcome == "error"
    feed = await db.fetchrow("SELECT * FROM feeds WHERE id = $1", feed_id)
    assert feed["error_count"] == 3 and feed["status"] == "active"
    assert feed["next_poll_at"] > datetime.now(UTC)
    assert len(await posts_of(db, feed_id)) == 2


async def test_410_makes_the_feed_gone(db, resources, feed_server):
    url = feed_server.serve_file("/feed", FIXTURES / "rss20.xml")
    feed_id = (await add(resources, url)).feed_ids[0]
    await poller.poll_feed(resources, feed_id)
    feed_server.serve("/feed", b"gone", status=410)
    assert (await poller.poll_feed(resources, feed_id)).outcome == "gone"
    feed = await db.fetchrow("SELECT status FROM feeds WHERE id = $1", feed_id)
    assert feed["status"] == "gone"
    assert len(await posts_of(db, feed_id)) == 2  # stays visible


async def test_503_retry_after_is_honoured(db, resources, feed_server):
    url = feed_server.serve_file("/feed", FIXTURES / "rss20.xml")
    feed_id = (await add(resources, url)).feed_ids[0]
    feed_server.serve("/feed", b"busy", status=503, headers={"Retry-After": "120"})
    before = datetime.now(UTC)
    await poller.poll_feed(resources, feed_id)
    next_poll = await db.fetchval("SELECT next_poll_at FROM feeds WHERE id = $1", feed_id)
    assert 100 <= (next_poll - before).total_seconds() <= 140


async def test_30_mb_feed_is_cut_off_without_reading_it_all(db, resources, feed_server):
    url = feed_server.serve_file("/feed", FIXTURES / "rss20.xml")
    feed_id = (await add(resources, url)).feed_ids[0]
    await poller.poll_feed(resources, feed_id)
    head = b"<?xml version='1.0'?><rss version='2.0'><channel><title>Huge</title>"
    item = b"<item><title>x</title><description>" + b"y" * 1000 + b"</description></item>"
    huge = head + item * (30 * 1024 * 1024 // len(item) + 1) + b"</channel></rss>"
    assert len(huge) >= 30 * 1024 * 1024
    feed_server.serve("/feed", huge)
    result = await poller.poll_feed(resources, feed_id)
    assert result.outcome == "error" and "5242880" in result.error
    assert len(await posts_of(db, feed_id)) == 2


async def test_billion_laughs_feed_is_refused(db, resources, feed_server):
    url = feed_server.serve_file("/feed", FIXTURES / "rss20.xml")
    feed_id = (await add(resources, url)).feed_ids[0]
    feed_server.serve_file("/feed", FIXTURES / "billion_laughs.xml")
    result = await poller.poll_feed(resources, feed_id)
    assert result.outcome == "error" and "entity" in result.error


async def test_redirect_to_a_private_address_is_refused_before_connecting(
    db, resources, feed_server
):
    url = feed_server.serve_file("/feed", FIXTURES / "rss20.xml")
    feed_id = (await add(resources, url)).feed_ids[0]
    feed_server.serve("/feed", b"", status=302, headers={"Location": "http://10.0.0.1/feed"})
    net = LoopbackOnly()
    async with GuardedClient(allow_loopback=True, backend=net) as guarded:
        result = await poller.poll_feed(dataclasses.replace(resources, fetcher=guarded), feed_id)
    assert result.outcome == "error" and "10.0.0.1" in result.error
    assert net.connected == ["127.0.0.1"]  # only the stub server, never 10.0.0.1
    with pytest.raises(service.FetchRefused):
        await add(resources, "http://10.0.0.1/feed")


async def test_host_concurrency_cap(db, resources):
    slot = poller.host_slot(resources, "busy.example")
    async with slot, poller.host_slot(resources, "busy.example"):
        with pytest.raises(poller.HostBusy):
            async with poller.host_slot(resources, "busy.example"):
                pass
    async with poller.host_slot(resources, "busy.example"):
        pass


async def test_scheduler_job_queues_due_feeds_once(db, resources, feed_server):
    from hub.directory import jobs

    url = feed_server.serve_file("/feed", FIXTURES / "rss20.xml")
    feed_id = (await add(resources, url)).feed_ids[0]
    await resources.redis.flushdb()  # drop the job add_site queued
    assert await jobs.schedule_due_feeds({"resources": resources}) == 1
    assert await jobs.schedule_due_feeds({"resources": resources}) == 0  # claimed
    claimed = await db.fetchval("SELECT next_poll_at FROM feeds WHERE id = $1", feed_id)
    assert (claimed - datetime.now(UTC)).total_seconds() > jobs.CLAIM_SECONDS - 60
    assert await resources.redis.zcard("arq:queue") == 1  # one poll_feeds job
    await run_jobs(resources)
    feed = await db.fetchrow("SELECT * FROM feeds WHERE id = $1", feed_id)
    assert len(await posts_of(db, feed_id)) == 2 and feed["last_status"] == 200
    ahead = (feed["next_poll_at"] - datetime.now(UTC)).total_seconds()
    interval = feed["poll_interval_seconds"]
    assert abs(ahead - interval) <= 0.1 * interval + 10  # the poll set the real next time
    assert await jobs.schedule_due_feeds({"resources": resources}) == 0
    await db.execute("UPDATE feeds SET next_poll_at = now() WHERE id = $1", feed_id)
    assert await jobs.schedule_due_feeds({"resources": resources}) == 1  # due again


async def test_a_claimed_feed_whose_poll_never_ran_is_due_again_after_the_claim(db, resources):
    from hub.directory import jobs
    from hub.directory.queries import feeds as feed_queries

    site = await db.fetchval(
        "INSERT INTO sites (link, link_key, title) VALUES ('https://c.example/', 'c.example', 'C')"
        " RETURNING id"
    )
    feed_id = await db.fetchval(
        "INSERT INTO feeds (site_id, feed_url, feed_key, format, title)"
        " VALUES ($1, 'https://c.example/feed', 'c.example/feed', 'rss', 'C') RETURNING id",
        site,
    )
    now = datetime.now(UTC)
    later = now + timedelta(seconds=jobs.CLAIM_SECONDS)
    async with db.acquire() as conn:
        assert await feed_queries.claim_due_feeds(conn, now, 10, later) == [feed_id]
        assert await feed_queries.claim_due_feeds(conn, now, 10, later) == []
        assert await feed_queries.claim_due_feeds(conn, later, 10, later) == [feed_id]


def tagged_rss(*items: tuple[str, str, list[str]], edited: bool = False) -> str:
    body = "".join(
        f"<item><guid isPermaLink='false'>{guid}</guid><title>{guid}{' (edited)' * edited}"
        f"</title><pubDate>{date}</pubDate>"
        f"{''.join(f'<category>{t}</category>' for t in tags)}</item>"
        for guid, date, tags in items
    )
    return f'<rss version="2.0"><channel><title>T</title>{body}</channel></rss>'


async def test_site_tags_and_change_time_follow_each_poll_that_changes_posts(
    db, resources, feed_server
):
    first = [("a", "Mon, 01 Jan 2024 10:00:00 GMT", ["Pears", "Apples"]),
             ("b", "Tue, 02 Jan 2024 10:00:00 GMT", ["Apples", "Pears", "Plums"])]  # fmt: skip
    url = feed_server.serve("/t", tagged_rss(*first), content_type="application/rss+xml")
    added = await add(resources, url)
    feed_id, site_id = added.feed_ids[0], added.site_id
    assert (await poller.poll_feed(resources, feed_id)).outcome == "updated"
    tags = "SELECT name, uses FROM site_tags WHERE site_id = $1 ORDER BY name"
    assert [tuple(r) for r in await db.fetch(tags, site_id)] == [("apples", 2), ("pears", 2)]
    changed_at = await db.fetchval("SELECT posts_changed_at FROM feeds WHERE id = $1", feed_id)
    assert changed_at is not None
    more = [("c", "Wed, 03 Jan 2024 10:00:00 GMT", ["Plums", "Apples"])]
    feed_server.serve("/t", tagged_rss(*first, *more))
    assert (await poller.poll_feed(resources, feed_id)).added == 1
    assert [tuple(r) for r in await db.fetch(tags, site_id)] == [
        ("apples", 3), ("pears", 2), ("plums", 2)
    ]  # fmt: skip
    later = await db.fetchval("SELECT posts_changed_at FROM feeds WHERE id = $1", feed_id)
    assert later > changed_at
    edited = [(g, d, ["Quinces"]) for g, d, _ in (*first, *more)]
    feed_server.serve("/t", tagged_rss(*edited, edited=True))
    assert (await poller.poll_feed(resources, feed_id)).changed == 3
    assert [tuple(r) for r in await db.fetch(tags, site_id)] == [("quinces", 3)]
