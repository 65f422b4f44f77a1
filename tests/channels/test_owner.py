"""Issue 17: plans never limit the node's owner (the first author), whatever their plan; other
authors keep the v1 contract's plan rules (403 channel limit, 422 scheduling)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.core.db import transaction
from hub.core.entries import jobs as entry_jobs
from hub.core.entries import publishing
from tests.channels.conftest import Account, article, make_account
from tests.factories import make_credential

FUTURE = "2999-05-20T10:00:00+00:00"


def new_channel(slug: str) -> dict:
    return {"slug": slug, "translations": [{"language": "en", "title": slug.title()}]}


async def owner_account(db, node_owner: int) -> Account:
    """A v1 key of the node's owner (Olwen, on the free plan, made by `node_owner`)."""
    assert await db.fetchval("SELECT plan FROM authors WHERE id = $1", node_owner) == "free"
    return Account(node_owner, "olwen_blog", await make_credential(db, node_owner))


async def test_201_the_owner_creates_channels_past_any_plan_limit(client, db, node_owner):
    owner = await owner_account(db, node_owner)
    for slug in ("second_blog", "third_blog"):
        r = await client.post("/api/v1/channels", json=new_channel(slug), headers=owner.headers)
        assert r.status_code == 201, r.text
    listed = (await client.get("/api/v1/channels", headers=owner.headers)).json()["channels"]
    assert [(c["slug"], c["read_only"], c["can_write"]) for c in listed] == [
        ("olwen_blog", False, True),
        ("second_blog", False, True),
        ("third_blog", False, True),
    ]
    r = await client.post(
        "/api/v1/channels/third_blog/pages", json=article(), headers=owner.headers
    )
    assert r.status_code == 201, r.text  # no channel of the owner is read-only


async def test_201_the_owner_schedules_and_the_sweep_publishes(client, db, resources, node_owner):
    owner = await owner_account(db, node_owner)
    when = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    r = await client.post(
        "/api/v1/channels/olwen_blog/pages",
        json=article(scheduled_at=when.isoformat()),
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "scheduled" and not r.json()["scheduled_paused"]
    async with transaction(db) as conn:  # a plan change never pauses the owner's schedules
        await publishing.change_plan(conn, node_owner, "free", datetime.now(UTC))
    assert not await db.fetchval(
        "SELECT scheduled_paused FROM entries WHERE id = $1", r.json()["id"]
    )
    await db.execute("UPDATE entries SET scheduled_at = now() - interval '1 second'")
    assert await entry_jobs.publish_due_entries({"resources": resources}) == [r.json()["id"]]
    page = await client.get("/api/v1/channels/olwen_blog/pages/agent_post", headers=owner.headers)
    assert page.json()["status"] == "published"


async def test_403_and_422_a_free_author_keeps_the_contracts_limits(client, db):
    free = await make_account(db, "Fay", plan="free")
    r = await client.post("/api/v1/channels", json=new_channel("more"), headers=free.headers)
    assert r.status_code == 403
    assert r.json()["message"] == (
        "Your plan's channel limit (1) is reached. Upgrade to create more."
    )
    r = await client.post(
        "/api/v1/channels/fay_blog/pages", json=article(scheduled_at=FUTURE), headers=free.headers
    )
    assert r.status_code == 422
    assert r.json()["errors"] == {
        "scheduled_at": ["Scheduled publishing is available on Pro accounts."]
    }
    assert (
        await db.fetchval("SELECT count(*) FROM entries WHERE author_id = $1", free.author_id) == 0
    )


async def test_429_the_owners_key_has_the_highest_tiers_rate(client, db, settings, node_owner):
    owner = await owner_account(db, node_owner)
    for _ in range(settings.rate_v1_free + 1):  # past the free plan's rate: still served
        assert (await client.get("/api/v1/channels", headers=owner.headers)).status_code == 200
