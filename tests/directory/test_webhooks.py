"""feed.updated webhooks: settings, subscription, delivery with retries against a local
receiver, the delivery log, debounce, disabling."""

from __future__ import annotations

import dataclasses
import json

import httpx

from hub.app import create_app
from hub.core.queue import enqueue
from hub.directory import service, webhooks
from hub.directory.polling import poller
from hub.worker import build_worker
from tests.directory import FIXTURES
from tests.factories import make_token
from tests.stubs import Answer


def token(secret: str) -> dict[str, str]:
    return {"Authorization": f"Token {secret}"}


async def setup(client, db, resources, feed_server, receiver, answer=None):
    """A user with a webhook to `receiver`, subscribed to a feed polled once."""
    _, secret = await make_token(db)
    receiver.serve("/hook", answer or b"ok", content_type="text/plain")
    put = await client.put(
        "/api/account/webhook", json={"url": receiver.url("/hook")}, headers=token(secret)
    )
    assert put.status_code == 200, put.text
    url = feed_server.serve_file("/feed", FIXTURES / "rss20.xml")
    added = await service.add_site(resources, url)
    feed_id = added.feed_ids[0]
    sub = await client.post(
        "/api/subscriptions", json={"feed": str(feed_id)}, headers=token(secret)
    )
    assert sub.status_code == 201, sub.text
    return secret, feed_id, put.json()["token"]


async def deliveries(db):
    return await db.fetch("SELECT * FROM webhook_deliveries ORDER BY created_at")


async def test_changed_feed_is_delivered_with_token_in_header_and_body(
    client, db, resources, feed_server, receiver
):
    _, feed_id, secret_token = await setup(client, db, resources, feed_server, receiver)
    result = await poller.poll_feed(resources, feed_id)
    assert result.added == 2
    [delivery] = await deliveries(db)
    assert delivery["status"] == "pending" and delivery["attempts"] == 0
    assert (await webhooks.deliver(resources, delivery["id"])).outcome == "succeeded"
    [hit] = receiver.hits("/hook")
    assert hit.method == "POST"
    assert hit.headers["x-webhook-token"] == secret_token
    assert hit.headers["x-webhook-event"] == "feed.updated"
    assert hit.headers["x-webhook-delivery"] == str(delivery["id"])
    body = json.loads(hit.body)
    assert body["token"] == secret_token and body["event_type"] == "feed.updated"
    assert body["data"]["url"] == f"http://hub.test/api/feeds/{feed_id}"
    assert body["data"]["updated_at"].endswith("Z")
    [done] = await deliveries(db)
    assert done["status"] == "succeeded" and done["attempts"] == 1
    assert done["attempt_log"][0]["status"] == 200 and done["attempt_log"][0]["error"] is None


async def test_retries_with_back_off_then_success(client, db, resources, feed_server, receiver):
    calls = []

    def answer(seen):
        calls.append(seen)
        return Answer(b"no", 500) if len(calls) <= 2 else Answer(b"ok", 200)

    _, feed_id, _ = await setup(client, db, resources, feed_server, receiver, answer)
    await poller.poll_feed(resources, feed_id)
    [delivery] = await deliveries(db)
    first = await webhooks.deliver(resources, delivery["id"])
    assert (first.outcome, first.status_code, first.retry_in) == ("retry", 500, 60)
    assert await resources.redis.exists(f"arq:job:deliver_webhook:{delivery['id']}:2")
    second = await webhooks.deliver(resources, delivery["id"])
    assert (second.outcome, second.retry_in) == ("retry", 600)
    third = await webhooks.deliver(resources, delivery["id"])
    assert third.outcome == "succeeded"
    [done] = await deliveries(db)
    assert done["attempts"] == 3 and [a["status"] for a in done["attempt_log"]] == [500, 500, 200]
    assert all("duration_ms" in a for a in done["attempt_log"])


async def test_five_failures_fail_the_delivery_and_fifty_disable_the_webhook(
    client, db, resources, feed_server, receiver
):
    secret, feed_id, _ = await setup(
        client, db, resources, feed_server, receiver, lambda seen: Answer(b"down", 503)
    )
    await poller.poll_feed(resources, feed_id)
    [delivery] = await deliveries(db)
    outcomes = [(await webhooks.deliver(resources, delivery["id"])).outcome for _ in range(6)]
    assert outcomes == ["retry", "retry", "retry", "retry", "failed", "skipped"]
    assert [d["status"] for d in await deliveries(db)] == ["failed"]
    assert await db.fetchval("SELECT consecutive_failures FROM webhooks") == 1
    await db.execute("UPDATE webhooks SET consecutive_failures = 49")
    await db.execute(
        "INSERT INTO webhook_deliveries (webhook_id, feed_id, changed_at, attempts)"
        " SELECT id, $1, now(), 4 FROM webhooks",
        feed_id,
    )
    pending = await db.fetchval("SELECT id FROM webhook_deliveries WHERE status = 'pending'")
    assert (await webhooks.deliver(resources, pending)).outcome == "failed"
    hook = (await client.get("/api/account/webhook", headers=token(secret))).json()
    assert hook["disabled_at"] is not None


async def test_redirects_are_not_followed(client, db, resources, feed_server, receiver):
    _, feed_id, _ = await setup(client, db, resources, feed_server, receiver)
    receiver.serve("/hook", b"", status=307, headers={"Location": receiver.url("/elsewhere")})
    await poller.poll_feed(resources, feed_id)
    [delivery] = await deliveries(db)
    assert (await webhooks.deliver(resources, delivery["id"])).outcome == "retry"
    assert receiver.hits("/elsewhere") == []


