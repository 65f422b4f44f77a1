"""The post editor (`/dashboard/new`, `/dashboard/posts/{id}/edit`) at the HTTP level, as the
signed-in owner: what it saves reads back the same on the blog, in the feed, through Micropub
`q=source` and the v1 API; bad input is answered on the page with the field to fix and
nothing written; an edit made meanwhile elsewhere is never overwritten silently."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import feedparser
import pytest

from hub.core.db import transaction
from hub.core.entries.publishing import publish_due
from tests.factories import bearer, make_author, make_credential
from tests.images import jpeg
from tests.site.auth_fixtures import csrf_of, owner, signed_in  # noqa: F401 - fixtures

MP = "/micropub"
VERSION = re.compile(r'name="version" value="(\d+)"')


def form(csrf: str, **fields: str) -> dict[str, str]:
    return {"csrf": csrf, "title": "", "content": "", "tags": "", "visibility": "public",
            "slug": "", "publish_at": "", "timezone": "", "action": "save", **fields}  # fmt: skip


async def _edit_form(client, entry_id: int, lang: str = "") -> tuple[str, str]:
    r = await client.get(f"/dashboard/posts/{entry_id}/edit" + (f"?lang={lang}" if lang else ""))
    assert r.status_code == 200, r.text
    return csrf_of(r.text), VERSION.search(r.text).group(1)


async def _create(client, csrf, **fields) -> int:
    r = await client.post("/dashboard/new", data=form(csrf, **fields))
    assert r.status_code == 303, r.text
    match = re.match(r"/dashboard/posts/(\d+)/edit", r.headers["location"])
    assert match, r.headers["location"]
    return int(match.group(1))


async def _count(db) -> int:
    return await db.fetchval("SELECT count(*) FROM entries")


async def test_303_article_with_two_tags_published_everywhere(client, signed_in, owner, db):
    body = "Some *Markdown* here.\n\nA second paragraph."
    entry_id = await _create(
        client, signed_in, title="Hello hub", content=body, tags="python, open web",
        action="publish",
    )  # fmt: skip
    page = await client.get(f"/dashboard/posts/{entry_id}/edit?saved=publish")
    assert "Published." in page.text and "http://hub.test/ada/hello-hub" in page.text
    blog = await client.get("/ada/hello-hub")
    assert blog.status_code == 200 and "<em>Markdown</em>" in blog.text
    feed = feedparser.parse((await client.get("/ada/atom.xml")).content)
    item = feed.entries[0]
    assert item.title == "Hello hub" and "<em>Markdown</em>" in item.content[0].value
    assert {t.term for t in item.tags} == {"python", "open web"}
    token = bearer(await make_credential(db, owner.author_id, kind="app_token"))
    source = await client.get(
        MP, params={"q": "source", "url": "http://hub.test/ada/hello-hub"}, headers=token
    )
    props = source.json()["properties"]
    assert props["name"] == ["Hello hub"] and props["content"] == [body]
    assert props["category"] == ["python", "open web"] and props["post-status"] == ["published"]
    row = await db.fetchrow("SELECT kind, created_via, version FROM entries WHERE id = $1",
                            entry_id)  # fmt: skip
    assert (row["kind"], row["created_via"]) == ("article", "dashboard")


async def test_303_micropub_draft_finished_at_its_location(client, signed_in, owner, db):
    token = bearer(await make_credential(db, owner.author_id, kind="app_token"))
    r = await client.post(
        MP,
        json={
            "type": ["h-entry"],
            "properties": {"content": ["A draft from my phone"], "post-status": ["draft"]},
        },
        headers=token,
    )
    assert r.status_code == 201, r.text
    location = r.headers["location"]
    assert location.startswith("http://hub.test/dashboard/posts/")
    path = location.removeprefix("http://hub.test")
    entry_id = int(path.split("/")[3])
    csrf, version = await _edit_form(client, entry_id)
    page = await client.get(path)
    assert "A draft from my phone" in page.text
    r = await client.post(path, data=form(csrf, version=version, title="",
                                          content="A draft from my phone, finished.",
                                          tags="phone", action="publish"))  # fmt: skip
    assert r.status_code == 303, r.text
    row = await db.fetchrow("SELECT status, slug, kind FROM entries WHERE id = $1", entry_id)
    assert row["status"] == "published" and row["kind"] == "note"
    shown = await client.get(f"/ada/{row['slug']}")
    assert shown.status_code == 200 and "A draft from my phone, finished." in shown.text


async def test_303_schedule_in_a_time_zone_then_the_sweep_publishes(client, signed_in, owner, db):
    await db.execute("UPDATE authors SET plan = 'pro' WHERE id = $1", owner.author_id)
    await db.execute("UPDATE channels SET timezone = 'Europe/Berlin' WHERE id = $1",
                     owner.channel_id)  # fmt: skip
    entry_id = await _create(client, signed_in, title="Later", content="Soon.",
                             action="schedule", publish_at="2099-07-01T09:30",
                             timezone="Europe/Berlin")  # fmt: skip
    row = await db.fetchrow("SELECT status, scheduled_at FROM entries WHERE id = $1", entry_id)
    assert row["status"] == "scheduled"
    assert row["scheduled_at"] == datetime(2099, 7, 1, 7, 30, tzinfo=UTC)
    page = await client.get(f"/dashboard/posts/{entry_id}/edit")
    assert 'value="2099-07-01T09:30"' in page.text  # shown in the blog's time zone
    async with transaction(db) as conn:
        assert await publish_due(conn, datetime(2099, 7, 1, 7, 31, tzinfo=UTC)) == [entry_id]
    assert await db.fetchval("SELECT status FROM entries WHERE id = $1", entry_id) == "published"


async def test_303_german_translation_after_the_primary_is_published(client, signed_in, db):
    entry_id = await _create(client, signed_in, title="Draft first", content="English.")
    csrf, version = await _edit_form(client, entry_id, "de")
    page = await client.get(f"/dashboard/posts/{entry_id}/edit?lang=de")
    assert "never public before" in page.text and "Publish the en version first" in page.text
    r = await client.post(f"/dashboard/posts/{entry_id}/edit?lang=de", data=form(
        csrf, version=version, title="Zuerst", content="Deutsch.", action="publish"))  # fmt: skip
    assert r.status_code == 422 and "Publish the en version first" in r.text
    assert await db.fetchval(
        "SELECT count(*) FROM entry_translations WHERE entry_id = $1", entry_id) == 1  # fmt: skip
    csrf, version = await _edit_form(client, entry_id)
    r = await client.post(
        f"/dashboard/posts/{entry_id}/edit",
        data=form(csrf, version=version, title="Draft first", content="English.", action="publish"),
    )
    assert r.status_code == 303
    csrf, version = await _edit_form(client, entry_id, "de")
    r = await client.post(f"/dashboard/posts/{entry_id}/edit?lang=de", data=form(
        csrf, version=version, title="Zuerst", content="Deutsch.", action="publish"))  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].endswith("lang=de&saved=publish")
    rows = dict(
        await db.fetch(
            "SELECT language, status FROM entry_translations WHERE entry_id = $1", entry_id
        )
    )
    assert rows == {"en": "published", "de": "published"}


async def test_409_edit_made_meanwhile_through_v1_is_not_overwritten(client, signed_in, owner, db):
    entry_id = await _create(client, signed_in, title="Shared", content="Mine.", slug="shared")
    csrf, version = await _edit_form(client, entry_id)
    key = bearer(await make_credential(db, owner.author_id))
    r = await client.put(
        "/api/v1/channels/ada/pages/shared/translations/en",
        json={"title": "Shared", "content_markdown": "Theirs."}, headers=key,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    r = await client.post(f"/dashboard/posts/{entry_id}/edit", data=form(
        csrf, version=version, title="Shared", content="My new words.", slug="shared"))  # fmt: skip
    assert r.status_code == 409
    assert "My new words." in r.text and "Theirs." in r.text and "Take theirs" in r.text
    body = await db.fetchval(
        "SELECT body_source FROM entry_translations WHERE entry_id = $1", entry_id)  # fmt: skip
    assert body == "Theirs."
    newer = VERSION.search(r.text).group(1)  # keep mine: the form now carries their version
    r = await client.post(f"/dashboard/posts/{entry_id}/edit", data=form(
        csrf, version=newer, title="Shared", content="My new words.", slug="shared"))  # fmt: skip
    assert r.status_code == 303
    v1 = await client.get("/api/v1/channels/ada/pages/shared", headers=key)
    assert v1.json()["translations"][0]["content_markdown"] == "My new words."


async def test_303_unpublish_archive_delete_undelete(client, signed_in, db):
    entry_id = await _create(client, signed_in, title="Round trip", content="Body.",
                             action="publish")  # fmt: skip
    status = "SELECT status FROM entries WHERE id = $1"
    for action, expected in (("unpublish", "draft"), ("publish", "published"),
                             ("archive", "archived")):  # fmt: skip
        csrf, version = await _edit_form(client, entry_id)
        r = await client.post(f"/dashboard/posts/{entry_id}/edit", data=form(
            csrf, version=version, title="Round trip", content="Body.", action=action))  # fmt: skip
        assert r.status_code == 303, (action, r.text)
        assert await db.fetchval(status, entry_id) == expected
    confirm = await client.get(f"/dashboard/posts/{entry_id}/delete")
    assert confirm.status_code == 200 and "Delete “Round trip”?" in confirm.text
    r = await client.post(f"/dashboard/posts/{entry_id}/delete", data={"csrf": signed_in})
    assert r.status_code == 303 and await db.fetchval(status, entry_id) == "deleted"
    page = await client.get(f"/dashboard/posts/{entry_id}/edit")
    assert "Undelete" in page.text
    r = await client.post(f"/dashboard/posts/{entry_id}/undelete", data={"csrf": signed_in})
    assert r.status_code == 303 and await db.fetchval(status, entry_id) == "archived"


async def test_403_csrf_refused_and_nothing_written(client, signed_in, db):
    before = await _count(db)
    r = await client.post("/dashboard/new", data=form("wrong", title="X", content="Y"))
    assert r.status_code == 403 and await _count(db) == before
    entry_id = await _create(client, signed_in, title="Kept", content="Kept.")
    r = await client.post(f"/dashboard/posts/{entry_id}/delete", data={"csrf": "wrong"})
    assert r.status_code == 403
    assert await db.fetchval("SELECT deleted_at FROM entries WHERE id = $1", entry_id) is None


async def test_303_not_signed_in(client, owner):
    for path in ("/dashboard/new", "/dashboard/posts/1/edit"):
        r = await client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/login")
    r = await client.post("/dashboard/new", data={"csrf": "x", "content": "Y"})
    assert r.status_code == 303


async def test_403_another_authors_entry(client, signed_in, db):
    other = await make_author(db, "Grace")
    key = bearer(await make_credential(db, other.author_id))
    r = await client.post(f"/api/v1/channels/{other.channel}/pages", json={
        "slug": "hers", "default_language": "en", "status": "draft",
        "translations": [{"language": "en", "title": "Hers", "content_markdown": "Hers."}]},
        headers=key)  # fmt: skip
    assert r.status_code in (200, 201), r.text
    entry_id = r.json()["id"]
    assert (await client.get(f"/dashboard/posts/{entry_id}/edit")).status_code == 403
    r = await client.post(f"/dashboard/posts/{entry_id}/edit", data=form(
        signed_in, version="1", title="Mine now", content="Taken."))  # fmt: skip
    assert r.status_code == 403
    assert await db.fetchval(
        "SELECT title FROM entry_translations WHERE entry_id = $1", entry_id) == "Hers"  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "status", "field", "message"),
    [
        ({"title": "Empty", "action": "publish"}, 422, "content", "the body is empty"),
        ({"content": "When?", "action": "schedule", "publish_at": "2099-01-01T10:00"}, 422,
         "publish_at", "no time zone"),
        ({"content": "Past", "action": "schedule", "publish_at": "2001-01-01T10:00",
          "timezone": "UTC"}, 422, "publish_at", "has passed"),
        ({"content": "Odd", "in-reply-to": "javascript:alert(1)"}, 422, "in-reply-to",
         "full web address"),
        ({"content": "Odd", "visibility": "secret"}, 422, "visibility", "public, unlisted"),
    ],
)  # fmt: skip
async def test_4xx_bad_input_answered_on_the_field(
    client, signed_in, db, fields, status, field, message
):
    before = await _count(db)
    r = await client.post("/dashboard/new", data=form(signed_in, **fields))
    assert r.status_code == status, r.text
    assert f'id="{field}-error"' in r.text and message in r.text
    assert f'aria-describedby="{field}-error"' in r.text and 'aria-invalid="true"' in r.text
    assert await _count(db) == before


async def test_409_slug_taken_nothing_written(client, signed_in, db):
    first = await _create(client, signed_in, title="One", content="One.", slug="taken")
    before = await _count(db)
    r = await client.post("/dashboard/new", data=form(signed_in, title="Two", content="Two.",
                                                      slug="taken"))  # fmt: skip
    assert r.status_code == 409 and 'id="slug-error"' in r.text and await _count(db) == before
    second = await _create(client, signed_in, title="Three", content="Three.")
    csrf, version = await _edit_form(client, second)
    r = await client.post(
        f"/dashboard/posts/{second}/edit",
        data=form(csrf, version=version, title="Three, renamed", content="Changed.", slug="taken"),
    )
    assert r.status_code == 409 and "Three, renamed" in r.text
    row = await db.fetchrow(
        "SELECT e.slug, t.title FROM entries e JOIN entry_translations t ON t.entry_id = e.id "
        "WHERE e.id = $1", second)  # fmt: skip
    assert (row["slug"], row["title"]) == ("three", "Three")
    assert first != second


async def test_422_unknown_language(client, signed_in, db):
    entry_id = await _create(client, signed_in, title="Lang", content="Body.")
    r = await client.get(f"/dashboard/posts/{entry_id}/edit?lang=not a language")
    assert r.status_code == 422 and 'id="language-error"' in r.text
    csrf, version = await _edit_form(client, entry_id)
    r = await client.post(f"/dashboard/posts/{entry_id}/edit?lang=xx-!!", data=form(
        csrf, version=version, title="T", content="B.", language="xx-!!"))  # fmt: skip
    assert r.status_code == 422 and 'id="language-error"' in r.text
    assert await db.fetchval(
        "SELECT count(*) FROM entry_translations WHERE entry_id = $1", entry_id) == 1  # fmt: skip


async def test_200_new_entry_form_for_one_blog(client, signed_in, owner, db):
    page = await client.get("/dashboard/new")
    assert page.status_code == 200 and 'id="editor"' in page.text
    assert 'enctype="multipart/form-data"' in page.text and '<div id="preview"' in page.text
    assert 'name="channel"' in page.text and '<select id="channel"' not in page.text


async def test_200_moderation_shows_the_waiting_revision_beside_the_live_one(
    client, signed_in, owner, db
):
    await db.execute("UPDATE authors SET moderation = 'manual' WHERE id = $1", owner.author_id)
    entry_id = await _create(client, signed_in, title="Live", content="Live words.",
                             slug="live", action="publish")  # fmt: skip
    r = await client.post(f"/dashboard/moderation/{entry_id}/approve", data={"csrf": signed_in})
    assert r.status_code == 303
    csrf, version = await _edit_form(client, entry_id)
    r = await client.post(f"/dashboard/posts/{entry_id}/edit", data=form(
        csrf, version=version, title="Live", content="Proposed words.", slug="live"))  # fmt: skip
    assert r.status_code == 303
    queue = await client.get("/dashboard/moderation")
    assert f'/dashboard/entries/{entry_id}#revisions">compare' in queue.text
    side = await client.get(f"/dashboard/entries/{entry_id}")
    assert "Live words." in side.text and "Proposed words." in side.text
    assert (await client.get("/ada/live")).text.count("Proposed words.") == 0


async def test_303_image_without_javascript_goes_into_the_body(client, signed_in, db):
    files = {"images": ("cat.jpg", jpeg(), "image/jpeg")}
    data = form(signed_in, title="With a cat", content="Look:", images_alt="A grey cat",
                action="publish")  # fmt: skip
    r = await client.post("/dashboard/new", data=data, files=files)
    assert r.status_code == 303, r.text
    body = await db.fetchval(
        "SELECT body_source FROM entry_translations WHERE title = 'With a cat'"
    )
    assert body.startswith("Look:\n\n![A grey cat](http://hub.test/storage/")
    shown = await client.get("/ada/with-a-cat")
    assert 'alt="A grey cat"' in shown.text


async def test_303_photo_post_keeps_its_photos_with_alt(client, signed_in, owner, db):
    files = {"images": ("cat.jpg", jpeg(), "image/jpeg")}
    data = form(signed_in, content="", images_alt="A grey cat", images_as="photos",
                action="publish", slug="cat")  # fmt: skip
    r = await client.post("/dashboard/new", data=data, files=files)
    assert r.status_code == 303, r.text
    assert await db.fetchval("SELECT kind FROM entries WHERE slug = 'cat'") == "photo"
    token = bearer(await make_credential(db, owner.author_id, kind="app_token"))
    source = await client.get(MP, params={"q": "source", "url": "http://hub.test/ada/cat"},
                              headers=token)  # fmt: skip
    photo = source.json()["properties"]["photo"][0]
    assert photo["alt"] == "A grey cat" and photo["value"].startswith("http://hub.test/storage/")


async def test_4xx_text_file_as_image_answered_on_the_field(client, signed_in, db):
    before = (await _count(db), await db.fetchval("SELECT count(*) FROM media"))
    files = {"images": ("notes.txt", b"just words", "text/plain")}
    data = form(signed_in, title="Bad", content="Body.", images_alt="Words")
    r = await client.post("/dashboard/new", data=data, files=files)
    assert r.status_code == 422 and "notes.txt" in r.text and "Body." in r.text
    assert (await _count(db), await db.fetchval("SELECT count(*) FROM media")) == before


async def test_303_a_long_body_in_the_multipart_form_is_saved_whole(client, signed_in, db):
    """The browser sends the editor as multipart/form-data: a body over Starlette's default
    1 MiB per text field is still saved, whole (up to the form limit)."""
    body = ("A long paragraph of words. " * 40 + "\n\n") * 1400  # about 1.5 MB
    fields = form(signed_in, title="Long", content=body)
    empty_file = {"images": ("", b"", "application/octet-stream")}
    r = await client.post("/dashboard/new", data=fields, files=empty_file)
    assert r.status_code == 303, r.text[:500]
    stored = await db.fetchval("SELECT body_source FROM entry_translations")
    assert len(stored) >= len(body.strip()) - 10


async def test_400_a_nul_in_any_dashboard_form_writes_nothing(client, signed_in, db):
    """PostgreSQL text cannot hold a NUL: every dashboard form refuses it on the page."""
    before = await _count(db)
    r = await client.post("/dashboard/new", data=form(signed_in, title="a\x00b", content="Hi."))
    assert r.status_code == 400 and "U+0000" in r.text
    assert await _count(db) == before
    r = await client.post(
        "/dashboard/profile", data={"csrf": signed_in, "name": "Ada\x00", "note": ""}
    )
    assert r.status_code == 400
