"""Feeds: RSS 2.0 and Atom 1.0 parsed by feedparser without bozo, JSON Feed 1.1 validated
against its schema, scopes (channel, language, tag), content, caching, WebSub links
(webmention-site-feeds §4)."""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import httpx
import jsonschema
import pytest

from hub.app import create_app
from tests.site.public.fixtures import (
    BASE,
    public_article,
    public_insert_entry,
    public_publish,
)

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "jsonfeed-1.1.schema.json").read_text()
)
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")
FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time")
def _date_time(value: object) -> bool:
    if not isinstance(value, str) or not RFC3339.match(value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@FORMATS.checks("uri")
def _uri(value: object) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme in ("http", "https") and parts.netloc)


def validate_json_feed(body: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=FORMATS).validate(body)


def parse_xml_feed(response, version: str):
    ET.fromstring(response.content)  # well-formed XML
    parsed = feedparser.parse(
        response.content, response_headers={"content-type": response.headers["content-type"]}
    )
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == version
    return parsed


async def seed(client, blog, db) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    await public_publish(client, blog, public_article(
        "bilingual", tags=["Travel", "Food"],
        extra_translations=[{"language": "fr", "title": "Billet", "content_markdown": "Texte."}],
    ))  # fmt: skip
    await public_insert_entry(
        db, blog, "a-like", kind="like", content_html="",
        properties={"like-of": [{"type": ["h-cite"], "properties": {
            "url": ["https://b.example/liked"], "name": ["A liked post"]}}]},
        published_at=start,
    )  # fmt: skip
    await public_insert_entry(
        db, blog, "a-note", content_html="<p>Note with a <a href='/x'>relative link</a>.</p>",
        tags=["travel"], published_at=start + timedelta(days=1),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("path", "version", "media_type"),
    [
        ("/ada_blog/rss.xml", "rss20", "application/rss+xml; charset=utf-8"),
        ("/ada_blog/atom.xml", "atom10", "application/atom+xml; charset=utf-8"),
    ],
)
async def test_200_xml_feeds_parse_without_bozo(client, public_blog, db, path, version, media_type):
    await seed(client, public_blog, db)
    r = await client.get(path)
    assert r.status_code == 200 and r.headers["content-type"] == media_type
    assert r.headers["cache-control"] == "public, max-age=300"
    assert r.headers["link"] == f'<{BASE}/api/webmentions>; rel="webmention"'
    assert r.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    parsed = parse_xml_feed(r, version)
    assert parsed.feed.title == "Ada"
    assert {link.rel: link.href for link in parsed.feed.links}["self"] == BASE + path
    rows = await db.fetch(
        "SELECT slug, published_at FROM entries ORDER BY published_at DESC, id DESC"
    )
    assert [e.id for e in parsed.entries] == [f"{BASE}/ada_blog/{r['slug']}" for r in rows]
    assert [e.link for e in parsed.entries] == [e.id for e in parsed.entries]
    for entry, row in zip(parsed.entries, rows, strict=True):
        assert datetime(*entry.published_parsed[:6], tzinfo=UTC) == row["published_at"].replace(
            microsecond=0
        )
    article, note, like = parsed.entries
    assert article.title == "Agent post"
    assert [t.term for t in article.tags] == ["Travel", "Food"]
    assert f'href="{BASE}/docs/page"' in article.content[0].value
    assert f'href="{BASE}/x"' in note.content[0].value
    assert 'Liked <a href="https://b.example/liked">A liked post</a>' in like.content[0].value
    if version == "rss20":  # RSS leaves a note untitled; Atom titles it from its text (issue 16)
        assert not note.get("title") and not like.get("title")
    else:
        assert note.title == "Note with a relative link."
        assert like.title == "Liked A liked post"


async def test_200_json_feed_is_valid_1_1(client, public_blog, db):
    await seed(client, public_blog, db)
    r = await client.get("/ada_blog/feed.json")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/feed+json; charset=utf-8"
    body = r.json()
    validate_json_feed(body)
    assert body["version"] == "https://jsonfeed.org/version/1.1"
    assert body["feed_url"] == f"{BASE}/ada_blog/feed.json"
    assert (await client.get(body["home_page_url"])).status_code == 200
    assert body["authors"] == [{"name": "Ada", "url": f"{BASE}/ada_blog"}]
    article, note, like = body["items"]
    assert article["id"] == article["url"] == f"{BASE}/ada_blog/bilingual"
    assert article["title"] == "Agent post" and article["summary"] == "A separate teaser."
    assert article["date_published"].endswith("+00:00") and article["language"] == "en"
    assert "title" not in note and note["tags"] == ["travel"]
    assert like["external_url"] == "https://b.example/liked"
    assert "Liked" in like["content_html"]
    assert all("content_text" not in item and "author" not in item for item in body["items"])


