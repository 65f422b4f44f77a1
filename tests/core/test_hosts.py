"""Polite polling and moved feeds against real local servers: one request per interval per host,
permanent redirects moving `feed_url` (R-D22, R-D23), and the atomic submission quota."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest

from hub.core import hosts as politeness
from hub.directory import service
from hub.directory.polling import poller
from hub.directory.urlnorm import site_key
from tests.directory import FIXTURES
from tests.factories import make_site, make_token


def with_settings(resources, **changes):
    return dataclasses.replace(
        resources, settings=dataclasses.replace(resources.settings, **changes)
    )


async def feed_row(db, feed_id):
    return await db.fetchrow(
        "SELECT feed_url, redirect_url, redirect_count FROM feeds WHERE id = $1", feed_id
    )


async def test_one_request_per_second_per_host(db, resources, feed_server):
    a = await service.add_site(resources, feed_server.serve_file("/a.xml", FIXTURES / "rss20.xml"))
    b = await service.add_site(resources, feed_server.serve_file("/b.xml", FIXTURES / "atom.xml"))
    await resources.redis.flushdb()  # forget the turns the discovery fetches took
    start = time.monotonic()
    results = await asyncio.gather(
        poller.poll_feed(resources, a.feed_ids[0]), poller.poll_feed(resources, b.feed_ids[0])
    )
    elapsed = time.monotonic() - start
    assert [r.outcome for r in results] == ["updated", "updated"]
    assert elapsed >= 0.9  # the second fetch of 127.0.0.1 waited for its turn


async def test_a_far_turn_is_busy_and_the_interval_is_a_setting(db, resources):
    assert await politeness.reserve_turn(resources, "slow.example") == 0
    with pytest.raises(politeness.HostBusy) as busy:
        await politeness.reserve_turn(resources, "slow.example", max_wait=0.2)
    assert 0.5 < busy.value.retry_in <= 1.0
    free = with_settings(resources, directory_host_interval=0)
    assert await politeness.reserve_turn(free, "slow.example", max_wait=0) == 0


async def test_concurrency_cap_is_a_setting(db, resources):
    one = with_settings(resources, directory_host_concurrency=1)
    async with politeness.host_slot(one, "busy.example"):
        with pytest.raises(politeness.HostBusy):
            async with politeness.host_slot(one, "busy.example"):
                pass
    async with politeness.host_slot(one, "busy.example"):  # freed again
        pass


async def test_two_permanent_redirects_move_the_feed_url(db, resources, feed_server):
    fast = with_settings(resources, directory_host_interval=0)
    old = feed_server.serve_file("/old.xml", FIXTURES / "rss20.xml")
    feed_id = (await service.add_site(fast, old)).feed_ids[0]
    await poller.poll_feed(fast, feed_id)
    new = feed_server.serve_file("/new.xml", FIXTURES / "rss20.xml")
    feed_server.serve("/old.xml", b"", status=301, headers={"Location": "/new.xml"})
    first = await poller.poll_feed(fast, feed_id)
    assert first.outcome == "unchanged"
    assert tuple(await feed_row(db, feed_id)) == (old, new, 1)  # pending, not moved yet
    await poller.poll_feed(fast, feed_id)
    assert tuple(await feed_row(db, feed_id)) == (new, None, 0)
    before = len(feed_server.hits("/old.xml"))
    await poller.poll_feed(fast, feed_id)
    assert len(feed_server.hits("/old.xml")) == before  # polls go straight to the new URL
    posts = await db.fetchval("SELECT count(*) FROM posts WHERE feed_id = $1", feed_id)
    assert posts == 2  # the move lost nothing


async def test_temporary_redirects_never_move_the_feed(db, resources, feed_server):
    fast = with_settings(resources, directory_host_interval=0)
    old = feed_server.serve_file("/old.xml", FIXTURES / "rss20.xml")
    feed_id = (await service.add_site(fast, old)).feed_ids[0]
    feed_server.serve_file("/elsewhere.xml", FIXTURES / "rss20.xml")
    feed_server.serve("/old.xml", b"", status=302, headers={"Location": "/elsewhere.xml"})
    for _ in range(3):
        await poller.poll_feed(fast, feed_id)
    assert tuple(await feed_row(db, feed_id)) == (old, None, 0)
    # 301 then 302 in one chain is not permanent either
    feed_server.serve("/old.xml", b"", status=301, headers={"Location": "/hop.xml"})
    feed_server.serve("/hop.xml", b"", status=302, headers={"Location": "/elsewhere.xml"})
    for _ in range(2):
        await poller.poll_feed(fast, feed_id)
    assert tuple(await feed_row(db, feed_id)) == (old, None, 0)


async def test_429_submission_quota_is_exact_under_concurrent_requests(client, db, resources):
    await make_site(
        db, "https://known.example/", link_key=site_key("https://known.example/"), title="Known"
    )
    author_id, secret = await make_token(db, plan="premium")
    headers = {"Authorization": f"Token {secret}"}
    responses = await asyncio.gather(
        *[
            client.post("/api/sites", json={"url": "https://known.example/"}, headers=headers)
            for _ in range(26)
        ]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 20 + [429] * 6
    refused = next(r for r in responses if r.status_code == 429)
    assert 3500 <= int(refused.headers["retry-after"]) <= 3600
    assert refused.json()["detail"].startswith("Request was throttled.")
    ttl = await resources.redis.ttl(f"hub:directory:submit:h:{author_id}")
    assert 3500 <= ttl <= 3600  # the window always carries its expiry


async def test_a_redirect_to_a_known_feed_merges_under_the_older_id(db, resources, feed_server):
    fast = with_settings(resources, directory_host_interval=0)
    a_url = feed_server.serve_file("/a.xml", FIXTURES / "rss20.xml")
    a = (await service.add_site(fast, a_url)).feed_ids[0]
    await poller.poll_feed(fast, a)
    b_url = feed_server.serve_file("/b.xml", FIXTURES / "atom.xml")
    b = (await service.add_site(fast, b_url)).feed_ids[0]
    await poller.poll_feed(fast, b)
    author_id, _ = await make_token(db)
    await db.execute("INSERT INTO subscriptions (author_id, feed_id) VALUES ($1, $2)", author_id, b)
    feed_server.serve("/a.xml", b"", status=308, headers={"Location": "/b.xml"})
    await poller.poll_feed(fast, a)
    await poller.poll_feed(fast, a)
    feeds = await db.fetch("SELECT id, feed_url FROM feeds")
    assert [(f["id"], f["feed_url"]) for f in feeds] == [(a, b_url)]  # the older id, new URL
    assert await db.fetchval("SELECT feed_id FROM subscriptions") == a
    identities = await db.fetch("SELECT identity FROM posts WHERE feed_id = $1", a)
    assert len(identities) == 4 == len({r["identity"] for r in identities})  # none doubled


async def test_waiting_requests_to_a_host_take_turns_within_its_limit(db, resources):
    running, most = 0, 0

    async def request() -> None:
        nonlocal running, most
        async with politeness.host_slot(resources, "many.example", family="t", limit=2, wait=5):
            running += 1
            most = max(most, running)
            assert int(await resources.redis.get("hub:t:host:many.example")) <= 2
            await asyncio.sleep(0.01)
            running -= 1

    await asyncio.gather(*(request() for _ in range(8)))  # each waits in line, none is refused
    assert most == 2
    assert int(await resources.redis.get("hub:t:host:many.example")) == 0
