"""Moderation and plan changes as an owner makes them: `hub moderation approve|block` and
`hub author plan`, run as commands against the same database the API writes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from tests.channels.conftest import article, make_account

HUB = [sys.executable, "-m", "hub.cli"]


@pytest.fixture
def hub_cli(db, settings, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "DATABASE_", "REDIS_"))}
    env.update(DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url,
               HUB_DATA_DIR=str(tmp_path), HUB_BASE_URL="http://hub.test")  # fmt: skip

    async def run(*args: str) -> subprocess.CompletedProcess:
        return await asyncio.to_thread(
            subprocess.run, [*HUB, *args], env=env, capture_output=True, text=True, timeout=120
        )

    return run


async def test_cli_approve_and_block(client, db, hub_cli):
    acct = await make_account(db, "Nia", moderation="manual")
    pages = "/api/v1/channels/nia_blog/pages"
    created = (await client.post(pages, json=article(), headers=acct.headers)).json()
    assert created["status"] == "moderation_review"
    done = await hub_cli("moderation", "approve", str(created["id"]))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"entry {created['id']}: approved, status published"
    body = (await client.get(pages + "/agent_post", headers=acct.headers)).json()
    assert body["status"] == "published" and body["moderation"] == "approved"
    edit = article()
    edit["translations"][0]["title"] = "Spam title"
    await client.post(pages, json=edit, headers=acct.headers)
    done = await hub_cli("moderation", "block", str(created["id"]), "--reason", "Looks like spam")
    assert done.returncode == 0, done.stderr
    body = (await client.get(pages + "/agent_post", headers=acct.headers)).json()
    assert body["status"] == "published" and body["translations"][0]["title"] == "Agent post"
    assert body["translations"][0]["pending_revision"]["status"] == "moderation_blocked"
    assert "Looks like spam" in body["warnings"][0]["message"]


async def test_cli_plan_change_pauses_and_resumes_schedules(client, db, account, hub_cli):
    pages = "/api/v1/channels/ada_blog/pages"
    payload = article(scheduled_at="2999-05-20T10:00:00+00:00")
    assert (await client.post(pages, json=payload, headers=account.headers)).status_code == 201
    done = await hub_cli("author", "plan", "Ada", "free")
    assert done.returncode == 0, done.stderr
    body = (await client.get(pages + "/agent_post", headers=account.headers)).json()
    assert body["scheduled_paused"] is True and body["scheduled_pause_reason"] == "account_plan"
    assert (await hub_cli("author", "plan", "Ada", "pro")).returncode == 0
    body = (await client.get(pages + "/agent_post", headers=account.headers)).json()
    assert body["scheduled_paused"] is False and body["status"] == "scheduled"
