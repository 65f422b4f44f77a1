"""The owner's profile in the dashboard: name, photo, note, rel=me links and e-mail, shown by
the public h-card and rel=me links, the feeds' author and the IndieAuth profile; bad input
answered on the page with the field to fix and nothing written."""

from __future__ import annotations

import re

import feedparser
import mf2py

from tests.images import jpeg
from tests.site.auth_fixtures import (  # noqa: F401 - fixtures
    Flow,
    client_app,
    code_for,
    owner,
    redeem,
    signed_in,
)

PROFILE = {
    "name": "Ada Lovelace",
    "email": "ada@engine.example",
    "note": "Writes about the Analytical Engine.",
    "rel_me": "https://social.example/@ada\r\n\r\nhttps://code.example/ada\r\n",
}


def _author_card(html: str) -> dict:
    """The h-feed's author h-card on a channel home."""
    items = mf2py.parse(doc=html, url="http://hub.test/ada")["items"]
    feed = next(i for i in items if "h-feed" in i["type"])
    return feed["properties"]["author"][0]


def _invalid(html: str, field: str) -> bool:
    tag = re.search(rf'<(?:input|textarea)[^>]*\bid="{field}"[^>]*>', html)
    return bool(tag) and 'aria-invalid="true"' in tag.group(0) and f"{field}-error" in tag.group(0)


async def test_303_profile_shows_on_the_h_card_rel_me_and_the_feeds(client, signed_in, db):
    page = await client.get("/dashboard/profile")
    assert page.status_code == 200 and 'value="Ada"' in page.text
    before = await client.get("/ada")
    r = await client.post("/dashboard/profile", data={"csrf": signed_in, **PROFILE})
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/profile?saved=1"
    saved = await client.get(r.headers["location"])
    assert "Saved." in saved.text and "https://social.example/@ada\nhttps://code.example/ada" in (
        saved.text
    )
    home = await client.get("/ada")
    assert home.headers["etag"] != before.headers["etag"]
    card = _author_card(home.text)["properties"]
    assert card["name"] == ["Ada Lovelace"]
    assert card["note"] == ["Writes about the Analytical Engine."]
    rels = mf2py.parse(doc=home.text, url="http://hub.test/ada")["rels"]
    assert rels["me"][:2] == ["https://social.example/@ada", "https://code.example/ada"]
    atom = feedparser.parse((await client.get("/ada/atom.xml")).content)
    assert atom.feed.author == "Ada Lovelace"
    json_feed = (await client.get("/ada/feed.json")).json()
    assert json_feed["authors"][0]["name"] == "Ada Lovelace"
    assert "Ada Lovelace" in (await client.get("/dashboard")).text  # the signed-in name


async def test_200_indieauth_profile_has_the_new_name_photo_and_email(
    client, signed_in, client_app, db
):
    r = await client.post(
        "/dashboard/profile",
        data={"csrf": signed_in, **PROFILE},
        files={"photo": ("ada.jpg", jpeg(900, 600), "image/jpeg")},
    )
    assert r.status_code == 303, r.text
    photo = await db.fetchrow(
        "SELECT m.path, m.width, m.height, m.purpose FROM authors a"
        " JOIN media m ON m.id = a.photo_media_id"
    )
    assert (photo["width"], photo["height"], photo["purpose"]) == (512, 512, "author_photo")
    flow = Flow(client_app.json_id, client_app.redirect_uri, scope="create profile email")
    token = await redeem(client, flow, await code_for(client, flow))
    assert token.status_code == 200, token.text
    assert token.json()["profile"] == {
        "name": "Ada Lovelace",
        "url": "http://hub.test/ada",
        "photo": f"http://hub.test/storage/{photo['path']}",
        "email": "ada@engine.example",
    }
    author = _author_card((await client.get("/ada")).text)["properties"]
    assert author["photo"][0] == f"http://hub.test/storage/{photo['path']}" or (
        author["photo"][0]["value"] == f"http://hub.test/storage/{photo['path']}"
    )
    assert (await client.get(f"/storage/{photo['path']}")).status_code == 200


async def test_422_bad_fields_are_answered_on_the_form_and_nothing_is_written(
    client, signed_in, db
):
    cases = [
        ({"rel_me": "javascript:alert(1)"}, "rel_me", "not an http or https URL"),
        ({"rel_me": "https://ok.example/\nftp://files.example/"}, "rel_me", "ftp://"),
        ({"name": "  "}, "name", "1 to 200"),
        ({"email": "not-an-address"}, "email", "e-mail address"),
        ({"note": "n" * 2001}, "note", "2000"),
    ]
    for fields, field, message in cases:
        r = await client.post("/dashboard/profile",
                              data={"csrf": signed_in, **PROFILE, **fields})  # fmt: skip
        assert r.status_code == 422, fields
        assert message in r.text and _invalid(r.text, field), fields
    r = await client.post(
        "/dashboard/profile",
        data={"csrf": signed_in, **PROFILE},
        files={"photo": ("me.jpg", b"this is not a picture" * 10, "image/jpeg")},
    )
    assert r.status_code == 422 and _invalid(r.text, "photo")
    row = await db.fetchrow("SELECT name, note, rel_me, photo_media_id FROM authors")
    assert tuple(row) == ("Ada", None, [], None)
    assert await db.fetchval("SELECT count(*) FROM media") == 0


async def test_403_without_the_csrf_token_nothing_changes(client, signed_in, db):
    r = await client.post("/dashboard/profile", data={"csrf": "forged", **PROFILE})
    assert r.status_code == 403
    assert await db.fetchval("SELECT name FROM authors") == "Ada"


async def test_303_without_a_session_the_profile_goes_to_login(client, owner, db):
    r = await client.get("/dashboard/profile")
    assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/login?next=")
    r = await client.post("/dashboard/profile", data={"csrf": "x", **PROFILE})
    assert r.status_code == 303 and await db.fetchval("SELECT name FROM authors") == "Ada"
