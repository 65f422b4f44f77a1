"""WebSub publish pings (webmention-site-feeds §4.6): one POST per affected topic to the hub
named by HUB_WEBSUB_HUB, through the guarded client; retried on failure; nothing when unset."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from arq import Retry

from hub.app import create_app
from hub.core.urls import Urls
from hub.site.feeds.websub import topics, websub_ping, websub_publish
from hub.site.public.links import ChannelLinks
from hub.worker import build_worker, functions
from tests.site.public.fixtures import BASE, public_article, public_publish
from tests.stubs import StubServer, running_server


@pytest.fixture
def public_stub_hub() -> Iterator[tuple[StubServer, str]]:
    """A WebSub hub on 127.0.0.1 that accepts every ping (202); `(server, hub URL)`."""
    with running_server(content_type=None) as hub:
        yield hub, hub.serve("/hub", status=202)


def pings(hub: StubServer) -> list[dict[str, list[str]]]:
    return [hit.form for hit in hub.posts("/hub")]


async def due_now(db) -> None:
    """The WebSub rows the changes staged (due 2 s on) are due now."""
    await db.execute("UPDATE job_outbox SET defer_until = now() WHERE function = 'websub_publish'")


def test_topics_cover_feeds_languages_tags_and_home():
    links = ChannelLinks(Urls("https://h.example"), "ada", None)
    found = topics(links, ["en", "fr"], ["Cars"])
    assert len(found) == len(set(found)) == 2 * 3 * 3 + 1
    assert found[0] == "https://h.example/ada/rss.xml"
    assert "https://h.example/ada/tags/Cars/feed.json?lang=fr" in found
    assert found[-1] == "https://h.example/ada"


async def test_200_websub_publish_pings_every_topic(
    client, public_blog, db, resources, public_stub_hub
):
    hub, url = public_stub_hub
    await public_publish(client, public_blog, public_article("first", tags=["Cars"]))
    entry_id = await db.fetchval("SELECT id FROM entries WHERE slug = 'first'")
    await due_now(db)
    with_hub = dataclasses.replace(resources.settings, websub_hub=url)
    ctx = {"resources": dataclasses.replace(resources, settings=with_hub), "job_try": 1}
    assert await websub_publish(ctx, entry_id) == 13
    assert all(p["hub.mode"] == ["publish"] for p in pings(hub))
    pinged = {p["hub.url"][0] for p in pings(hub)}
    assert f"{BASE}/ada_blog/atom.xml" in pinged and f"{BASE}/ada_blog" in pinged
    assert f"{BASE}/ada_blog/tags/Cars/rss.xml?lang=en" in pinged


async def test_failed_pings_are_retried_from_the_lease_then_given_up(
    client, public_blog, db, resources, public_stub_hub
):
    hub, url = public_stub_hub
    hub.serve("/hub", status=503)
    await public_publish(client, public_blog, public_article("first"))
    entry_id = await db.fetchval("SELECT id FROM entries WHERE slug = 'first'")
    await due_now(db)
    with_hub = dataclasses.replace(resources.settings, websub_hub=url)
    shared = dataclasses.replace(resources, settings=with_hub)
    assert await websub_publish({"resources": shared, "job_try": 1}, entry_id) == 0
    retry = await db.fetchrow("SELECT * FROM job_outbox WHERE function = 'websub_ping'")
    [topics] = retry["args"]  # the lease became the retry of its topics, in a minute
    assert len(topics) == 7 and f"{BASE}/ada_blog" in topics  # no tags: 3 feeds x 2, home
    assert 50 < (retry["defer_until"] - datetime.now(UTC)).total_seconds() <= 60
    [job] = [j for j in await resources.redis.queued_jobs() if j.function == "websub_ping"]
    assert job.args == (topics,)
    with pytest.raises(Retry) as later:  # the second attempt: the third is 10 min on
        await websub_ping({"resources": shared, "job_try": 1}, topics)
    assert later.value.defer_score == 600_000
    assert await websub_ping({"resources": shared, "job_try": 3}, topics) == 0  # given up
    hub.serve("/hub", status=202)
    assert await websub_ping({"resources": shared, "job_try": 2}, topics) == 7


async def test_websub_publish_does_nothing_without_a_hub(client, public_blog, db, resources):
    await public_publish(client, public_blog, public_article("first"))
    entry_id = await db.fetchval("SELECT id FROM entries WHERE slug = 'first'")
    assert await websub_publish({"resources": resources, "job_try": 1}, entry_id) == 0
    assert "websub_publish" in {f.name for f in functions()}


async def test_200_one_run_pings_each_topic_of_its_entries_once(
    client, public_blog, db, resources, public_stub_hub
):
    """Two posts due together: one run pings the channel's feeds and home once, and each
    post's own tag feeds; nothing is left to ping again."""
    hub, url = public_stub_hub
    await public_publish(client, public_blog, public_article("first", tags=["Cars"]))
    await public_publish(client, public_blog, public_article("second", tags=["Boats"]))
    await due_now(db)
    with_hub = dataclasses.replace(resources.settings, websub_hub=url)
    shared = dataclasses.replace(resources, settings=with_hub)
    assert await websub_publish({"resources": shared, "job_try": 1}) == 13 + 6
    pinged = [p["hub.url"][0] for p in pings(hub)]
    assert len(pinged) == len(set(pinged)) == 19
    assert {t for t in pinged if "/tags/" in t and "Boats" not in t and "Cars" not in t} == set()
    left = "SELECT count(*) FROM job_outbox WHERE function IN ('websub_publish', 'websub_ping')"
    assert await db.fetchval(left) == 0  # rows taken, lease ended
    assert await websub_publish({"resources": shared, "job_try": 1}) == 0


