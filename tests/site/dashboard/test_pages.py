"""The owner's dashboard: every page needs the session, moderation decisions change the entry,
tokens are shown once and revoked after a confirmation, long lists paginate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.core import auth
from hub.core.db import transaction
from tests.factories import bearer, make_credential, make_feed, make_site
from tests.site.auth_fixtures import csrf_of, owner, signed_in  # noqa: F401 - fixtures

PAGES = [
    "/dashboard", "/dashboard/entries", "/dashboard/entries?status=draft",
    "/dashboard/moderation", "/dashboard/scheduled", "/dashboard/tokens",
    "/dashboard/tokens?all=1", "/dashboard/directory", "/dashboard/webmentions",
    "/dashboard/settings",
]  # fmt: skip


async def _api_key(db, owner, moderation: str | None = "manual") -> dict[str, str]:
    await db.execute("UPDATE authors SET moderation = $2 WHERE id = $1",
                     owner.author_id, moderation)  # fmt: skip
    return bearer(await make_credential(db, owner.author_id))


async def _article(client, headers, slug: str, title: str = "Waiting post") -> int:
    body = {
        "slug": slug,
        "default_language": "en",
        "status": "published",
        "translations": [{"language": "en", "title": title, "content_markdown": "Some *text*."}],
    }
    r = await client.post("/api/v1/channels/ada/pages", json=body, headers=headers)
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


@pytest.mark.parametrize("path", PAGES)
async def test_303_pages_need_the_owner_session(client, owner, path):
    r = await client.get(path)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/dashboard/login?next=%2Fdashboard")


async def test_200_every_page_for_the_owner(client, signed_in):
    for path in PAGES:
        r = await client.get(path)
        assert r.status_code == 200, path
        assert r.headers["cache-control"] == "no-store"
        assert 'aria-current="page"' in r.text
        assert "<script" not in r.text and "https://" not in r.text.split("<main", 1)[0]


async def test_303_post_without_session_goes_to_login(client, owner):
    r = await client.post("/dashboard/moderation/1/approve", data={"csrf": "x"})
    assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/login")


async def test_200_entries_with_status_and_translations(client, signed_in, owner, db):
    headers = await _api_key(db, owner, moderation="auto")
    entry_id = await _article(client, headers, "first", "First post")
    r = await client.get("/dashboard/entries")
    assert "First post" in r.text and "en: published" in r.text
    r = await client.get("/dashboard/entries?status=draft")
    assert "First post" not in r.text
    r = await client.get(f"/dashboard/posts/{entry_id}/edit")
    assert r.status_code == 200 and "http://hub.test/ada/first" in r.text
    assert (await client.get("/dashboard/entries/999999")).status_code == 404


async def test_303_approve_publishes_the_pending_entry(client, signed_in, owner, db):
    entry_id = await _article(client, await _api_key(db, owner), "waiting")
    assert await db.fetchval("SELECT status FROM entries WHERE id = $1", entry_id) == (
        "moderation_review"
    )
    queue = await client.get("/dashboard/moderation")
    assert "Waiting post" in queue.text and "new publication: en" in queue.text
    r = await client.post(f"/dashboard/moderation/{entry_id}/approve", data={"csrf": signed_in})
    assert r.status_code == 303 and "done=approved" in r.headers["location"]
    assert await db.fetchval("SELECT status FROM entries WHERE id = $1", entry_id) == "published"
    page = await client.get(r.headers["location"])
    assert "approved" in page.text and "Nothing waits for moderation" in page.text
    again = await client.post(f"/dashboard/moderation/{entry_id}/approve", data={"csrf": signed_in})
    assert "done=nothing" in again.headers["location"]


async def test_303_block_after_confirmation(client, signed_in, owner, db):
    entry_id = await _article(client, await _api_key(db, owner), "blocked")
    confirm = await client.get(f"/dashboard/moderation/{entry_id}/block")
    assert confirm.status_code == 200 and "Block “Waiting post”?" in confirm.text
    r = await client.post(f"/dashboard/moderation/{entry_id}/block",
                          data={"csrf": csrf_of(confirm.text), "reason": "Off topic"})  # fmt: skip
    assert r.status_code == 303
    row = await db.fetchrow("SELECT status, moderation, moderation_reason FROM entries"
                            " WHERE id = $1", entry_id)  # fmt: skip
    assert tuple(row) == ("draft", "blocked", "Off topic")


async def test_403_moderation_without_csrf(client, signed_in, owner, db):
    entry_id = await _article(client, await _api_key(db, owner), "forged")
    r = await client.post(f"/dashboard/moderation/{entry_id}/approve", data={"csrf": "forged"})
    assert r.status_code == 403
    r = await client.post(f"/dashboard/moderation/{entry_id}/approve")
    assert r.status_code == 403
    assert await db.fetchval("SELECT status FROM entries WHERE id = $1", entry_id) == (
        "moderation_review"
    )


async def test_200_token_created_shown_once_then_revoked(client, signed_in, db):
    r = await client.post("/dashboard/tokens", data={
        "csrf": signed_in, "kind": "app_token", "name": "iA Writer",
        "scopes": ["create", "media"]})  # fmt: skip
    assert r.status_code == 200
    secret = r.text.split('data-testid="secret">', 1)[1].split("<", 1)[0]
    assert secret.startswith("hub_")
    principal = await auth.resolve_principal(db, auth.PresentedToken(secret, auth.VIA_BEARER))
    assert principal.kind == "app_token" and principal.scopes == {"create", "media"}
    listing = await client.get("/dashboard/tokens")
    assert "iA Writer" in listing.text and secret not in listing.text
    confirm = await client.get(f"/dashboard/tokens/{principal.credential_id}/revoke")
    assert "cannot be undone" in confirm.text
    r = await client.post(f"/dashboard/tokens/{principal.credential_id}/revoke",
                          data={"csrf": signed_in})  # fmt: skip
    assert r.status_code == 303
    with pytest.raises(auth.Unauthenticated):
        await auth.resolve_principal(db, auth.PresentedToken(secret, auth.VIA_BEARER))
    assert "revoked" in (await client.get("/dashboard/tokens?all=1")).text


async def test_400_token_without_scope(client, signed_in):
    r = await client.post("/dashboard/tokens", data={"csrf": signed_in, "kind": "api_key"})
    assert r.status_code == 400 and "at least one scope" in r.text


async def test_200_long_lists_paginate(client, signed_in, owner, db):
    for n in range(55):
        await make_credential(db, owner.author_id, kind="app_token", name=f"token {n:02}")
    first = await client.get("/dashboard/tokens")
    assert "Page 1 of 2 (55)" in first.text and "token 54" in first.text
    second = await client.get("/dashboard/tokens?page=2")
    assert "Page 2 of 2" in second.text and "token 00" in second.text
    assert "token 54" not in second.text
    assert (await client.get("/dashboard/tokens?page=99")).status_code == 200


async def test_200_directory_shows_poll_health(client, signed_in, db):
    site_id = await make_site(db, "https://blog.example/", title="Some blog")
    now = datetime.now(UTC)
    await make_feed(
        db,
        site_id,
        "https://blog.example/feed.xml",
        status="error",
        error_count=3,
        error_since=now,
        last_error="Timed out after 15s",
        last_status=503,
        last_fetched_at=now,
    )
    r = await client.get("/dashboard/directory")
    assert "Some blog" in r.text and "https://blog.example/feed.xml" in r.text
    assert "3 error(s)" in r.text and "Timed out after 15s" in r.text and "HTTP 503" in r.text


async def test_200_settings_hide_connection_urls(client, signed_in, settings):
    r = await client.get("/dashboard/settings")
    assert "HUB_MODERATION" in r.text and "DATABASE_URL" in r.text
    assert settings.database_url not in r.text and settings.redis_url not in r.text


async def test_303_custom_domain_set_from_settings_serves_the_blog_there(client, signed_in, db):
    r = await client.post("/dashboard/channels/0/domain", data={"csrf": signed_in,
                                                                "domain": "x.example"})  # fmt: skip
    assert "error=Unknown" in r.headers["location"]
    channel_id = await db.fetchval("SELECT id FROM channels WHERE slug = 'ada'")
    path = f"/dashboard/channels/{channel_id}/domain"
    for bad in ("https://ada.example/", "hub.test", "no_dots", "a..example"):
        r = await client.post(path, data={"csrf": signed_in, "domain": bad})
        assert r.status_code == 303 and "error=" in r.headers["location"], bad
    assert await db.fetchval("SELECT custom_domain FROM channels WHERE id = $1", channel_id) is None
    r = await client.post(path, data={"csrf": signed_in, "domain": " Ada.Example. "})
    assert r.status_code == 303 and "saved=ada" in r.headers["location"]
    settings_page = await client.get(r.headers["location"])
    assert 'value="ada.example"' in settings_page.text
    moved = await client.get("/ada")
    assert moved.status_code == 301 and moved.headers["location"] == "https://ada.example/"
    home = await client.get("https://ada.example/")
    assert home.status_code == 200 and 'rel="canonical" href="https://ada.example/"' in home.text
    r = await client.post(path, data={"csrf": signed_in, "domain": ""})
    assert (await client.get("/ada")).status_code == 200


async def test_303_a_taken_custom_domain_is_refused(client, signed_in, owner, db):
    async with transaction(db) as conn:
        other = await conn.fetchval(
            "INSERT INTO channels (author_id, slug, default_language, status)"
            " VALUES ($1, 'notes', 'en', 'published') RETURNING id", owner.author_id)  # fmt: skip
        await conn.execute("UPDATE channels SET custom_domain = 'taken.example' WHERE id = $1",
                           other)  # fmt: skip
    channel_id = await db.fetchval("SELECT id FROM channels WHERE slug = 'ada'")
    r = await client.post(f"/dashboard/channels/{channel_id}/domain",
                          data={"csrf": signed_in, "domain": "taken.example"})  # fmt: skip
    assert "already+the+domain" in r.headers["location"]
    assert await db.fetchval("SELECT custom_domain FROM channels WHERE id = $1", channel_id) is None