async def test_debounce_and_no_event_without_changes(client, db, resources, feed_server, receiver):
    _, feed_id, _ = await setup(client, db, resources, feed_server, receiver)
    await poller.poll_feed(resources, feed_id)
    data = (feed_server.routes["/feed"].body).replace(b"Cut <a", b"Carefully cut <a")
    feed_server.serve("/feed", data)
    assert (await poller.poll_feed(resources, feed_id)).changed == 1
    assert len(await deliveries(db)) == 1  # one pending event absorbs the second change
    assert (await poller.poll_feed(resources, feed_id)).outcome == "unchanged"
    assert len(await deliveries(db)) == 1


async def test_burst_worker_delivers(client, db, resources, feed_server, receiver):
    _, feed_id, _ = await setup(client, db, resources, feed_server, receiver)
    await poller.poll_feed(resources, feed_id)
    [delivery] = await deliveries(db)
    await resources.redis.flushdb()  # drop the job deferred by the 60 s debounce
    await enqueue(resources.redis, "deliver_webhook", str(delivery["id"]))
    worker = build_worker(resources, burst=True, poll_delay=0.05)
    try:
        await worker.main()
    finally:
        await worker.close()
    assert [d["status"] for d in await deliveries(db)] == ["succeeded"]
    assert len(receiver.hits("/hook")) == 1


async def test_400_401_webhook_settings_api(client, db):
    _, secret = await make_token(db)
    first = (await client.get("/api/account/webhook", headers=token(secret))).json()
    assert first["url"] is None and first["token"].startswith("whsec_")
    assert first == (await client.get("/api/account/webhook", headers=token(secret))).json()
    rotated = await client.put(
        "/api/account/webhook", json={"rotate_token": True}, headers=token(secret)
    )
    assert rotated.json()["token"] != first["token"]
    for bad in ("ftp://x/", "http://10.0.0.1/hook", "nope"):
        response = await client.put(
            "/api/account/webhook", json={"url": bad}, headers=token(secret)
        )
        assert response.status_code == 400, bad
    cleared = await client.put("/api/account/webhook", json={"url": None}, headers=token(secret))
    assert cleared.json()["url"] is None
    assert (await client.get("/api/account/webhook")).status_code == 401
    assert (await client.get("/api/account/webhook")).json() == {
        "detail": "Authentication credentials were not provided."
    }


async def test_201_200_204_404_subscriptions_api(client, db, resources, feed_server):
    _, secret = await make_token(db)
    url = feed_server.serve_file("/feed", FIXTURES / "atom.xml")
    created = await client.post("/api/subscriptions", json={"url": url}, headers=token(secret))
    assert created.status_code == 201, created.text
    sub = created.json()
    assert sub["feed"]["feed_url"] == url and sub["feed"]["is_subscribed"] is True
    again = await client.post(
        "/api/subscriptions", json={"feed": sub["feed"]["url"]}, headers=token(secret)
    )
    assert again.status_code == 200 and again.json()["id"] == sub["id"]
    listing = (await client.get("/api/subscriptions", headers=token(secret))).json()
    assert listing["count"] == 1 and listing["_meta"]["beta_notice"]
    site = (await client.get(sub["feed"]["site"], headers=token(secret))).json()
    assert site["is_subscribed"] is True
    _, other = await make_token(db, "someone else")
    assert (await client.get(sub["url"], headers=token(other))).status_code == 404
    assert (await client.delete(sub["url"], headers=token(secret))).status_code == 204
    assert (await client.get("/api/subscriptions", headers=token(secret))).json()["count"] == 0
    bad = await client.post("/api/subscriptions", json={"feed": "x"}, headers=token(secret))
    assert bad.status_code == 400


def without_loopback(resources):
    """The node as in production: no fetch may reach a loopback address."""
    settings = dataclasses.replace(resources.settings, allow_loopback_fetch=False)
    return dataclasses.replace(resources, settings=settings)


async def test_400_webhook_host_resolving_to_loopback(db, resources, receiver):
    _, secret = await make_token(db)
    app = create_app(resources.settings, without_loopback(resources))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        for url, why in (
            (f"http://localhost:{receiver.port}/hook", "localhost resolves to a non-public"),
            (receiver.url("/hook"), "127.0.0.1 is not a public address"),
        ):
            r = await client.put("/api/account/webhook", json={"url": url}, headers=token(secret))
            assert r.status_code == 400, url
            assert r.json()["detail"].startswith("That URL cannot be used: " + why), r.json()
        hook = (await client.get("/api/account/webhook", headers=token(secret))).json()
    assert hook["url"] is None  # nothing was stored


async def test_delivery_refused_by_the_guard_fails_without_retry(
    client, db, resources, feed_server, receiver
):
    _, feed_id, _ = await setup(client, db, resources, feed_server, receiver)
    await poller.poll_feed(resources, feed_id)
    [delivery] = await deliveries(db)
    attempt = await webhooks.deliver(without_loopback(resources), delivery["id"])
    assert attempt.outcome == "failed"
    [done] = await deliveries(db)
    assert done["status"] == "failed" and done["attempts"] == 1
    assert "non-public" in done["last_error"] or "not a public" in done["last_error"]
    assert not await resources.redis.exists(f"arq:job:deliver_webhook:{delivery['id']}:2")
    assert receiver.hits("/hook") == []