async def test_a_burst_of_changes_queues_one_websub_run(client, public_blog, db, resources):
    await public_publish(client, public_blog, public_article("first"))
    await public_publish(client, public_blog, public_article("first", tags=["Edited"]))
    await public_publish(client, public_blog, public_article("second"))
    staged = "SELECT count(*) FROM job_outbox WHERE function = 'websub_publish'"
    assert await db.fetchval(staged) == 3  # a row a change ...
    runs = [j for j in await resources.redis.queued_jobs() if j.function == "websub_publish"]
    assert len(runs) == 1  # ... and one run for them all, 2 s after the first
    assert runs[0].job_id.startswith("batch:websub_publish:")


@pytest.mark.slow
async def test_201_publish_pings_within_seconds_and_every_topic_links_hub_and_self(
    public_blog, db, resources, public_stub_hub
):
    """Through HTTP only: a v1 publish, a real worker run, the pings the stub hub received,
    and each pinged topic's `Link` header naming the hub and itself as `self`."""
    hub, url = public_stub_hub
    with_hub = dataclasses.replace(resources.settings, websub_hub=url)
    shared = dataclasses.replace(resources, settings=with_hub)
    app = create_app(with_hub, shared)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        started = time.monotonic()
        await public_publish(http, public_blog, public_article("first", tags=["Cars"]))
        await public_publish(http, public_blog, public_article("first", tags=["Cars"], title="B"))
        worker = build_worker(shared, poll_delay=0.05)
        running = asyncio.create_task(worker.main())
        try:
            for _ in range(300):  # up to 15 s, reading what the hub received
                if len(pings(hub)) >= 13:
                    break
                await asyncio.sleep(0.05)
            elapsed = time.monotonic() - started
            await asyncio.sleep(1)  # a second batch would come now
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
            await worker.close()
        pinged = [p["hub.url"][0] for p in pings(hub)]
        assert elapsed < 6 and len(pinged) == 13  # one batch for two edits, in seconds
        assert len(set(pinged)) == 13
        for topic in pinged:
            answer = await http.get(topic)
            assert answer.status_code == 200, topic
            assert answer.links["hub"]["url"] == url
            assert answer.links["self"]["url"] == topic
            assert answer.links["webmention"]["url"] == f"{BASE}/api/webmentions"
        home = await http.get("/ada_blog")
        assert f'<link rel="self" href="{BASE}/ada_blog">' in home.text
        for not_a_topic in ("/ada_blog?lang=en", "/ada_blog/tags/Cars"):
            answer = await http.get(not_a_topic)
            assert answer.status_code == 200 and "hub" not in answer.links


async def test_pages_send_no_websub_links_without_a_hub(client, public_blog):
    await public_publish(client, public_blog, public_article("first"))
    home = await client.get("/ada_blog")
    feed = await client.get("/ada_blog/atom.xml")
    assert "hub" not in home.links and "self" not in home.links
    assert "hub" not in feed.links and 'rel="hub"' not in home.text
    assert home.links["micropub"]["url"] == f"{BASE}/micropub"
