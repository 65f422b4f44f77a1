"""The owner's blog settings in the dashboard: create a blog and see it at its address; edit
title, description, language, status, avatar, cover and domain and see the pages and feeds
change; bad input answered on the page with the field to fix and nothing written."""

from __future__ import annotations

import re

import feedparser
import mf2py

from tests.factories import make_author
from tests.images import flat, png_alpha
from tests.site.auth_fixtures import csrf_of, owner, signed_in  # noqa: F401 - fixtures


async def _ada_id(db) -> int:
    return await db.fetchval("SELECT id FROM channels WHERE slug = 'ada'")


def _form(csrf: str, **fields: str) -> dict[str, str]:
    base = {"csrf": csrf, "title": "Ada's notes", "description": "", "default_language": "en",
            "status": "published"}  # fmt: skip
    return {**base, **fields}


def _invalid(html: str, field: str) -> bool:
    """The field is marked invalid and described by its error message."""
    tag = re.search(rf'<(?:input|textarea|fieldset)[^>]*\bid="{field}"[^>]*>', html)
    return (
        bool(tag)
        and 'aria-invalid="true"' in tag.group(0)
        and (f'aria-describedby="{field}-error' in tag.group(0) and f'id="{field}-error"' in html)
    )


async def test_303_create_a_blog_and_see_it_at_its_address(client, signed_in, db):
    form = await client.get("/dashboard/channels/new")
    assert form.status_code == 200 and '<label for="slug">' in form.text
    r = await client.post("/dashboard/channels/new", data=_form(
        signed_in, title="Garden notes", slug="garden", description="Seeds and weeds.",
        default_language="de"))  # fmt: skip
    assert r.status_code == 303
    channel_id = await db.fetchval("SELECT id FROM channels WHERE slug = 'garden'")
    assert r.headers["location"] == f"/dashboard/channels/{channel_id}?created=1"
    assert "Created the blog garden" in (await client.get(r.headers["location"])).text
    home = await client.get("/garden")
    assert home.status_code == 200
    assert "Garden notes" in home.text and "Seeds and weeds." in home.text
    assert 'lang="de"' in home.text
    listed = await client.get("/dashboard/channels")
    assert f'href="/dashboard/channels/{channel_id}"' in listed.text
    assert "http://hub.test/garden" in listed.text


async def test_303_a_slug_is_made_from_the_title_and_a_draft_blog_is_not_public(
    client, signed_in, db
):
    data = _form(signed_in, title="Winter Car Care", status="draft")
    r = await client.post("/dashboard/channels/new", data=data)
    assert r.status_code == 303
    assert await db.fetchval("SELECT status FROM channels WHERE slug = 'winter_car_care'") == (
        "draft"
    )
    assert (await client.get("/winter_car_care")).status_code == 404


async def test_409_a_taken_slug_is_answered_on_the_form_and_nothing_is_written(
    client, signed_in, db
):
    r = await client.post("/dashboard/channels/new", data=_form(signed_in, slug="ada"))
    assert r.status_code == 409
    assert "The slug has already been taken." in r.text and _invalid(r.text, "slug")
    assert 'value="Ada&#39;s notes"' in r.text  # what was typed stays
    assert await db.fetchval("SELECT count(*) FROM channels") == 1


async def test_422_bad_fields_are_answered_on_the_form_and_nothing_is_written(
    client, signed_in, db
):
    cases = [
        ({"slug": "api"}, "slug", "reserved"),
        ({"slug": "Not a slug!"}, "slug", "may contain only"),
        ({"default_language": "klingon-please"}, "default_language", "language code"),
        ({"title": "   "}, "title", "1 to 200"),
        ({"description": "x" * 1001}, "description", "1000"),
        ({"status": "secret"}, "status", "published or draft"),
    ]
    for fields, field, message in cases:
        r = await client.post("/dashboard/channels/new", data=_form(signed_in, **fields))
        assert r.status_code == 422, fields
        assert message in r.text and _invalid(r.text, field), fields
    assert await db.fetchval("SELECT count(*) FROM channels") == 1


async def test_303_edit_title_and_description_changes_the_page_and_the_atom_feed(
    client, signed_in, db
):
    channel_id = await _ada_id(db)
    before = await client.get("/ada")
    feed_before = await client.get("/ada/atom.xml")
    form = await client.get(f"/dashboard/channels/{channel_id}")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    data = _form(signed_in, title="Notes from the Engine", description="On the Analytical Engine.")
    r = await client.post(f"/dashboard/channels/{channel_id}", data=data)
    assert r.status_code == 303
    assert r.headers["location"] == f"/dashboard/channels/{channel_id}?saved=1"
    after = await client.get("/ada")
    assert after.headers["etag"] != before.headers["etag"]
    card = next(
        i for i in mf2py.parse(doc=after.text, url="http://hub.test/ada")["items"]
        if "h-card" in i["type"]
    )  # fmt: skip
    assert card["properties"]["name"] == ["Notes from the Engine"]
    assert card["properties"]["note"] == ["On the Analytical Engine."]
    feed = await client.get("/ada/atom.xml", headers={"If-None-Match": feed_before.headers["etag"]})
    assert feed.status_code == 200
    parsed = feedparser.parse(feed.content)
    assert parsed.feed.title == "Notes from the Engine"
    assert parsed.feed.subtitle == "On the Analytical Engine."