async def test_200_language_and_tag_scopes(client, public_blog, db):
    await seed(client, public_blog, db)
    fr = (await client.get("/ada_blog/feed.json?lang=fr")).json()
    validate_json_feed(fr)
    assert fr["feed_url"] == f"{BASE}/ada_blog/feed.json?lang=fr" and fr["language"] == "fr"
    assert [i["id"] for i in fr["items"]] == [f"{BASE}/ada_blog/bilingual?lang=fr"]
    assert fr["items"][0]["title"] == "Billet"
    tag = (await client.get("/ada_blog/tags/TRAVEL/feed.json")).json()
    validate_json_feed(tag)
    assert tag["title"] == "#Travel — Ada"
    assert {i["id"] for i in tag["items"]} == {
        f"{BASE}/ada_blog/bilingual",
        f"{BASE}/ada_blog/a-note",
    }
    atom = parse_xml_feed(await client.get("/ada_blog/tags/travel/atom.xml?lang=fr"), "atom10")
    assert [e.id for e in atom.entries] == [f"{BASE}/ada_blog/bilingual?lang=fr"]
    rss = parse_xml_feed(await client.get("/ada_blog/rss.xml?lang=fr"), "rss20")
    assert rss.feed.language == "fr"
    assert {link.rel: link.href for link in rss.feed.links}["self"] == (
        f"{BASE}/ada_blog/rss.xml?lang=fr"
    )


async def test_404_unknown_scope(client, public_blog, db):
    await seed(client, public_blog, db)
    for path in (
        "/ada_blog/rss.xml?lang=de",
        "/ada_blog/rss.xml?lang=!!",
        "/ada_blog/tags/nothing/atom.xml",
        "/nobody/feed.json",
        "/ada_blog/tags/travel/other.xml",
    ):
        assert (await client.get(path)).status_code == 404, path


async def test_200_empty_channel_feeds_are_valid(client, public_blog):
    parse_xml_feed(await client.get("/ada_blog/rss.xml"), "rss20")
    parse_xml_feed(await client.get("/ada_blog/atom.xml"), "atom10")
    body = (await client.get("/ada_blog/feed.json")).json()
    validate_json_feed(body)
    assert body["items"] == []


async def test_200_hostile_and_control_characters_stay_safe(client, public_blog, db):
    await public_insert_entry(
        db, public_blog, "hostile", kind="article", title="Bad \x01\x0b title & <b>",
        content_html='<p>x<script>alert(1)</script><a href="javascript:alert(2)">j</a>'
                     '<img src="a.png" onerror="alert(3)">\x08</p>',
    )  # fmt: skip
    for path, version in (("/ada_blog/rss.xml", "rss20"), ("/ada_blog/atom.xml", "atom10")):
        parsed = parse_xml_feed(await client.get(path), version)
        [entry] = parsed.entries
        assert entry.title == "Bad  title & <b>"
        html = entry.content[0].value
        assert "<script" not in html and "javascript:" not in html and "onerror" not in html
        assert f'src="{BASE}/ada_blog/a.png"' in html
    body = (await client.get("/ada_blog/feed.json")).json()
    validate_json_feed(body)
    assert "<script" not in body["items"][0]["content_html"]


async def test_304_feeds(client, public_blog, db):
    await seed(client, public_blog, db)
    r = await client.get("/ada_blog/atom.xml")
    again = await client.get("/ada_blog/atom.xml", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["cache-control"] == "public, max-age=300"
    since = await client.get(
        "/ada_blog/feed.json",
        headers={"If-Modified-Since": (await client.get("/ada_blog/feed.json")).headers[
            "last-modified"]},
    )  # fmt: skip
    assert since.status_code == 304
    await public_insert_entry(db, public_blog, "newer")
    fresh = await client.get("/ada_blog/atom.xml", headers={"If-None-Match": r.headers["etag"]})
    assert fresh.status_code == 200 and "newer" in fresh.text


async def test_200_feed_items_setting_limits_items(client, public_blog, db, settings, resources):
    for i in range(4):
        await public_insert_entry(db, public_blog, f"n{i}")
    small = dataclasses.replace(settings, feed_items=2)
    app = create_app(small, dataclasses.replace(resources, settings=small))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        body = (await http.get("/ada_blog/feed.json")).json()
    assert len(body["items"]) == 2


async def test_200_websub_hub_is_advertised(client, public_blog, db, settings, resources):
    await seed(client, public_blog, db)
    hub = "https://websub.example/"
    with_hub = dataclasses.replace(settings, websub_hub=hub)
    app = create_app(with_hub, dataclasses.replace(resources, settings=with_hub))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        atom = await http.get("/ada_blog/atom.xml?lang=en")
        rss = await http.get("/ada_blog/rss.xml")
        body = (await http.get("/ada_blog/feed.json")).json()
        home = await http.get("/ada_blog")
    assert f'<{hub}>; rel="hub"' in atom.headers["link"]
    assert f'<{BASE}/ada_blog/atom.xml?lang=en>; rel="self"' in atom.headers["link"]
    links = {link.rel: link.href for link in parse_xml_feed(atom, "atom10").feed.links}
    assert links["hub"] == hub and links["self"] == f"{BASE}/ada_blog/atom.xml?lang=en"
    assert f'<atom:link rel="hub" href="{hub}"/>' in rss.text
    assert body["hubs"] == [{"type": "WebSub", "url": hub}]
    validate_json_feed(body)
    assert f'<link rel="hub" href="{hub}">' in home.text
