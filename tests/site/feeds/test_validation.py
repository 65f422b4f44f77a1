"""The three feeds of one channel checked by outside validators (issue 16): feedparser without
bozo (RSS and Atom; the installed feedparser 6 has no JSON Feed parser), the Atom RELAX NG
schema of RFC 4287 appendix B (lxml), the JSON Feed 1.1 schema (jsonschema), and the RSS
<image> opened by pyvips. The channel holds an untitled note made through Micropub with
control characters in its text, an article with `&` and `<` in its title, a reply, a like, a
PNG cover and a JPEG avatar uploaded through the v1 API."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
import pyvips
from lxml import etree

from hub.core.media.jobs import make_feed_renditions
from tests.factories import make_credential
from tests.images import jpeg, png_alpha
from tests.site.feeds.test_endpoints import validate_json_feed
from tests.site.public.fixtures import BASE, public_article, public_insert_entry, public_publish

ATOM_SCHEMA = etree.RelaxNG(
    etree.parse(str(Path(__file__).resolve().parents[2] / "schemas" / "atom-rfc4287.rng"))
)
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
NOTE = "Bell\x07 rings, DEL\x7f and NEL\x85 and \ufffe gone: " + "many words follow here " * 6
TITLE = "Fish & <Chips> at Joe's"


def _upload(image: bytes, name: str, purpose: str) -> dict:
    return {"files": {"image": (name, image, "application/octet-stream")},
            "data": {"purpose": purpose}}  # fmt: skip


async def _seed(client, blog, db) -> None:
    media = f"/api/v1/channels/{blog.channel}/media"
    for image, name, purpose in [(jpeg(300, 200), "me.jpg", "channel_avatar"),
                                 (png_alpha(400, 200), "cover.png", "channel_cover")]:  # fmt: skip
        r = await client.post(media, headers=blog.headers, **_upload(image, name, purpose))
        assert r.status_code == 201, r.text
    await public_publish(client, blog, public_article("fish", title=TITLE, tags=["Food & Drink"]))
    token = await make_credential(db, blog.author_id, kind="app_token", scopes=["create"])
    r = await client.post(
        "/micropub",
        json={"type": ["h-entry"], "properties": {"content": [NOTE], "mp-slug": ["bell"]}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code in (201, 202), r.text
    await public_insert_entry(
        db, blog, "a-reply", kind="reply", content_html="<p>Agreed &amp; more.</p>",
        properties={"in-reply-to": ["https://b.example/post"]},
    )  # fmt: skip
    await public_insert_entry(
        db, blog, "a-like", kind="like", content_html="",
        properties={"like-of": [{"type": ["h-cite"], "properties": {
            "url": ["https://b.example/liked"], "name": ["A liked post"]}}]},
    )  # fmt: skip


def _parsed(response, version: str):
    parsed = feedparser.parse(
        response.content, response_headers={"content-type": response.headers["content-type"]}
    )
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == version
    return parsed


def _by_slug(entries) -> dict[str, dict]:
    return {re.sub(r"\?.*$", "", e.link).rsplit("/", 1)[1]: e for e in entries}


async def _image(client, url: str) -> pyvips.Image:
    assert url.startswith(BASE)
    r = await client.get(url.removeprefix(BASE))
    assert r.status_code == 200
    return pyvips.Image.new_from_buffer(r.content, "")


async def test_200_rss_is_clean_with_numeric_references_and_a_jpeg_image(client, public_blog, db):
    await _seed(client, public_blog, db)
    r = await client.get("/ada_blog/rss.xml")
    assert r.status_code == 200
    assert not CONTROLS.search(r.text)
    # RSS Best Practices Profile: numeric character references, never the named ones
    assert "<title>Fish &#38; &#60;Chips&#62; at Joe's</title>" in r.text
    assert "<category>Food &#38; Drink</category>" in r.text
    assert "&amp;" not in r.text and "&lt;" not in r.text and "&gt;" not in r.text
    parsed = _parsed(r, "rss20")
    entries = _by_slug(parsed.entries)
    assert entries["fish"].title == TITLE
    assert not entries["bell"].get("title") and not entries["a-like"].get("title")
    assert "Bell rings, DEL and NEL and  gone" in entries["bell"].description
    image_url = parsed.feed.image.href
    assert re.search(r"/channel/me-[a-z0-9]{6}\.jpg$", image_url)
    image = await _image(client, image_url)
    assert image.get("vips-loader").startswith("jpegload")
    assert (image.width, image.height) == (512, 512)


async def test_200_atom_validates_against_rfc4287_and_titles_notes(client, public_blog, db):
    await _seed(client, public_blog, db)
    r = await client.get("/ada_blog/atom.xml")
    assert r.status_code == 200
    assert not CONTROLS.search(r.text)
    document = etree.fromstring(r.content)
    assert ATOM_SCHEMA.validate(document), ATOM_SCHEMA.error_log
    parsed = _parsed(r, "atom10")
    entries = _by_slug(parsed.entries)
    assert entries["fish"].title == TITLE
    note_title = entries["bell"].title
    assert note_title.startswith("Bell rings, DEL and NEL and gone: many words follow")
    assert note_title.endswith("…") and len(note_title) <= 71
    plain = " ".join(("Bell rings, DEL and NEL and gone: " + "many words follow here " * 6).split())
    cut = note_title.removesuffix("…")
    assert plain.startswith(cut) and plain[len(cut)] == " "  # cut at a word
    assert entries["a-like"].title == "Liked A liked post"
    assert entries["a-reply"].title == "Agreed & more."
    assert re.search(r"/channel/me-[a-z0-9]{6}\.jpg$", parsed.feed.icon)
    assert re.search(r"/channel/cover-[a-z0-9]{6}\.png$", parsed.feed.logo)
    logo = await _image(client, parsed.feed.logo)
    assert logo.get("vips-loader").startswith("pngload") and logo.hasalpha()


async def test_200_json_feed_validates_and_carries_no_control_character(client, public_blog, db):
    await _seed(client, public_blog, db)
    r = await client.get("/ada_blog/feed.json")
    assert r.status_code == 200
    body = r.json()
    validate_json_feed(body)
    assert not CONTROLS.search(r.text)  # raw and escaped (\u0007) alike
    assert "\\u00" not in r.text
    items = {i["url"].rsplit("/", 1)[1].split("?")[0]: i for i in body["items"]}
    assert items["fish"]["title"] == TITLE
    assert "title" not in items["bell"] and "Bell rings" in items["bell"]["content_html"]
    assert body["icon"] == body["favicon"] == body["authors"][0]["avatar"]
    assert body["icon"].endswith(".jpg")


async def test_stored_text_is_cleaned_on_input(client, public_blog, db):
    await _seed(client, public_blog, db)
    row = await db.fetchrow(
        "SELECT t.title, t.body_source, t.content_html FROM entry_translations t"
        " JOIN entries e ON e.id = t.entry_id WHERE e.slug = 'bell'"
    )
    assert row["body_source"].startswith("Bell rings, DEL and NEL and  gone")
    assert not any(CONTROLS.search(value or "") for value in row.values())


async def test_an_avatar_stored_before_renditions_gets_one_from_the_job(
    client, public_blog, db, resources
):
    await _seed(client, public_blog, db)
    await db.execute("UPDATE media SET feed_path = NULL")  # as stored before migration 0015
    r = await client.get("/ada_blog/rss.xml")
    assert "<image>" not in r.text  # never a WebP, and nothing converted on a feed request
    atom = _parsed(await client.get("/ada_blog/atom.xml"), "atom10")
    assert atom.feed.icon.endswith(".webp")
    assert await make_feed_renditions({"resources": resources}) == 2
    assert await make_feed_renditions({"resources": resources}) == 0
    parsed = _parsed(await client.get("/ada_blog/rss.xml"), "rss20")
    image = await _image(client, parsed.feed.image.href)
    assert image.get("vips-loader").startswith("jpegload")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("<p>Short   note\nwith <b>markup</b>.</p>", "Short note with markup."),
        ("<p>" + "word " * 30 + "</p>", ("word " * 14).strip() + "…"),
        ("<p><img src='https://x.example/a.jpg' alt=''></p>", "Photo"),
    ],
)
def test_atom_title_of_an_untitled_note(text, title):
    from datetime import UTC, datetime

    from hub.site.feeds.render import FeedItem, atom_title

    now = datetime(2026, 1, 1, tzinfo=UTC)
    item = FeedItem(id="x", url="x", title="", content_html=text, summary=None,
                    published=now, modified=now, language="en")  # fmt: skip
    assert atom_title(item) == title
