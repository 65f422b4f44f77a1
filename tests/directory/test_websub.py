"""WebSub subscriber against a local hub on 127.0.0.1: discovery, subscription request, intent
verification, signed content distribution and renewal (W3C WebSub §4-7, R-D22)."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from hub.directory import service, websub
from hub.directory.polling import poller
from hub.worker import build_worker
from tests.directory import FIXTURES

NEW_ITEM = """<item>
    <title>Grafting</title>
    <link>https://orchard.example/2024/grafting</link>
    <guid isPermaLink="false">orchard-post-3</guid>
    <pubDate>Wed, 03 Jan 2024 09:00:00 GMT</pubDate>
    <description>Whip and tongue.</description>
  </item>
  <item>"""


def fast(resources):
    return dataclasses.replace(
        resources, settings=dataclasses.replace(resources.settings, directory_host_interval=0)
    )


async def run_jobs(resources):
    worker = build_worker(resources, burst=True, poll_delay=0.05)
    try:
        await worker.main()
    finally:
        await worker.close()


def feed_with_hub(feed_server, *, in_header: bool) -> tuple[str, str, str]:
    """A feed naming the local hub; returns (feed url, hub url, topic)."""
    hub = feed_server.serve("/hub", b"", status=202, content_type="text/plain")
    topic = feed_server.url("/topic.xml")
    body = (FIXTURES / "rss20.xml").read_text()
    headers = {}
    if in_header:  # the Link header wins over the document's links (WebSub §4)
        headers["Link"] = f'<{hub}>; rel="hub", <{topic}>; rel="self"'
    else:
        body = body.replace("http://127.0.0.1:9/hub", hub)
        body = body.replace("https://orchard.example/feed.xml", topic)
    url = feed_server.serve("/feed.xml", body, headers=headers)
    return url, hub, topic


async def subscribed(resources, db, feed_server, *, in_header: bool = True):
    url, _, topic = feed_with_hub(feed_server, in_header=in_header)
    feed_id = (await service.add_site(resources, url)).feed_ids[0]
    await run_jobs(fast(resources))  # poll_feed, then the websub_subscribe it staged
    [request] = [s for s in feed_server.hits("/hub") if s.method == "POST"]
    form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
    return feed_id, topic, form


def signed(secret: str, body: bytes, method: str = "sha256") -> str:
    return f"{method}=" + hmac.new(secret.encode(), body, getattr(hashlib, method)).hexdigest()


@pytest.mark.parametrize("in_header", [True, False])
async def test_a_feed_naming_a_hub_gets_a_subscription_request(
    db, resources, feed_server, in_header
):
    feed_id, topic, form = await subscribed(resources, db, feed_server, in_header=in_header)
    assert form["hub.mode"] == "subscribe" and form["hub.topic"] == topic
    token = form["hub.callback"].rsplit("/", 1)[1]
    assert form["hub.callback"] == f"http://hub.test/api/websub/{feed_id}/{token}"
    assert len(form["hub.secret"]) >= 32
    row = await db.fetchrow("SELECT * FROM feeds WHERE id = $1", feed_id)
    assert row["websub_pending_at"] is not None and row["websub_secret"] == form["hub.secret"]


async def test_200_verification_echoes_the_challenge_only_for_the_pending_topic_else_404(
    client, db, resources, feed_server
):
    feed_id, topic, form = await subscribed(resources, db, feed_server)
    path = urlsplit(form["hub.callback"]).path
    wrong = {"hub.mode": "subscribe", "hub.topic": topic + "?x", "hub.challenge": "c1"}
    r = await client.get(path, params=wrong)
    assert r.status_code == 404 and r.json() == {"detail": "Not found."}
    r = await client.get(path[:-3] + "bad", params={**wrong, "hub.topic": topic})
    assert r.status_code == 404  # unknown token
    good = {"hub.mode": "subscribe", "hub.topic": topic, "hub.challenge": "c2z",
            "hub.lease_seconds": "1000"}  # fmt: skip
    r = await client.get(path, params=good)
    assert r.status_code == 200 and r.text == "c2z"
    row = await db.fetchrow("SELECT * FROM feeds WHERE id = $1", feed_id)
    assert row["websub_pending_at"] is None and row["websub_lease_seconds"] == 1000
    now = datetime.now(UTC)
    assert abs(row["websub_expires_at"] - (now + timedelta(seconds=1000))) < timedelta(seconds=30)
    assert abs(row["websub_renew_at"] - (now + timedelta(seconds=800))) < timedelta(seconds=30)
    assert (await client.get(f"/api/feeds/{feed_id}")).json()["websub"] is True
    r = await client.get(path, params={**good, "hub.challenge": "again"})
    assert r.status_code == 404  # nothing pending any more


async def test_202_signed_delivery_is_a_fresh_poll_and_a_bad_one_is_ignored(
    client, db, resources, feed_server
):
    feed_id, _, form = await subscribed(resources, db, feed_server)
    path = urlsplit(form["hub.callback"]).path
    assert await db.fetchval("SELECT count(*) FROM posts") == 2
    body = (FIXTURES / "rss20.xml").read_text().replace("<item>", NEW_ITEM, 1).encode()
    headers = {"Content-Type": "application/rss+xml"}
    r = await client.post(path, content=body, headers={**headers,
                          "X-Hub-Signature": signed("not the secret", body)})  # fmt: skip
    assert r.status_code == 202
    r = await client.post(path, content=body, headers=headers)  # unsigned
    assert r.status_code == 202
    assert await db.fetchval("SELECT count(*) FROM posts") == 2  # both ignored
    r = await client.post(path, content=body, headers={**headers,
                          "X-Hub-Signature": signed(form["hub.secret"], body, "sha1")})  # fmt: skip
    assert r.status_code == 202
    titles = await db.fetch("SELECT title FROM posts WHERE feed_id = $1", feed_id)
    assert "Grafting" in {t["title"] for t in titles}
    hub = await db.fetchval("SELECT websub_hub FROM feeds WHERE id = $1", feed_id)
    assert hub == feed_server.url("/hub")  # the hub's copy does not change the subscription
    good = {"X-Hub-Signature": signed(form["hub.secret"], body)}
    r = await client.post(path[:-3] + "bad", content=body, headers=good)
    assert r.status_code == 404


async def test_200_renewal_before_the_lease_ends(client, db, resources, feed_server):
    _, topic, form = await subscribed(resources, db, feed_server)
    path = urlsplit(form["hub.callback"]).path
    good = {"hub.mode": "subscribe", "hub.topic": topic, "hub.challenge": "c",
            "hub.lease_seconds": "100"}  # fmt: skip
    assert (await client.get(path, params=good)).status_code == 200
    assert await websub.renew_due(resources) == 0  # 80 s away
    later = datetime.now(UTC) + timedelta(seconds=81)
    assert await websub.renew_due(resources, now=later) == 1
    await run_jobs(fast(resources))
    requests = [s for s in feed_server.hits("/hub") if s.method == "POST"]
    assert len(requests) == 2
    again = {k: v[0] for k, v in parse_qs(requests[1].body.decode()).items()}
    assert again["hub.callback"] == form["hub.callback"] and again["hub.topic"] == topic
    assert (await client.get(path, params={**good, "hub.challenge": "r"})).text == "r"


async def test_a_refusing_hub_is_retried_later(db, resources, feed_server):
    url, _, _ = feed_with_hub(feed_server, in_header=True)
    feed_server.serve("/hub", b"no", status=400, content_type="text/plain")
    feed_id = (await service.add_site(resources, url)).feed_ids[0]
    await poller.poll_feed(fast(resources), feed_id)
    assert await websub.subscribe(resources, feed_id) == "failed"
    row = await db.fetchrow("SELECT * FROM feeds WHERE id = $1", feed_id)
    assert row["websub_pending_at"] is None and row["websub_renew_at"] is not None


def test_signature_methods():
    body = b"<feed/>"
    for method in ("sha1", "sha256", "sha384", "sha512"):
        assert websub.signature_ok("s3cret", signed("s3cret", body, method), body)
    assert not websub.signature_ok("s3cret", signed("s3cret", body + b" "), body)
    assert not websub.signature_ok("s3cret", "md5=" + hashlib.md5(body).hexdigest(), body)
    assert not websub.signature_ok("s3cret", None, body)
