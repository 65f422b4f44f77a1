"""A batch of feeds polled by one `poll_feeds` job: each feed ends as a poll of its own
would leave it, and one feed's failure never stops the others."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from hub.directory import jobs
from hub.directory.polling import batch, poller
from hub.worker import build_worker
from tests.directory import FIXTURES
from tests.factories import make_feed, make_site
from tests.stubs import Answer


async def feed(db, url: str, **columns):
    site = await make_site(db, url + "/site", title="S")
    return await make_feed(db, site, url, title="F", **columns)


async def state_of(db, feed_id):
    return await db.fetchrow("SELECT * FROM feeds WHERE id = $1", feed_id)


async def test_a_batch_stores_posts_records_304s_and_errors_and_a_crash_stops_no_other(
    db, resources, feed_server, monkeypatch
):
    data = (FIXTURES / "rss20.xml").read_bytes()

    def cached(seen):
        if seen.headers.get("if-none-match") == '"v1"':
            return Answer(b"", 304, {"ETag": '"v1"'})
        return Answer(data, 200, {"ETag": '"v1"'})

    fresh = await feed(db, feed_server.serve_file("/new", FIXTURES / "rss20.xml"))
    same = await feed(db, feed_server.serve("/same", cached), etag='"v1"', error_count=2)
    broken = await feed(db, feed_server.serve("/broken", b"oops", status=500))
    crashing = await feed(db, feed_server.serve_file("/crash", FIXTURES / "atom.xml"))
    gone = await feed(db, feed_server.serve("/gone", b"gone", status=410))
    unknown = "00000000-0000-0000-0000-000000000000"

    parse = poller.parse_feed

    def crash_on_atom(content, **kwargs):
        if kwargs["url"].endswith("/crash"):
            raise RuntimeError("a bug")
        return parse(content, **kwargs)

    monkeypatch.setattr(poller, "parse_feed", crash_on_atom)
    ids = [fresh, same, broken, crashing, gone, unknown]
    done = await batch.poll_feeds(resources, ids, lanes=2)

    assert sorted(r.outcome for r in done.results) == ["error", "gone", "not_modified", "updated"]
    assert done.failed == [crashing] and done.busy == []
    assert await db.fetchval("SELECT count(*) FROM posts WHERE feed_id = $1", fresh) == 2
    now = datetime.now(UTC)
    row = await state_of(db, same)
    assert (row["last_status"], row["etag"], row["error_count"]) == (304, '"v1"', 0)
    assert row["poll_interval_seconds"] == 5400 and row["next_poll_at"] > now  # 1 h x 1.5
    assert feed_server.hits("/same")[-1].headers["if-none-match"] == '"v1"'
    row = await state_of(db, broken)
    assert (row["last_status"], row["error_count"], row["status"]) == (500, 1, "active")
    assert (await state_of(db, gone))["status"] == "gone"
    assert (await state_of(db, crashing))["last_fetched_at"] is None  # left to its claim


async def test_a_busy_host_gets_a_deferred_poll_of_its_own(db, resources, feed_server):
    url = feed_server.serve_file("/feed", FIXTURES / "rss20.xml")
    feed_id = await feed(db, url)
    hosts = dataclasses.replace(resources.settings, directory_host_concurrency=1)
    polite = dataclasses.replace(resources, settings=hosts)
    async with poller.host_slot(polite, "127.0.0.1"):  # another worker is fetching from it
        result = await jobs.poll_feeds({"resources": polite}, [str(feed_id)])
    assert result == "busy 1"
    job = await resources.redis.zscore("arq:queue", f"poll_feed:{feed_id}")
    assert job is not None and job > datetime.now(UTC).timestamp() * 1000  # deferred
    assert feed_server.hits("/feed") == []


async def test_the_scheduler_queues_due_feeds_in_batches_the_worker_polls_them(
    db, resources, feed_server
):
    feed_server.serve_file("/feed", FIXTURES / "rss20.xml")
    ids = [await feed(db, feed_server.url(f"/feed?n={n}")) for n in range(jobs.POLL_BATCH + 3)]
    assert await jobs.schedule_due_feeds({"resources": resources}) == len(ids)
    assert await resources.redis.zcard("arq:queue") == 2  # two poll_feeds jobs
    worker = build_worker(resources, burst=True, poll_delay=0.05)
    try:
        await worker.main()
    finally:
        await worker.close()
    assert len([hit for hit in feed_server.seen if hit.route == "/feed"]) == len(ids)
    fetched = await db.fetchval(
        "SELECT count(*) FROM feeds WHERE last_status = 200 AND id = ANY($1::uuid[])", ids
    )
    assert fetched == len(ids)
    assert await db.fetchval("SELECT count(*) FROM posts") == 2 * len(ids)
