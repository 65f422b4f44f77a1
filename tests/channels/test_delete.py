"""EXT §4.6: DELETE page (soft, slug reserved 30 days) and DELETE a secondary translation."""

from __future__ import annotations

import pytest

from hub.core.entries.jobs import purge_deleted
from tests.channels.conftest import article, make_account, two_languages

PAGES = "/api/v1/channels/dee_blog/pages"
PAGE = PAGES + "/agent_post"


@pytest.fixture
async def deleter(db):
    return await make_account(db, "Dee", scopes=["create", "update", "delete"])


async def test_204_delete_page_is_soft(client, db, deleter):
    created = (await client.post(PAGES, json=article(), headers=deleter.headers)).json()
    r = await client.delete(PAGE, headers=deleter.headers)
    assert r.status_code == 204 and r.content == b""
    row = await db.fetchrow("SELECT status, deleted_at FROM entries WHERE id = $1", created["id"])
    assert row["status"] == "deleted" and row["deleted_at"] is not None
    assert await db.fetchval("SELECT count(*) FROM entry_translations") == 1  # kept
    for method in ("GET", "DELETE"):
        r = await client.request(method, PAGE, headers=deleter.headers)
        assert r.status_code == 404 and r.json()["message"] == "Article not found."
    r = await client.patch(PAGE + "/status", json={"status": "draft"}, headers=deleter.headers)
    assert r.status_code == 404


async def test_422_deleted_slug_reserved_then_freed(client, db, resources, deleter):
    await client.post(PAGES, json=article(), headers=deleter.headers)
    await client.delete(PAGE, headers=deleter.headers)
    r = await client.post(PAGES, json=article(), headers=deleter.headers)
    assert r.status_code == 422
    [message] = r.json()["errors"]["slug"]
    assert message.startswith("The slug belongs to a deleted article and stays reserved until ")
    generated = await client.post(PAGES, json=article(slug=None), headers=deleter.headers)
    assert generated.json()["slug"] == "agent_post_2"
    await db.execute("UPDATE entries SET deleted_at = now() - interval '31 days'")
    r = await client.post(PAGES, json=article(), headers=deleter.headers)
    assert r.status_code == 201, r.text  # the old row was purged inline
    await client.delete(PAGE, headers=deleter.headers)
    await db.execute("UPDATE entries SET deleted_at = now() - interval '31 days'")
    assert await purge_deleted({"resources": resources}) == 2
    assert await db.fetchval("SELECT count(*) FROM entries") == 0


async def test_403_delete_needs_the_delete_scope(client, account):
    await client.post(
        "/api/v1/channels/ada_blog/pages", json=two_languages(), headers=account.headers
    )
    r = await client.delete("/api/v1/channels/ada_blog/pages/agent_post", headers=account.headers)
    assert r.status_code == 403
    assert r.json()["message"] == "This API key lacks the 'delete' scope."
    r = await client.delete(
        "/api/v1/channels/ada_blog/pages/agent_post/translations/ru", headers=account.headers
    )
    assert r.status_code == 403


async def test_204_delete_secondary_translation(client, db, deleter):
    created = (await client.post(PAGES, json=two_languages(), headers=deleter.headers)).json()
    r = await client.delete(PAGE + "/translations/RU", headers=deleter.headers)
    assert r.status_code == 204
    assert r.headers["etag"] == f'"v{created["version"] + 1}"'
    body = (await client.get(PAGE, headers=deleter.headers)).json()
    assert [t["language"] for t in body["translations"]] == ["en"]
    assert body["status"] == "published"
    assert body["translation_status_summary"]["all_translations_published"] is True
    r = await client.delete(PAGE + "/translations/ru", headers=deleter.headers)
    assert r.status_code == 404 and r.json()["message"] == "Translation not found."


async def test_422_delete_primary_translation(client, deleter):
    await client.post(PAGES, json=two_languages(), headers=deleter.headers)
    r = await client.delete(PAGE + "/translations/en", headers=deleter.headers)
    assert r.status_code == 422
    assert list(r.json()["errors"]) == ["language"]
    assert r.json()["errors"]["language"][0].startswith("The primary translation cannot be")
    r = await client.delete(PAGE + "/translations/english", headers=deleter.headers)
    assert r.status_code == 422


async def test_200_delete_dry_run_changes_nothing(client, db, deleter):
    await client.post(PAGES, json=two_languages(), headers=deleter.headers)
    r = await client.delete(PAGE + "?dry_run=true", headers=deleter.headers)
    assert r.status_code == 200 and r.headers["x-dry-run"] == "true"
    assert r.json()["status"] == "deleted"
    r = await client.delete(PAGE + "/translations/ru?dry_run=1", headers=deleter.headers)
    assert r.status_code == 200 and len(r.json()["translations"]) == 1
    assert (await client.get(PAGE, headers=deleter.headers)).json()["status"] == "published"
    assert await db.fetchval("SELECT count(*) FROM entry_translations") == 2
