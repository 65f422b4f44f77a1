"""Scheduled publishing: the worker job, FOR UPDATE SKIP LOCKED, plan pause and resume."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from hub.core.db import transaction
from hub.core.entries import publishing
from hub.worker import build_worker

from .conftest import article

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
