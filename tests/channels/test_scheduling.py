"""Scheduled publishing: the worker job, FOR UPDATE SKIP LOCKED, plan pause and resume."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from hub.core.db import transaction
from hub.core.entries import jobs as entry_jobs
from hub.core.entries import publishing
from hub.worker import build_worker
from tests.channels.conftest import article

PAGES = "/api/v1/channels/ada_blog/pages"
PAGE = PAGES + "/agent_post"


async def _schedule_soon(client, db, account, seconds=3600):
    when = (datetime.now(UTC) + timedelta(seconds=seconds)).replace(microsecond=0)
    r = await client.post(
        PAGES, json=article(scheduled_at=when.isoformat()), headers=account.headers
    )
    assert r.json()["status"] == "scheduled", r.text
    return r.json()["id"], when


async def test_200_scheduled_to_published_now(client, db, account):
    await _schedule_soon(client, db, account)
    r = await client.patch(PAGE + "/status", json={"status": "published"}, headers=account.headers)
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert r.json()["scheduled_at"] is None


async def test_worker_publishes_due_entry_once(client, db, account, resources):
    entry_id, _when = await _schedule_soon(client, db, account)
    await db.execute(
        "UPDATE entries SET scheduled_at = now() - interval '1 second' WHERE id = $1", entry_id
    )
    async with transaction(db) as a, transaction(db) as b:
        first = await publishing.publish_due(a, datetime.now(UTC))
        second = await publishing.publish_due(b, datetime.now(UTC))  # row locked: skipped
    assert first == [entry_id] and second == []
    r = await client.get(PAGE, headers=account.headers)
    body = r.json()
    assert body["status"] == "published" and body["published_at"] == body["scheduled_at"]


async def test_worker_job_runs_deferred_publication(client, db, account, resources):
    await _schedule_soon(client, db, account, seconds=2)
    await asyncio.sleep(2.2)
    deferred = (b"batch:send_webmentions:", b"batch:websub_publish:")  # reactions deferred
    for job in await resources.redis.zrange("arq:queue", 0, -1):  # by 30 s: a burst waits
        if job.startswith(deferred):  # for them
            await resources.redis.zrem("arq:queue", job)
    worker = build_worker(resources, burst=True, poll_delay=0.05)
    try:
        await worker.main()
    finally:
        await worker.close()
    r = await client.get(PAGE, headers=account.headers)
    assert r.json()["status"] == "published"


async def test_plan_loss_pauses_and_regain_resumes(client, db, account):
    await _schedule_soon(client, db, account)
    async with transaction(db) as conn:
        await publishing.change_plan(conn, account.author_id, "free", datetime.now(UTC))
    body = (await client.get(PAGE, headers=account.headers)).json()
    assert body["status"] == "scheduled"
    assert body["scheduled_paused"] is True and body["scheduled_pause_reason"] == "account_plan"
    async with transaction(db) as conn:
        await publishing.change_plan(conn, account.author_id, "pro", datetime.now(UTC))
    body = (await client.get(PAGE, headers=account.headers)).json()
    assert body["scheduled_paused"] is False and body["scheduled_pause_reason"] is None


async def test_paused_past_schedule_never_publishes(client, db, account):
    entry_id, _ = await _schedule_soon(client, db, account)
    async with transaction(db) as conn:
        await publishing.change_plan(conn, account.author_id, "free", datetime.now(UTC))
    await db.execute(
        "UPDATE entries SET scheduled_at = now() - interval '1 minute' WHERE id = $1", entry_id
    )
    async with transaction(db) as conn:
        await publishing.change_plan(conn, account.author_id, "pro", datetime.now(UTC))
        assert await publishing.publish_due(conn, datetime.now(UTC)) == []
    body = (await client.get(PAGE, headers=account.headers)).json()
    assert body["status"] == "scheduled" and body["scheduled_paused"] is True


async def test_due_time_plan_check_pauses(client, db, account):
    entry_id, _ = await _schedule_soon(client, db, account)
    await db.execute("UPDATE authors SET plan = 'free' WHERE id = $1", account.author_id)
    await db.execute(
        "UPDATE entries SET scheduled_at = now() - interval '1 second' WHERE id = $1", entry_id
    )
    async with transaction(db) as conn:
        assert await publishing.publish_due(conn, datetime.now(UTC)) == []
    body = (await client.get(PAGE, headers=account.headers)).json()
    assert body["scheduled_paused"] is True and body["status"] == "scheduled"


async def test_controllable_clock_publishes_at_the_time_not_before(client, db, account):
    entry_id, when = await _schedule_soon(client, db, account, seconds=7200)
    async with transaction(db) as conn:  # the clock, not the wall time, decides
        assert await publishing.publish_due(conn, when - timedelta(seconds=1)) == []
    assert (await client.get(PAGE, headers=account.headers)).json()["status"] == "scheduled"
    async with transaction(db) as conn:
        assert await publishing.publish_due(conn, when + timedelta(seconds=30)) == [entry_id]
    body = (await client.get(PAGE, headers=account.headers)).json()
    assert body["status"] == "published" and body["published_at"] == when.isoformat()
    async with transaction(db) as conn:  # later sweeps find nothing more to do
        assert await publishing.publish_due(conn, when + timedelta(hours=1)) == []


async def test_restart_between_scheduling_and_due_time_catches_up(client, db, account, resources):
    """The process stops after the schedule was accepted; its deferred job is lost with the
    queue (Redis emptied), and the due time passes while nothing runs. A worker started later
    publishes from Postgres state alone (the sweep run at startup)."""
    entry_id, _ = await _schedule_soon(client, db, account, seconds=3600)
    await resources.redis.flushdb()  # restart: the deferred job is gone
    await db.execute(
        "UPDATE entries SET scheduled_at = now() - interval '10 minutes' WHERE id = $1", entry_id
    )  # downtime: the time passed
    await db.execute(
        "UPDATE entry_translations SET published_at = NULL WHERE entry_id = $1", entry_id
    )
    worker = build_worker(resources, burst=True, poll_delay=0.05)
    try:
        await worker.main()
    finally:
        await worker.close()
    body = (await client.get(PAGE, headers=account.headers)).json()
    assert body["status"] == "published", body
    assert body["published_at"] == body["scheduled_at"]  # the scheduled time, not the late run


async def test_two_workers_racing_publish_each_article_once(client, db, account, resources):
    ids = []
    when = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    for i in range(12):
        body = article(slug=f"race_{i}", scheduled_at=when.isoformat())
        r = await client.post(PAGES, json=body, headers=account.headers)
        ids.append(r.json()["id"])
    await db.execute("UPDATE entries SET scheduled_at = now() - interval '1 second'")
    versions = dict(await db.fetch("SELECT id, version FROM entries"))
    ctx = {"resources": resources}
    first, second = await asyncio.gather(
        entry_jobs.publish_due_entries(ctx), entry_jobs.publish_due_entries(dict(ctx))
    )
    assert sorted(first + second) == sorted(ids)  # every article published...
    assert set(first).isdisjoint(second)  # ...by exactly one of the two workers
    after = dict(await db.fetch("SELECT id, version FROM entries WHERE status = 'published'"))
    assert after == {i: versions[i] + 1 for i in ids}  # one publication each, no second bump
