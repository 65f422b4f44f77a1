"""Reading mentions (§1.9): the public JSON list at `GET /api/webmentions?target=` (approved
only, newest first, 50 a page with a `next` cursor, a type filter) and the `manual`
moderation setting (§1.8), which holds every verified mention back from it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from hub.webmentions.verify.verifier import verify
from tests.factories import make_credential, make_entry
from tests.webmentions.fixtures import app_client, entry_url, make_blog

WM = "/api/webmentions"
START = datetime(2026, 1, 1, tzinfo=UTC)


async def stored(db, entry_id: int, channel_id: int, n: int, **fields) -> str:
    """A verified mention, straight in the table (as the verify job leaves it)."""
    values = {"status": "approved", "type": "reply", "author_name": f"Author {n}"} | fields
    mention_id = f"m{n:021d}"
    await db.execute(
        """
        INSERT INTO webmentions (id, source, target, source_norm, target_norm, source_host,
                                 source_domain, entry_id, channel_id, status, type, author_name,
                                 content_html, content_text, published_at, verified_at)
        VALUES ($1, $2, 't', $2, $3, 's.example', 's.example', $4, $5, $6, $7, $8,
                '<p>Hi</p>', 'Hi', $9, now())
        """,
        mention_id, f"https://s.example/{n}", f"//t/{n}", entry_id, channel_id,
        values["status"], values["type"], values["author_name"], START + timedelta(hours=n),
    )  # fmt: skip
    return mention_id


async def test_200_list_is_newest_first_approved_only_and_paged(wm_client, db):
    blog = await make_blog(db)
    entry_id = await make_entry(db, blog, "first")
    for n in range(55):
        await stored(db, entry_id, blog.channel_id, n)
    await stored(db, entry_id, blog.channel_id, 90, status="pending")
    await stored(db, entry_id, blog.channel_id, 91, status="rejected")
    target = entry_url(blog, "first")
    first = await wm_client.get(WM, params={"target": target})
    assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
    body = first.json()
    assert body["count"] == 55 and len(body["results"]) == 50
    names = [m["author"]["name"] for m in body["results"]]
    assert names == [f"Author {n}" for n in range(54, 4, -1)]
    mention = body["results"][0]
    assert mention["published"] == "2026-01-03T06:00:00Z"
    assert mention["content_html"] == "<p>Hi</p>" and mention["type"] == "reply"
    assert set(mention) == {
        "id", "type", "source", "url", "target", "author", "name", "content_html",
        "content_text", "published", "rsvp",
    }  # fmt: skip
    second = (await wm_client.get(body["next"])).json()
    assert [m["author"]["name"] for m in second["results"]] == [
        f"Author {n}" for n in range(4, -1, -1)
    ]
    assert second["next"] is None


async def test_200_400_list_filters_by_type_and_accepts_every_spelling_of_the_target(wm_client, db):
    blog = await make_blog(db)
    entry_id = await make_entry(db, blog, "first")
    await stored(db, entry_id, blog.channel_id, 1, type="like")
    await stored(db, entry_id, blog.channel_id, 2, type="reply")
    target = entry_url(blog, "first")
    for spelling in (target, target.replace("http:", "https:") + "/", target + "?utm=x#c"):
        likes = (await wm_client.get(WM, params={"target": spelling, "type": "like"})).json()
        assert [m["type"] for m in likes["results"]] == ["like"], spelling
    bad = await wm_client.get(WM, params={"target": target, "type": "rsvp"})
    assert bad.status_code == 400 and "type must be one of" in bad.json()["detail"]
    elsewhere = await wm_client.get(WM, params={"target": "https://else.example/x"})
    assert elsewhere.status_code == 400
    assert elsewhere.json() == {"detail": "target is not on this site"}


async def test_200_manual_moderation_holds_every_mention(wm_resources, db, site):
    blog = await make_blog(db)
    await make_entry(db, blog, "first")
    target = entry_url(blog, "first")
    source = site.serve(
        "/reply",
        '<!doctype html><title>Re</title><article class="h-entry">'
        f'<a class="u-in-reply-to" href="{target}">re</a><div class="e-content">Yes.</div>'
        "</article>",
    )
    settings = dataclasses.replace(wm_resources.settings, webmention_moderation="manual")
    manual = dataclasses.replace(wm_resources, settings=settings)
    await db.execute("INSERT INTO webmention_known_sources (domain) VALUES ('127.0.0.1')")
    async for client in app_client(manual):
        r = await client.post(WM, data={"source": source, "target": target})
        mention_id = r.json()["id"]
        await verify(manual, mention_id)
        status = (await client.get(f"{WM}/{mention_id}")).json()
        assert status["status"] == "pending" and "mention" not in status
        listed = (await client.get(WM, params={"target": target})).json()
        assert listed == {"count": 0, "next": None, "results": []}
    row = await db.fetchrow("SELECT type, content_html FROM webmentions")
    assert (row["type"], row["content_html"]) == ("reply", "Yes.")  # kept for the owner


async def test_200_401_owner_lists_their_own_mentions_by_status_with_a_token(wm_client, db):
    blog = await make_blog(db)
    entry_id = await make_entry(db, blog, "first")
    other = await make_blog(db, "Bob")
    other_entry = await make_entry(db, other, "theirs")
    await stored(db, entry_id, blog.channel_id, 1, status="pending")
    await stored(db, entry_id, blog.channel_id, 2, status="pending")
    await stored(db, entry_id, blog.channel_id, 3, status="approved")
    await stored(db, other_entry, other.channel_id, 4, status="pending")
    secret = await make_credential(db, blog.author_id, kind="directory_token", scopes=["directory"])
    auth = {"Authorization": f"Token {secret}"}  # the directory's DRF-style header
    anonymous = await wm_client.get(WM, params={"status": "pending"})
    assert anonymous.status_code == 401
    r = await wm_client.get(WM, params={"status": "pending"}, headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == 2 and body["next"] is None
    assert {m["author"]["name"] for m in body["results"]} == {"Author 1", "Author 2"}
    assert {m["status"] for m in body["results"]} == {"pending"}
    assert all(m["content_html"] == "<p>Hi</p>" for m in body["results"])  # owner sees it
    bad = await wm_client.get(WM, params={"status": "nope"}, headers=auth)
    assert bad.status_code == 400 and "status must be one of" in bad.json()["detail"]
