"""Dashboard: webmentions received. A pending mention is listed, approved (then shown on its
entry page), rejected (then gone from it), and its source blocked after a confirmation,
which deletes what is stored from that domain and stores later sends as blocked."""

from __future__ import annotations

from tests.factories import make_webmention
from tests.site.auth_fixtures import csrf_of, owner, signed_in  # noqa: F401 - fixtures
from tests.site.dashboard.test_pages import _api_key, _article

BASE = "http://hub.test"


async def _pending(client, db, owner, source: str = "https://www.spam.example/p") -> str:
    entry_id = await _article(client, await _api_key(db, owner, None), "hello", "Hello")
    return await make_webmention(
        db, owner.channel_id, entry_id, f"{BASE}/ada/hello?lang=en", source=source,
        status="pending", author_name="Bob", content_text="Great post, Ada.",
        source_domain="spam.example",
    )  # fmt: skip


async def test_303_approve_shows_the_mention_then_reject_hides_it(client, signed_in, owner, db):
    mention_id = await _pending(client, db, owner)
    listed = await client.get("/dashboard/webmentions?status=pending")
    assert "Great post, Ada." in listed.text and f"/webmentions/{mention_id}/approve" in listed.text
    page = await client.get("/ada/hello")
    assert page.status_code == 200 and "Great post, Ada." not in page.text

    r = await client.post(f"/dashboard/webmentions/{mention_id}/approve", data={"csrf": signed_in})
    assert r.status_code == 303 and "done=approved" in r.headers["location"]
    assert "approved" in (await client.get(r.headers["location"])).text
    page = await client.get("/ada/hello")
    assert 'class="p-comment h-cite"' in page.text and "Great post, Ada." in page.text
    assert await db.fetchval("SELECT 1 FROM webmention_known_sources WHERE domain = 'spam.example'")

    again = await client.post(f"/dashboard/webmentions/{mention_id}/approve",
                              data={"csrf": signed_in})  # fmt: skip
    assert "done=nothing" in again.headers["location"]
    r = await client.post(f"/dashboard/webmentions/{mention_id}/reject", data={"csrf": signed_in})
    assert "done=rejected" in r.headers["location"]
    assert "Great post, Ada." not in (await client.get("/ada/hello")).text


async def test_303_block_domain_after_confirmation_deletes_stored_mentions(
    client, signed_in, owner, db
):
    mention_id = await _pending(client, db, owner)
    confirm = await client.get(f"/dashboard/webmentions/{mention_id}/block")
    assert confirm.status_code == 200 and "spam.example" in confirm.text
    assert await db.fetchval("SELECT count(*) FROM webmentions") == 1  # nothing done yet
    r = await client.post(f"/dashboard/webmentions/{mention_id}/block",
                          data={"csrf": csrf_of(confirm.text), "kind": "domain"})  # fmt: skip
    assert r.status_code == 303 and "deleted=1" in r.headers["location"]
    assert await db.fetchval("SELECT count(*) FROM webmentions") == 0
    blocked = await db.fetchval("SELECT pattern FROM webmention_blocks WHERE kind = 'domain'")
    assert blocked == "spam.example"

    # the directory's receiver now stores a send from a subdomain as blocked, never fetched
    sent = await client.post("/api/webmentions", data={
        "source": "https://blog.spam.example/again", "target": f"{BASE}/ada/hello"})  # fmt: skip
    assert sent.status_code == 201
    assert await db.fetchval("SELECT status FROM webmentions") == "blocked"


async def test_400_block_without_a_choice_and_403_without_csrf(client, signed_in, owner, db):
    mention_id = await _pending(client, db, owner)
    r = await client.post(f"/dashboard/webmentions/{mention_id}/block", data={"csrf": signed_in})
    assert r.status_code == 400 and "Choose the domain" in r.text
    r = await client.post(f"/dashboard/webmentions/{mention_id}/approve", data={"csrf": "forged"})
    assert r.status_code == 403
    assert await db.fetchval("SELECT status FROM webmentions") == "pending"
    assert await db.fetchval("SELECT count(*) FROM webmention_blocks") == 0
