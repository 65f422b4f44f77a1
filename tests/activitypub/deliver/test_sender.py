"""One delivery attempt, by the answer the inbox gives: 2xx delivered; 410 gone and its
followers dropped; 500 retried later (the next attempt's time on the row, its job staged);
a redirect failed and not followed; an inbox failing for days loses its followers; the
sweep queues a delivery whose job was lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from arq import Retry

from hub.activitypub.deliver import jobs as deliver_jobs
from hub.activitypub.deliver import sender
from hub.activitypub.deliver.fanout import fan_out
from hub.activitypub.deliver.sender import attempt_job_id
from tests.activitypub.deliver.conftest import add_follower, verify_signed
from tests.factories import make_author, make_entry


@pytest.fixture
async def author(db):
    return await make_author(db, "Vic")


async def publish(db, resources, author) -> list[int]:
    """A published entry fanned out: the ids of its deliveries."""
    entry_id = await make_entry(db, author, "hello")
    assert await fan_out(resources, entry_id) == "Create"
    return [r["id"] for r in await db.fetch("SELECT id FROM ap_deliveries ORDER BY inbox")]


async def deliver(resources, delivery_id: int) -> str:
    return await deliver_jobs.deliver_activity({"resources": resources, "job_try": 1}, delivery_id)


async def delivery(db, delivery_id: int) -> dict:
    return dict(await db.fetchrow("SELECT * FROM ap_deliveries WHERE id = $1", delivery_id))


async def followers(db) -> list[str]:
    rows = await db.fetch(
        "SELECT a.preferred_username FROM ap_followers f JOIN ap_actors a ON a.id = f.actor_id"
        " ORDER BY 1"
    )
    return [r[0] for r in rows]


async def test_2xx_is_delivered_signed(db, resources, inboxes, author):
    await add_follower(db, author.channel_id, inboxes, "ann")
    [delivery_id] = await publish(db, resources, author)
    assert await deliver(resources, delivery_id) == "delivered"
    [hit] = inboxes.posts("/inbox")
    await verify_signed(db, author.channel_id, hit)
    row = await delivery(db, delivery_id)
    assert (row["status"], row["attempts"], row["last_http_status"]) == ("delivered", 1, 202)
    assert row["delivered_at"] is not None
    assert await deliver(resources, delivery_id) == "skipped"  # done: never sent twice
    assert len(inboxes.posts()) == 1


async def test_410_marks_gone_and_drops_the_followers_there(db, resources, inboxes, author):
    inboxes.serve("/gone", b"", status=410)
    await add_follower(db, author.channel_id, inboxes, "ann", shared="/gone")
    await add_follower(db, author.channel_id, inboxes, "ben", shared="/gone")
    await add_follower(db, author.channel_id, inboxes, "cat", shared="/inbox")
    gone, ok = await publish(db, resources, author)
    assert await deliver(resources, gone) == "gone"
    assert await deliver(resources, ok) == "delivered"
    assert (await delivery(db, gone))["status"] == "gone"
    assert await followers(db) == ["cat"]


async def test_500_is_retried_later_with_next_attempt_at(db, resources, inboxes, author):
    inboxes.serve("/inbox", b"oops", status=500)
    await add_follower(db, author.channel_id, inboxes, "ann")
    [delivery_id] = await publish(db, resources, author)
    before = datetime.now(UTC)
    assert await deliver(resources, delivery_id) == "retry"
    row = await delivery(db, delivery_id)
    assert (row["status"], row["attempts"], row["last_http_status"]) == ("pending", 1, 500)
    assert before + timedelta(seconds=55) < row["next_attempt_at"] < before + timedelta(seconds=70)
    staged = await db.fetchrow(
        "SELECT args, defer_until FROM job_outbox WHERE job_id = $1",
        attempt_job_id(delivery_id, 2),
    )
    assert staged["args"] == [delivery_id] and staged["defer_until"] == row["next_attempt_at"]
    inboxes.serve("/inbox", b"", status=202)  # the server is back
    assert await deliver(resources, delivery_id) == "delivered"
    assert (await delivery(db, delivery_id))["attempts"] == 2
    assert await followers(db) == ["ann"]


async def test_429_waits_at_least_its_retry_after(db, resources, inboxes, author):
    inboxes.serve("/inbox", b"", status=429, headers={"Retry-After": "7200"})
    await add_follower(db, author.channel_id, inboxes, "ann")
    [delivery_id] = await publish(db, resources, author)
    assert await deliver(resources, delivery_id) == "retry"
    row = await delivery(db, delivery_id)
    assert row["next_attempt_at"] > datetime.now(UTC) + timedelta(seconds=7000)


async def test_the_last_retry_fails_for_good(db, resources, inboxes, author):
    inboxes.serve("/inbox", b"", status=503)
    await add_follower(db, author.channel_id, inboxes, "ann")
    [delivery_id] = await publish(db, resources, author)
    await db.execute("UPDATE ap_deliveries SET attempts = 5 WHERE id = $1", delivery_id)
    assert await deliver(resources, delivery_id) == "failed"
    row = await delivery(db, delivery_id)
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == ("failed", 6, None)
    assert await followers(db) == ["ann"]  # one failed delivery drops nobody


async def test_4xx_fails_without_retry(db, resources, inboxes, author):
    inboxes.serve("/inbox", b"bad signature", status=401)
    await add_follower(db, author.channel_id, inboxes, "ann")
    [delivery_id] = await publish(db, resources, author)
    assert await deliver(resources, delivery_id) == "failed"
    row = await delivery(db, delivery_id)
    assert (row["status"], row["last_http_status"]) == ("failed", 401)
    assert "bad signature" in row["last_error"]


async def test_redirect_fails_and_is_not_followed(db, resources, inboxes, author):
    inboxes.serve("/inbox", b"", status=308, headers={"Location": "/elsewhere"})
    await add_follower(db, author.channel_id, inboxes, "ann")
    [delivery_id] = await publish(db, resources, author)
    assert await deliver(resources, delivery_id) == "failed"
    assert inboxes.posts("/elsewhere") == []
    assert (await delivery(db, delivery_id))["last_http_status"] == 308


async def test_network_error_is_retried(db, resources, author):
    # an inbox on port 9 (discard), where nothing listens here
    await db.execute(
        "INSERT INTO ap_actors (uri, host, domain, inbox)"
        " VALUES ($1, '127.0.0.1', '127.0.0.1', $2)",
        "http://127.0.0.1:9/users/x", "http://127.0.0.1:9/inbox",
    )  # fmt: skip
    await db.execute(
        "INSERT INTO ap_followers (channel_id, actor_id, follow_id) VALUES ($1, 1, 'f')",
        author.channel_id,
    )
    [delivery_id] = await publish(db, resources, author)
    assert await deliver(resources, delivery_id) == "retry"
    assert (await delivery(db, delivery_id))["last_error"]


async def test_inbox_failing_for_days_loses_its_followers(db, resources, inboxes, author):
    inboxes.serve("/inbox", b"", status=502)
    await add_follower(db, author.channel_id, inboxes, "ann")
    await add_follower(db, author.channel_id, inboxes, "ben", shared="/ok")
    [inbox_old, ok_old] = await publish(db, resources, author)  # by inbox URL
    assert await deliver(resources, ok_old) == "delivered"
    assert await deliver(resources, inbox_old) == "retry"
    await db.execute(  # that first failure was eight days ago, and nothing got through since
        "UPDATE ap_deliveries SET created_at = now() - interval '8 days'"
    )
    entry_id = await make_entry(db, author, "again")
    await fan_out(resources, entry_id)
    new = await db.fetchval(
        "SELECT d.id FROM ap_deliveries d JOIN ap_activities a ON a.id = d.activity_id"
        " WHERE a.entry_id = $1 AND d.inbox = $2",
        entry_id, inboxes.url("/inbox"),
    )  # fmt: skip
    assert await deliver(resources, new) == "retry"
    assert await followers(db) == ["ben"]


async def test_a_recent_success_keeps_the_follower(db, resources, inboxes, author):
    await add_follower(db, author.channel_id, inboxes, "ann")
    [first] = await publish(db, resources, author)
    assert await deliver(resources, first) == "delivered"
    await db.execute("UPDATE ap_deliveries SET created_at = now() - interval '8 days'")
    inboxes.serve("/inbox", b"", status=502)
    entry_id = await make_entry(db, author, "again")
    await fan_out(resources, entry_id)
    second = await db.fetchval("SELECT max(id) FROM ap_deliveries")
    assert await deliver(resources, second) == "retry"
    assert await followers(db) == ["ann"]  # failing for minutes, not days


async def test_sweep_queues_a_delivery_whose_job_was_lost(db, resources, inboxes, author):
    await add_follower(db, author.channel_id, inboxes, "ann")
    [delivery_id] = await publish(db, resources, author)
    await resources.redis.flushdb()  # the job is lost with the queue
    await db.execute(
        "UPDATE ap_deliveries SET next_attempt_at = now() - interval '1 hour', attempts = 1"
    )
    assert await deliver_jobs.sweep_ap_deliveries({"resources": resources}) == 1
    queued = await resources.redis.zrange(resources.redis.default_queue_name, 0, -1)
    assert queued == [attempt_job_id(delivery_id, 2).encode()]
    assert await deliver_jobs.sweep_ap_deliveries({"resources": resources}) == 0  # queued once


async def test_busy_host_defers_without_counting_an_attempt(db, resources, inboxes, author):
    await add_follower(db, author.channel_id, inboxes, "ann")
    [delivery_id] = await publish(db, resources, author)
    await resources.redis.set("hub:activitypub:host:127.0.0.1", sender.HOST_CONCURRENCY)
    old_wait, sender.SLOT_WAIT = sender.SLOT_WAIT, 0.0
    try:
        with pytest.raises(Retry):
            await deliver(resources, delivery_id)
    finally:
        sender.SLOT_WAIT = old_wait
    assert (await delivery(db, delivery_id))["attempts"] == 0
    assert inboxes.posts() == []
