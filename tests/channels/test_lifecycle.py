"""E6 PUT translation, E7 PATCH status, moderation (auto/manual, CLI approve/block)."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.core.db import transaction
from hub.core.entries import publishing
from tests.channels.conftest import article, make_account, two_languages

PAGES = "/api/v1/channels/ada_blog/pages"
PAGE = PAGES + "/agent_post"
FUTURE = "2999-05-20T10:00:00+00:00"


async def test_201_put_new_translation_saved_as_draft(client, account):
    await client.post(PAGES, json=article(), headers=account.headers)
    r = await client.put(
        PAGE + "/translations/ES",
        json={"title": "Post del agente", "content_markdown": "Texto."},
        headers=account.headers,
    )
    assert r.status_code == 201, r.text
    es = r.json()["translations"][1]
    assert es["language"] == "es" and es["status"] == "draft"
    assert [w["code"] for w in r.json()["warnings"]] == ["translation_saved_as_draft"]
    assert r.json()["translation_status_summary"]["draft_translation_languages"] == ["es"]


async def test_200_put_publishes_secondary(client, account):
    await client.post(PAGES, json=article(), headers=account.headers)
    body = {"title": "Пост", "content_markdown": "Текст.", "status": "published"}
    r = await client.put(PAGE + "/translations/ru", json=body, headers=account.headers)
    assert r.status_code == 201
    assert [t["status"] for t in r.json()["translations"]] == ["published", "published"]
    r = await client.put(
        PAGE + "/translations/ru", json={"title": "Новый"}, headers=account.headers
    )
    assert r.status_code == 200 and r.json()["translations"][1]["title"] == "Новый"


async def test_422_put_secondary_before_primary(client, account):
    await client.post(PAGES, json=article(status="draft"), headers=account.headers)
    body = {"title": "Пост", "content_markdown": "Текст.", "status": "published"}
    r = await client.put(PAGE + "/translations/ru", json=body, headers=account.headers)
    assert r.status_code == 422
    assert list(r.json()["errors"]) == ["status"]
    assert r.json()["errors"]["status"][0].startswith("A translation cannot be published")


async def test_422_put_primary_status_and_language_mismatch(client, account):
    await client.post(PAGES, json=article(status="draft"), headers=account.headers)
    r = await client.put(
        PAGE + "/translations/en", json={"status": "published"}, headers=account.headers
    )
    assert r.json()["errors"] == {
        "status": ["Change the status of the primary language with the status endpoint."]
    }
    r = await client.put(
        PAGE + "/translations/en", json={"language": "de"}, headers=account.headers
    )
    assert r.json()["errors"] == {"language": ["The language must match the language in the URL."]}
    r = await client.put(PAGE + "/translations/english", json={}, headers=account.headers)
    assert list(r.json()["errors"]) == ["language"]


async def test_404_put_unknown_article(client, account):
    r = await client.put(PAGES + "/nope/translations/en", json={}, headers=account.headers)
    assert r.status_code == 404 and r.json()["message"] == "Article not found."


async def test_200_patch_status_publish_and_draft(client, account):
    await client.post(PAGES, json=article(status="draft"), headers=account.headers)
    r = await client.patch(PAGE + "/status", json={"status": "published"}, headers=account.headers)
    assert r.status_code == 200 and r.json()["status"] == "published"
    published_at = r.json()["published_at"]
    r = await client.patch(PAGE + "/status", json={"status": "draft"}, headers=account.headers)
    assert r.json()["status"] == "draft" and r.json()["published_at"] == published_at


async def test_422_patch_status_multilingual_needs_publish_translations(client, account):
    await client.post(PAGES, json=two_languages(status="draft"), headers=account.headers)
    r = await client.patch(PAGE + "/status", json={"status": "published"}, headers=account.headers)
    assert r.json()["errors"] == {
        "publish_translations": [
            "The publish_translations field is required for multilingual articles."
        ]
    }
    body = {"status": "published", "publish_translations": False}
    r = await client.patch(PAGE + "/status", json=body, headers=account.headers)
    assert [t["status"] for t in r.json()["translations"]] == ["published", "draft"]
    body["publish_translations"] = "true"
    r = await client.patch(PAGE + "/status", json=body, headers=account.headers)
    assert [t["status"] for t in r.json()["translations"]] == ["published", "published"]


async def test_422_patch_published_to_scheduled(client, account):
    await client.post(PAGES, json=article(), headers=account.headers)
    body = {"status": "scheduled", "scheduled_at": FUTURE}
    r = await client.patch(PAGE + "/status", json=body, headers=account.headers)
    assert r.json()["errors"] == {
        "status": ["A published article cannot be scheduled. Set it to draft first."]
    }


async def test_200_schedule_via_post_and_patch(client, account):
    r = await client.post(
        PAGES, json=article(scheduled_at="2999-05-20T12:00:00+02:00"), headers=account.headers
    )
    body = r.json()
    assert body["status"] == "scheduled" and body["scheduled_at"] == "2999-05-20T10:00:00+00:00"
    assert body["translations"][0]["scheduled_at"] == body["scheduled_at"]
    r = await client.patch(PAGE + "/status", json={"status": "draft"}, headers=account.headers)
    assert r.json()["scheduled_at"] is None
    r = await client.patch(
        PAGE + "/status",
        json={"status": "scheduled", "scheduled_at": FUTURE},
        headers=account.headers,
    )
    assert r.json()["status"] == "scheduled"


async def test_422_scheduling_rules(client, db, account):
    r = await client.post(PAGES, json=article(status="scheduled"), headers=account.headers)
    assert r.json()["errors"] == {
        "scheduled_at": ["The scheduled_at field is required when status is scheduled."]
    }
    r = await client.post(
        PAGES,
        json=article(status="scheduled", scheduled_at="2001-01-01T00:00:00Z"),
        headers=account.headers,
    )
    assert r.json()["errors"] == {
        "scheduled_at": ["The scheduled_at must be a time in the future."]
    }
    free = await make_account(db, "Fay", plan="free")
    r = await client.post(
        "/api/v1/channels/fay_blog/pages", json=article(scheduled_at=FUTURE), headers=free.headers
    )
    assert r.json()["errors"] == {
        "scheduled_at": ["Scheduled publishing is available on Pro accounts."]
    }


async def test_200_manual_moderation_keeps_live_version(client, db):
    acct = await make_account(db, "Gus", moderation="manual")
    pages = "/api/v1/channels/gus_blog/pages"
    r = await client.post(pages, json=article(), headers=acct.headers)
    body = r.json()
    assert body["status"] == "moderation_review" and body["moderation"] == "manual_review"
    assert body["translations"][0]["status"] == "moderation_review"
    assert body["translation_status_summary"]["all_translations_public_or_pending"] is True
    async with transaction(db) as conn:
        assert await publishing.approve(conn, body["id"], now=datetime.now(UTC)) == "published"
    edit = article()
    edit["translations"][0]["title"] = "New title"
    r = await client.post(pages, json=edit, headers=acct.headers)
    body = r.json()
    assert body["status"] == "moderation_review"
    en = body["translations"][0]
    assert en["status"] == "published" and en["title"] == "Agent post"
    assert en["pending_revision"]["title"] == "New title"
    assert en["pending_revision"]["status"] == "moderation_review"
    async with transaction(db) as conn:
        await publishing.block(conn, body["id"], reason="Off topic")
    r = await client.get(pages + "/agent_post", headers=acct.headers)
    body = r.json()
    assert body["status"] == "published" and body["moderation"] == "blocked"
    assert body["translations"][0]["pending_revision"]["status"] == "moderation_blocked"
    assert body["warnings"][0]["code"] == "moderation_blocked"
    assert "Off topic" in body["warnings"][0]["message"]


async def test_200_block_new_publication_derives_draft(client, db):
    acct = await make_account(db, "Hal", moderation="manual")
    r = await client.post("/api/v1/channels/hal_blog/pages", json=article(), headers=acct.headers)
    async with transaction(db) as conn:
        assert await publishing.block(conn, r.json()["id"]) == "draft"
    r = await client.get("/api/v1/channels/hal_blog/pages/agent_post", headers=acct.headers)
    assert r.json()["translation_status_summary"]["moderation_blocked"] == ["en"]


async def test_200_archive(client, account):
    await client.post(PAGES, json=article(), headers=account.headers)
    r = await client.patch(PAGE + "/status", json={"status": "archived"}, headers=account.headers)
    assert r.json()["status"] == "archived"
    r = await client.patch(PAGE + "/status", json={"status": "published"}, headers=account.headers)
    assert r.json()["status"] == "published"


async def test_200_outdated_flags(client, account):
    await client.post(PAGES, json=two_languages(), headers=account.headers)
    edit = article()
    edit["translations"][0]["content_markdown"] = "Changed body."
    r = await client.post(PAGES, json=edit, headers=account.headers)
    assert r.json()["translation_status_summary"]["outdated_translation_languages"] == ["ru"]
    assert r.json()["translations"][1]["outdated"] is True
    r = await client.put(
        PAGE + "/translations/ru",
        json={"content_markdown": "Новый текст."},
        headers=account.headers,
    )
    assert r.json()["translations"][1]["outdated"] is False


async def test_200_revisions_list(client, account):
    await client.post(PAGES, json=article(), headers=account.headers)
    r = await client.get(PAGE + "/revisions", headers=account.headers)
    assert r.status_code == 200 and isinstance(r.json()["revisions"], list)
