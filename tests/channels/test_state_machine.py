"""The lifecycle diagram of publicasta-v1-resolved §1.5.1, transition by transition, for the
ones the other files leave out: moderation with schedules (R-46), approved and discarded
revisions (R-36), the pause cleared by PATCH, archived → anything, R-13c, R-43, R-45, R-34;
and every rejected transition leaves the article exactly as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.core.db import transaction
from hub.core.entries import publishing
from tests.channels.conftest import article, make_account, two_languages

FUTURE = "2999-05-20T10:00:00+00:00"
LATER = "2999-06-01T08:00:00+00:00"


def soon(hours: int = 1) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0)


async def manual(db, name: str):
    acct = await make_account(db, name, moderation="manual")
    pages = f"/api/v1/channels/{name.lower()}_blog/pages"
    return acct, pages, pages + "/agent_post"


async def approve(db, entry_id: int, now: datetime | None = None) -> str:
    async with transaction(db) as conn:
        return await publishing.approve(conn, entry_id, now=now or datetime.now(UTC))


async def snapshot(db) -> list:
    """Everything a write could touch, in a comparable form."""
    rows = []
    for table in ("entries", "entry_translations", "entry_revisions", "entry_media", "media"):
        rows.append([tuple(r) for r in await db.fetch(f"SELECT * FROM {table} ORDER BY 1")])
    return rows


async def test_200_manual_schedule_approved_in_time_becomes_scheduled(client, db):
    acct, pages, page = await manual(db, "Ivy")
    when = soon()
    r = await client.post(pages, json=article(scheduled_at=when.isoformat()), headers=acct.headers)
    body = r.json()
    assert body["status"] == "moderation_review" and body["moderation"] == "manual_review"
    assert body["scheduled_at"] == when.isoformat() and body["published_at"] is None
    assert await approve(db, body["id"]) == "scheduled"
    body = (await client.get(page, headers=acct.headers)).json()
    assert body["status"] == "scheduled" and body["moderation"] == "approved"
    assert body["translation_status_summary"]["all_translations_scheduled"] is True
    assert body["published_at"] is None


async def test_200_manual_schedule_approved_late_publishes_at_approval(client, db):
    acct, pages, page = await manual(db, "Jay")
    when = soon()
    r = await client.post(pages, json=article(scheduled_at=when.isoformat()), headers=acct.headers)
    approval = when + timedelta(minutes=10)  # the moderator came after the time
    assert await approve(db, r.json()["id"], approval) == "published"
    body = (await client.get(page, headers=acct.headers)).json()
    assert body["status"] == "published"
    assert body["published_at"] == approval.isoformat()


async def test_200_approved_revision_replaces_the_live_version(client, db):
    acct, pages, page = await manual(db, "Kim")
    first = (await client.post(pages, json=article(), headers=acct.headers)).json()
    await approve(db, first["id"])
    live_since = (await client.get(page, headers=acct.headers)).json()["published_at"]
    assert live_since is not None
    edit = article()
    edit["translations"][0]["title"] = "Revised title"
    waiting = (await client.post(pages, json=edit, headers=acct.headers)).json()
    assert waiting["translations"][0]["title"] == "Agent post"  # live stays
    assert await approve(db, first["id"]) == "published"
    body = (await client.get(page, headers=acct.headers)).json()
    en = body["translations"][0]
    assert en["title"] == "Revised title" and en["pending_revision"] is None
    assert body["status"] == "published" and body["moderation"] == "approved"
    assert body["published_at"] == live_since  # I4: the first time it became public
    history = (await client.get(page + "/revisions", headers=acct.headers)).json()["revisions"]
    assert "applied" in {r["status"] for r in history}


async def test_200_patch_draft_discards_the_pending_revision(client, db):
    acct, pages, page = await manual(db, "Lea")
    first = (await client.post(pages, json=two_languages(), headers=acct.headers)).json()
    await approve(db, first["id"])
    edit = article()
    edit["translations"][0]["title"] = "Never shown"
    await client.post(pages, json=edit, headers=acct.headers)
    r = await client.patch(page + "/status", json={"status": "draft"}, headers=acct.headers)
    body = r.json()
    assert body["status"] == "draft" and body["scheduled_at"] is None
    assert [t["status"] for t in body["translations"]] == ["draft", "draft"]  # I3
    assert all(t["pending_revision"] is None for t in body["translations"])
    assert body["translations"][0]["title"] == "Agent post"
    history = (await client.get(page + "/revisions", headers=acct.headers)).json()["revisions"]
    assert "discarded" in {r["status"] for r in history}


async def test_200_edit_of_a_scheduled_article_is_reviewed_and_keeps_its_time(client, db):
    acct, pages, page = await manual(db, "Max")
    when = soon()
    payload = article(scheduled_at=when.isoformat())
    created = (await client.post(pages, json=payload, headers=acct.headers)).json()
    assert await approve(db, created["id"]) == "scheduled"
    payload["translations"][0]["content_markdown"] = "A changed body."
    body = (await client.post(pages, json=payload, headers=acct.headers)).json()
    assert body["status"] == "moderation_review" and body["scheduled_at"] == when.isoformat()
    assert await approve(db, created["id"]) == "scheduled"
    body = (await client.get(page, headers=acct.headers)).json()
    assert body["status"] == "scheduled" and body["scheduled_at"] == when.isoformat()


async def test_200_paused_schedule_is_cleared_by_a_new_patch(client, db, account):
    pages, page = "/api/v1/channels/ada_blog/pages", "/api/v1/channels/ada_blog/pages/agent_post"
    created = await client.post(pages, json=article(scheduled_at=FUTURE), headers=account.headers)
    entry_id = created.json()["id"]
    async with transaction(db) as conn:
        await publishing.change_plan(conn, account.author_id, "free", datetime.now(UTC))
    await db.execute(
        "UPDATE entries SET scheduled_at = now() - interval '1 minute' WHERE id = $1", entry_id
    )
    async with transaction(db) as conn:
        await publishing.change_plan(conn, account.author_id, "pro", datetime.now(UTC))
    assert (await client.get(page, headers=account.headers)).json()["scheduled_paused"] is True
    body = {"status": "scheduled", "scheduled_at": LATER}
    r = await client.patch(page + "/status", json=body, headers=account.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "scheduled" and r.json()["scheduled_paused"] is False
    assert r.json()["scheduled_at"] == LATER and r.json()["scheduled_pause_reason"] is None
    async with transaction(db) as conn:
        await publishing.change_plan(conn, account.author_id, "free", datetime.now(UTC))
    paused = (await client.get(page, headers=account.headers)).json()
    assert paused["scheduled_paused"] is True
    r = await client.patch(page + "/status", json={"status": "published"}, headers=account.headers)
    assert r.json()["status"] == "published" and r.json()["scheduled_paused"] is False


async def test_200_archived_goes_to_draft_or_scheduled(client, account):
    pages, page = "/api/v1/channels/ada_blog/pages", "/api/v1/channels/ada_blog/pages/agent_post"
    await client.post(pages, json=two_languages(), headers=account.headers)
    archive = {"status": "archived"}
    r = await client.patch(page + "/status", json=archive, headers=account.headers)
    assert [t["status"] for t in r.json()["translations"]] == ["archived", "archived"]
    r = await client.patch(page + "/status", json={"status": "draft"}, headers=account.headers)
    assert r.json()["status"] == "draft"
    await client.patch(page + "/status", json=archive, headers=account.headers)
    body = {"status": "scheduled", "scheduled_at": FUTURE, "publish_translations": True}
    r = await client.patch(page + "/status", json=body, headers=account.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "scheduled"
    assert [t["status"] for t in r.json()["translations"]] == ["scheduled", "scheduled"]


async def test_200_publish_translations_false_never_unpublishes(client, account):
    pages, page = "/api/v1/channels/ada_blog/pages", "/api/v1/channels/ada_blog/pages/agent_post"
    await client.post(pages, json=two_languages(), headers=account.headers)  # en, ru published
    await client.put(page + "/translations/de", json={"title": "Beitrag", "content_markdown": "T."},
                     headers=account.headers)  # fmt: skip
    body = {"status": "published", "publish_translations": False}
    r = await client.patch(page + "/status", json=body, headers=account.headers)
    assert [t["status"] for t in r.json()["translations"]] == ["published", "draft", "published"]
    assert r.json()["translation_status_summary"]["draft_translation_languages"] == ["de"]
    body["publish_translations"] = True
    r = await client.patch(page + "/status", json=body, headers=account.headers)
    assert r.json()["translation_status_summary"]["all_translations_published"] is True


async def test_422_secondary_scheduled_only_with_a_scheduled_page(client, account):
    pages, page = "/api/v1/channels/ada_blog/pages", "/api/v1/channels/ada_blog/pages/agent_post"
    ru = {"title": "Пост", "content_markdown": "Текст.", "status": "scheduled"}
    await client.post(pages, json=article(), headers=account.headers)  # published
    r = await client.put(page + "/translations/ru", json=ru, headers=account.headers)
    assert r.status_code == 422 and list(r.json()["errors"]) == ["status"]
    await client.patch(page + "/status", json={"status": "draft"}, headers=account.headers)
    await client.patch(page + "/status", json={"status": "scheduled", "scheduled_at": FUTURE},
                       headers=account.headers)  # fmt: skip
    r = await client.put(page + "/translations/ru", json=ru, headers=account.headers)
    assert r.status_code == 201, r.text
    assert r.json()["translations"][1]["scheduled_at"] == FUTURE  # inherited


async def test_422_primary_override_must_equal_the_page_status(client, db, account):
    payload = article()
    payload["translations"][0]["status"] = "draft"
    r = await client.post("/api/v1/channels/ada_blog/pages", json=payload, headers=account.headers)
    assert r.status_code == 422 and list(r.json()["errors"]) == ["translations.0.status"]
    assert await db.fetchval("SELECT count(*) FROM entries") == 0


async def test_200_retry_after_the_scheduled_time_is_a_noop(client, db, account):
    pages = "/api/v1/channels/ada_blog/pages"
    when = soon()
    payload = article(scheduled_at=when.isoformat())
    created = (await client.post(pages, json=payload, headers=account.headers)).json()
    async with transaction(db) as conn:  # the clock reaches the time; the worker publishes
        assert await publishing.publish_due(conn, when - timedelta(seconds=1)) == []
        assert await publishing.publish_due(conn, when) == [created["id"]]
    await db.execute(
        "UPDATE entries SET scheduled_at = scheduled_at - interval '2 hours',"
        " published_at = published_at - interval '2 hours' WHERE id = $1",
        created["id"],
    )  # ...and the time is now in the past: the agent retries its timed-out request
    await db.execute(
        "UPDATE entry_translations SET published_at = published_at - interval '2 hours'"
    )
    stored = await db.fetchrow("SELECT scheduled_at, version FROM entries")
    payload["scheduled_at"] = stored["scheduled_at"].isoformat()
    r = await client.post(pages, json=payload, headers=account.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "published" and r.json()["version"] == stored["version"]


async def test_rejected_transitions_write_nothing(client, db, account):
    pages, page = "/api/v1/channels/ada_blog/pages", "/api/v1/channels/ada_blog/pages/agent_post"
    h = account.headers
    await client.post(pages, json=two_languages(), headers=h)
    before = await snapshot(db)
    rejected = [
        ("PATCH", page + "/status", {"status": "scheduled", "scheduled_at": FUTURE}, 422),
        ("PATCH", page + "/status", {"status": "published"}, 422),  # publish_translations
        ("PATCH", page + "/status", {"status": "gone"}, 422),
        ("PATCH", page + "/status", {"status": "scheduled"}, 422),
        ("PUT", page + "/translations/en", {"status": "draft"}, 422),
        ("PUT", page + "/translations/ru", {"title": ""}, 422),
        ("PUT", page + "/translations/de", {"content_markdown": "No title."}, 422),
        ("POST", pages, {**two_languages(), "default_language": "fr"}, 422),
        ("POST", pages, {**article(), "scheduled_at": "2001-01-01T00:00:00Z"}, 422),
        ("DELETE", page + "/translations/en", None, 403),  # no delete scope
        ("PATCH", page + "/status", {"status": "draft"}, 412),
    ]
    for method, path, body, status in rejected:
        headers = {**h, "If-Match": '"v999"'} if status == 412 else h
        r = await client.request(method, path, json=body, headers=headers)
        assert r.status_code == status, (method, path, body, r.text)
        assert set(r.json()) == {"message", "errors"}
        assert await snapshot(db) == before, (method, path, body)