async def test_303_an_uploaded_avatar_is_in_the_h_card_and_the_rss_image(client, signed_in, db):
    channel_id = await _ada_id(db)
    r = await client.post(
        f"/dashboard/channels/{channel_id}",
        data=_form(signed_in),
        files={"avatar": ("me.png", png_alpha(300, 200), "image/png"),
               "cover": ("", b"", "application/octet-stream")},  # an input left empty
    )  # fmt: skip
    assert r.status_code == 303, r.text
    avatar = await db.fetchrow(
        "SELECT m.path, m.feed_path, m.width, m.height FROM channels c"
        " JOIN media m ON m.id = c.avatar_media_id WHERE c.id = $1", channel_id)  # fmt: skip
    assert (avatar["width"], avatar["height"]) == (512, 512)
    cover = await db.fetchval("SELECT cover_media_id FROM channels WHERE id = $1", channel_id)
    assert cover is None
    home = await client.get("/ada")
    card = next(
        i for i in mf2py.parse(doc=home.text, url="http://hub.test/ada")["items"]
        if "h-card" in i["type"]
    )  # fmt: skip
    photo = card["properties"]["photo"][0]
    src = photo["value"] if isinstance(photo, dict) else photo
    assert src.endswith(avatar["path"])
    image = await client.get(src.removeprefix("http://hub.test"))
    assert image.status_code == 200 and image.headers["content-type"] == "image/webp"
    rss = feedparser.parse((await client.get("/ada/rss.xml")).content)
    assert rss.feed.image.href.endswith(avatar["feed_path"]) and avatar["feed_path"].endswith(
        ".png"
    )
    page = await client.get(f"/dashboard/channels/{channel_id}")
    assert avatar["path"] in page.text  # the current avatar is shown


async def test_422_a_text_file_as_avatar_is_refused_and_nothing_is_written(client, signed_in, db):
    channel_id = await _ada_id(db)
    r = await client.post(
        f"/dashboard/channels/{channel_id}",
        data=_form(signed_in, title="Changed title"),
        files={"avatar": ("notes.txt", b"just some text\n" * 20, "text/plain"),
               "cover": ("cover.jpg", flat("jpeg", 64, 32), "image/jpeg")},
    )  # fmt: skip
    assert r.status_code == 422
    assert "The image could not be read" in r.text and _invalid(r.text, "avatar")
    assert not _invalid(r.text, "cover")
    assert await db.fetchval("SELECT count(*) FROM media") == 0
    row = await db.fetchrow("SELECT avatar_media_id, cover_media_id FROM channels WHERE id = $1",
                            channel_id)  # fmt: skip
    assert tuple(row) == (None, None)
    assert "Changed title" not in (await client.get("/ada")).text


async def test_413_an_oversize_cover_is_answered_on_the_form(client, signed_in, db, settings):
    channel_id = await _ada_id(db)
    big = png_alpha(8, 8) + b"\0" * settings.max_upload_bytes
    r = await client.post(f"/dashboard/channels/{channel_id}", data=_form(signed_in),
                          files={"cover": ("big.png", big, "image/png")})  # fmt: skip
    assert r.status_code == 413
    assert "may not be larger than 10 MiB" in r.text and _invalid(r.text, "cover")
    assert await db.fetchval("SELECT count(*) FROM media") == 0


async def test_403_without_the_csrf_token_nothing_changes(client, signed_in, db):
    channel_id = await _ada_id(db)
    r = await client.post(f"/dashboard/channels/{channel_id}",
                          data={**_form(signed_in, title="Hijacked"), "csrf": "wrong"})  # fmt: skip
    assert r.status_code == 403
    r = await client.post("/dashboard/channels/new", data=_form("", slug="forged"))
    assert r.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM channels") == 1
    assert "Hijacked" not in (await client.get("/ada")).text


async def test_303_without_a_session_every_page_goes_to_login(client, owner, db):
    channel_id = await _ada_id(db)
    for path in ("/dashboard/channels", "/dashboard/channels/new",
                 f"/dashboard/channels/{channel_id}"):  # fmt: skip
        r = await client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/login?next=")
    r = await client.post("/dashboard/channels/new", data={"csrf": "x", "title": "Sneaky"})
    assert r.status_code == 303 and await db.fetchval("SELECT count(*) FROM channels") == 1


async def test_404_another_authors_blog_is_listed_but_not_editable(client, signed_in, db):
    other = await make_author(db, "Grace", channel_slug="grace")
    listed = await client.get("/dashboard/channels")
    assert "http://hub.test/grace" in listed.text and "Grace" in listed.text
    assert f'href="/dashboard/channels/{other.channel_id}"' not in listed.text
    assert (await client.get(f"/dashboard/channels/{other.channel_id}")).status_code == 404
    r = await client.post(f"/dashboard/channels/{other.channel_id}",
                          data=_form(signed_in, title="Taken over"))  # fmt: skip
    assert r.status_code == 404
    assert "Taken over" not in (await client.get("/grace")).text


async def test_303_the_custom_domain_form_is_on_the_blog_page(client, signed_in, db):
    channel_id = await _ada_id(db)
    page = await client.get(f"/dashboard/channels/{channel_id}")
    assert f'action="/dashboard/channels/{channel_id}/domain"' in page.text
    path = f"/dashboard/channels/{channel_id}/domain"
    r = await client.post(path, data={"csrf": signed_in, "domain": "hub.test", "back": "channel"})
    assert r.status_code == 303
    assert r.headers["location"].startswith(f"/dashboard/channels/{channel_id}?error=")
    shown = await client.get(r.headers["location"])
    assert "this node&#39;s own name" in shown.text
    assert 'aria-invalid="true"' in shown.text
    r = await client.post(path, data={"csrf": signed_in, "domain": "ada.example",
                                      "back": "channel"})  # fmt: skip
    assert r.headers["location"] == f"/dashboard/channels/{channel_id}?domain_saved=1#domain"
    page = await client.get(r.headers["location"])
    assert 'value="ada.example"' in page.text and "Saved the domain." in page.text
    assert (await client.get("/ada")).headers["location"] == "https://ada.example/"
