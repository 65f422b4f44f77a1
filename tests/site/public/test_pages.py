"""Public pages: microformats and rel links parsed back with mf2py, 200/404/410 by entry state,
languages, tags, pagination (webmention-site-feeds §3)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from hub.core.db import transaction
from hub.core.entries import published, publishing
from hub.core.entries import queries as entry_queries
from tests.site.public.fixtures import (
    BASE,
    public_article,
    public_insert_entry,
    public_items,
    public_make_blog,
    public_mf2,
    public_publish,
    public_set_status,
)

ENDPOINT_RELS = {
    "webmention": f"{BASE}/api/webmentions",
    "micropub": f"{BASE}/micropub",
    "media-endpoint": f"{BASE}/micropub/media",
    "indieauth-metadata": f"{BASE}/.well-known/oauth-authorization-server",
    "authorization_endpoint": f"{BASE}/auth",
    "token_endpoint": f"{BASE}/auth/token",
}


def assert_endpoint_rels(parsed: dict) -> None:
    for rel, url in ENDPOINT_RELS.items():
        assert parsed["rels"][rel] == [url], rel


def assert_link_header(response) -> None:
    header = response.headers["link"]
    for rel, url in ENDPOINT_RELS.items():
        assert f'<{url}>; rel="{rel}"' in header


def two_languages(slug: str = "bilingual") -> dict:
    return public_article(
        slug,
        tags=["Travel"],
        extra_translations=[
            {"language": "fr", "title": "Billet", "content_markdown": "Texte **français**."}
        ],
    )


# -- node home and channel home ------------------------------------------------------------


async def test_200_node_home_is_an_h_feed_of_channel_h_cards(client, public_blog, db):
    await public_make_blog(db, "Bob")
    r = await client.get("/")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    parsed = public_mf2(r.text, BASE + "/")
    [feed] = public_items(parsed, "h-feed")
    cards = feed["children"]
    assert [c["type"] for c in cards] == [["h-card"], ["h-card"]]
    assert [c["properties"]["url"] for c in cards] == [[f"{BASE}/ada_blog"], [f"{BASE}/bob_blog"]]
    assert cards[0]["properties"]["note"] == ["Notes and articles by Ada."]
    assert_endpoint_rels(parsed)
    assert_link_header(r)


async def test_200_channel_home_h_card_and_h_feed(client, public_blog, db):
    await public_publish(client, public_blog, public_article("first", tags=["Cars"]))
    await public_insert_entry(db, public_blog, "a-note", content_html="<p>Short note.</p>")
    r = await client.get("/ada_blog")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "public, max-age=60"
    assert r.headers["vary"] == "Accept, Accept-Encoding"  # HTML or the ActivityPub actor
    assert "set-cookie" not in r.headers
    assert_link_header(r)
    parsed = public_mf2(r.text, f"{BASE}/ada_blog")
    [card] = public_items(parsed, "h-card")
    assert card["properties"]["url"] == card["properties"]["uid"] == [f"{BASE}/ada_blog"]
    assert card["properties"]["name"] == ["Ada"]
    assert f"{BASE}/ada_blog" in parsed["rels"]["me"]
    [feed] = public_items(parsed, "h-feed")
    assert feed["properties"]["name"] == ["Ada"]
    assert feed["properties"]["url"] == [f"{BASE}/ada_blog"]
    [author] = feed["properties"]["author"]
    assert author["properties"]["url"] == [f"{BASE}/ada_blog"]
    entries = feed["children"]
    assert [e["properties"]["url"] for e in entries] == [
        [f"{BASE}/ada_blog/a-note"],
        [f"{BASE}/ada_blog/first"],
    ]
    note, article = entries
    assert "name" not in note["properties"]
    assert note["properties"]["summary"] == ["Short note."]
    assert article["properties"]["name"] == ["Agent post"]
    assert article["properties"]["summary"] == ["A separate teaser."]
    assert article["properties"]["category"] == ["Cars"]
    assert article["properties"]["published"][0].startswith("20")
    assert "content" not in article["properties"]
    alternates = {(a["type"], a["url"]) for a in parsed["alternates"]}
    assert alternates >= {
        ("application/rss+xml", f"{BASE}/ada_blog/rss.xml"),
        ("application/atom+xml", f"{BASE}/ada_blog/atom.xml"),
        ("application/feed+json", f"{BASE}/ada_blog/feed.json"),
    }


async def test_200_empty_channel_home(client, public_blog):
    r = await client.get("/ada_blog")
    assert r.status_code == 200 and "Nothing published here yet." in r.text


async def test_200_pagination_with_before_cursor(client, public_blog, db):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(23):
        await public_insert_entry(
            db, public_blog, f"n{i:02d}", published_at=start + timedelta(hours=i)
        )
    first = await client.get("/ada_blog")
    parsed = public_mf2(first.text, f"{BASE}/ada_blog")
    [feed] = public_items(parsed, "h-feed")
    assert len(feed["children"]) == 20
    assert feed["children"][0]["properties"]["url"] == [f"{BASE}/ada_blog/n22"]
    assert "prev" not in parsed["rels"]
    [older] = parsed["rels"]["next"]
    second = await client.get(older)
    assert second.status_code == 200
    parsed = public_mf2(second.text, older)
    [feed] = public_items(parsed, "h-feed")
    assert [e["properties"]["url"][0].split("/")[-1] for e in feed["children"]] == [
        "n02",
        "n01",
        "n00",
    ]
    assert "next" not in parsed["rels"]
    assert parsed["rels"]["prev"] == [f"{BASE}/ada_blog"]
    assert parsed["rels"]["canonical"] == [older]


async def test_404_cursor_malformed_or_past_the_end(client, public_blog, db):
    await public_insert_entry(db, public_blog, "only")
    assert (await client.get("/ada_blog?before=yesterday")).status_code == 404
    assert (await client.get("/ada_blog?before=999999999999999999.1")).status_code == 404
    assert (await client.get("/ada_blog?before=0.1")).status_code == 404


# -- entry pages ----------------------------------------------------------------------------


async def test_200_article_entry_microformats(client, public_blog):
    await public_publish(client, public_blog, public_article("first", tags=["Cars", "winter"]))
    r = await client.get("/ada_blog/first")
    assert r.status_code == 200
    assert_link_header(r)
    parsed = public_mf2(r.text, f"{BASE}/ada_blog/first")
    [entry] = parsed["items"]  # the only top-level microformat
    assert entry["type"] == ["h-entry"]
    props = entry["properties"]
    assert props["name"] == ["Agent post"]
    assert props["url"] == props["uid"] == [f"{BASE}/ada_blog/first"]
    assert props["published"][0].startswith("20")
    assert re.search(r'class="dt-published" datetime="[0-9T:-]+\+00:00"', r.text)
    assert props["summary"] == ["A separate teaser."]
    [content] = props["content"]
    assert "<strong>agent</strong>" in content["html"]
    assert f'href="{BASE}/docs/page"' in content["html"]  # relative links made absolute
    [author] = props["author"]
    assert author["type"] == ["h-card"]
    assert author["properties"]["name"] == ["Ada"]
    assert author["properties"]["url"] == [f"{BASE}/ada_blog"]
    assert props["category"] == ["Cars", "winter"]
    assert_endpoint_rels(parsed)
    assert parsed["rels"]["canonical"] == [f"{BASE}/ada_blog/first"]
    assert parsed["rels"]["feed"] == [f"{BASE}/ada_blog"]
    assert parsed["rel-urls"][f"{BASE}/ada_blog/first"]["hreflang"] == "en"
    assert parsed["rel-urls"][f"{BASE}/ada_blog/rss.xml"]["type"] == "application/rss+xml"
    assert '<section id="mentions"' in r.text
    assert '<html lang="en">' in r.text


async def test_200_note_reply_like_repost_bookmark_syndication(client, public_blog, db):
    properties = {
        "in-reply-to": [
            {"type": ["h-cite"], "properties": {"url": ["https://a.example/post"],
                                               "name": ["A post"]}}
        ],
        "like-of": ["https://b.example/liked"],
        "repost-of": ["https://c.example/reposted"],
        "bookmark-of": ["https://d.example/saved"],
        "syndication": ["https://social.example/@ada/1"],
        "photo": [{"value": "https://img.example/p.jpg", "alt": "A photo"}],
        "x-weight": [{"value": 70}],
    }  # fmt: skip
    await public_insert_entry(db, public_blog, "reply", properties=properties)
    r = await client.get("/ada_blog/reply")
    assert r.status_code == 200
    [entry] = public_mf2(r.text, f"{BASE}/ada_blog/reply")["items"]
    props = entry["properties"]
    assert "name" not in props  # notes have no p-name, and none is implied
    [cite] = props["in-reply-to"]
    assert cite["type"] == ["h-cite"]
    assert cite["properties"]["url"] == ["https://a.example/post"]
    assert cite["properties"]["name"] == ["A post"]
    assert props["like-of"] == ["https://b.example/liked"]
    assert props["repost-of"] == ["https://c.example/reposted"]
    assert props["bookmark-of"] == ["https://d.example/saved"]
    assert props["syndication"] == ["https://social.example/@ada/1"]
    assert props["photo"] == [{"value": "https://img.example/p.jpg", "alt": "A photo"}]
    assert props["content"][0]["value"] == "Just a note."


async def test_200_translations_hreflang_and_canonical(client, public_blog):
    await public_publish(client, public_blog, two_languages())
    r = await client.get("/ada_blog/bilingual")
    parsed = public_mf2(r.text, f"{BASE}/ada_blog/bilingual")
    assert parsed["rels"]["canonical"] == [f"{BASE}/ada_blog/bilingual"]
    rel_urls = parsed["rel-urls"]
    assert rel_urls[f"{BASE}/ada_blog/bilingual?lang=fr"]["hreflang"] == "fr"
    assert 'hreflang="x-default" href="http://hub.test/ada_blog/bilingual"' in r.text
    assert 'hreflang="en" href="http://hub.test/ada_blog/bilingual"' in r.text
    fr = await client.get("/ada_blog/bilingual?lang=FR")  # normalised
    assert fr.status_code == 200 and '<html lang="fr">' in fr.text
    [entry] = public_mf2(fr.text, f"{BASE}/ada_blog/bilingual?lang=fr")["items"]
    assert entry["properties"]["name"] == ["Billet"]
    assert entry["properties"]["url"] == [f"{BASE}/ada_blog/bilingual?lang=fr"]
    assert "<strong>français</strong>" in entry["properties"]["content"][0]["html"]


async def test_404_language_unknown_malformed_or_never_published(client, public_blog):
    payload = two_languages()
    payload["publish_translations"] = False  # fr stays a draft
    await public_publish(client, public_blog, payload)
    assert (await client.get("/ada_blog/bilingual?lang=de")).status_code == 404
    assert (await client.get("/ada_blog/bilingual?lang=not a code")).status_code == 404
    assert (await client.get("/ada_blog/bilingual?lang=fr")).status_code == 404


async def test_410_withdrawn_translation(client, public_blog, db):
    await public_publish(client, public_blog, two_languages())
    entry_id = await db.fetchval("SELECT id FROM entries WHERE slug = 'bilingual'")
    async with transaction(db) as conn:
        await entry_queries.set_translation_status(conn, entry_id, ["fr"], "draft")
        await entry_queries.bump_version(conn, entry_id)
        await publishing.refresh_status(conn, entry_id)
    assert (await client.get("/ada_blog/bilingual?lang=fr")).status_code == 410
    r = await client.get("/ada_blog/bilingual")
    assert r.status_code == 200 and 'hreflang="fr"' not in r.text


async def test_404_never_public_draft_scheduled_moderation(client, public_blog, db):
    await public_publish(client, public_blog, public_article("draft", status="draft"))
    later = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0).isoformat()
    scheduled = public_article("later", status="scheduled")
    scheduled["scheduled_at"] = later
    await public_publish(client, public_blog, scheduled)
    await db.execute("UPDATE authors SET moderation = 'manual'")
    await public_publish(client, public_blog, public_article("waiting"))
    for slug in ("draft", "later", "waiting", "no-such-entry"):
        r = await client.get(f"/ada_blog/{slug}")
        assert r.status_code == 404, slug
        assert r.headers["cache-control"] == "public, max-age=60"
        assert_link_header(r)
        assert_endpoint_rels(public_mf2(r.text, f"{BASE}/ada_blog/{slug}"))
    listing = (await client.get("/ada_blog")).text
    assert "later" not in listing and "waiting" not in listing and "/draft" not in listing


async def test_200_live_version_stays_while_a_revision_waits(client, public_blog, db):
    await public_publish(client, public_blog, public_article("live", title="Live title"))
    await db.execute("UPDATE authors SET moderation = 'manual'")
    await public_publish(client, public_blog, public_article("live", title="Waiting title"))
    r = await client.get("/ada_blog/live")
    assert r.status_code == 200 and "Live title" in r.text and "Waiting title" not in r.text
    assert "Live title" in (await client.get("/ada_blog")).text


async def test_410_archived_unpublished_and_deleted_with_tombstone(client, public_blog, db):
    for slug in ("archived", "unpublished", "deleted"):
        await public_publish(client, public_blog, public_article(slug))
    await public_set_status(client, public_blog, "archived", "archived")
    await public_set_status(client, public_blog, "unpublished", "draft")
    entry_id = await db.fetchval("SELECT id FROM entries WHERE slug = 'deleted'")
    async with transaction(db) as conn:
        await conn.execute("UPDATE entries SET deleted_at = now() WHERE id = $1", entry_id)
        await publishing.refresh_status(conn, entry_id)
    for slug in ("archived", "unpublished", "deleted"):
        r = await client.get(f"/ada_blog/{slug}")
        assert r.status_code == 410, slug
        assert r.headers["cache-control"] == "public, max-age=3600"
        assert '<meta http-equiv="Status" content="410 Gone">' in r.text
        parsed = public_mf2(r.text, f"{BASE}/ada_blog/{slug}")
        [entry] = public_items(parsed, "h-entry")
        props = entry["properties"]
        assert props["url"] == [f"{BASE}/ada_blog/{slug}"]
        assert props["summary"] == ["This entry is no longer available."]
        assert "deleted" in props and "name" not in props and "content" not in props
        assert_endpoint_rels(parsed)
    assert 'class="h-entry' not in (await client.get("/ada_blog")).text


async def test_404_archived_entry_that_was_never_public(client, public_blog):
    await public_publish(client, public_blog, public_article("quiet", status="draft"))
    await public_set_status(client, public_blog, "quiet", "archived")
    assert (await client.get("/ada_blog/quiet")).status_code == 404


async def test_404_private_entry_and_unlisted_kept_out_of_lists(client, public_blog, db):
    await public_insert_entry(db, public_blog, "secret", visibility="private")
    await public_insert_entry(db, public_blog, "unlisted", visibility="unlisted", tags=["t"])
    assert (await client.get("/ada_blog/secret")).status_code == 404
    assert (await client.get("/ada_blog/unlisted")).status_code == 200
    assert "/unlisted" not in (await client.get("/ada_blog")).text
    assert (await client.get("/ada_blog/tags/t")).status_code == 404


async def test_404_unknown_or_draft_channel_and_unknown_paths(client, public_blog, db):
    await public_publish(client, public_blog, public_article("first"))
    assert (await client.get("/nobody")).status_code == 404
    assert (await client.get("/ada_blog/first/extra")).status_code == 404
    assert (await client.get("/ada_blog/tags")).status_code == 404
    await db.execute("UPDATE channels SET status = 'draft'")
    assert (await client.get("/ada_blog")).status_code == 404
    assert (await client.get("/ada_blog/first")).status_code == 404


async def test_405_write_methods_on_pages(client, public_blog):
    r = await client.post("/ada_blog", data={"a": "b"})
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"


# -- tags -----------------------------------------------------------------------------------


async def test_200_tag_page_case_insensitive(client, public_blog, db):
    await public_publish(client, public_blog, public_article("first", tags=["Winter Tyres"]))
    await public_publish(client, public_blog, public_article("second", tags=["other"]))
    r = await client.get("/ada_blog/tags/winter%20tyres")
    assert r.status_code == 200
    parsed = public_mf2(r.text, f"{BASE}/ada_blog/tags/winter%20tyres")
    [feed] = public_items(parsed, "h-feed")
    assert feed["properties"]["name"] == ["#Winter Tyres — Ada"]
    assert [e["properties"]["url"] for e in feed["children"]] == [[f"{BASE}/ada_blog/first"]]
    assert parsed["rels"]["canonical"] == [f"{BASE}/ada_blog/tags/Winter%20Tyres"]
    alternates = {a["url"] for a in parsed["alternates"]}
    assert f"{BASE}/ada_blog/tags/Winter%20Tyres/rss.xml" in alternates
    assert f"{BASE}/ada_blog/rss.xml" in alternates
    assert not public_items(parsed, "h-card")  # the representative h-card is on the home only
    assert (await client.get("/ada_blog/tags/nothing")).status_code == 404


async def test_200_tag_with_a_slash(client, public_blog):
    await public_publish(client, public_blog, public_article("first", tags=["a/b"]))
    entry = (await client.get("/ada_blog/first")).text
    assert 'href="http://hub.test/ada_blog/tags/a%2Fb"' in entry
    assert (await client.get("/ada_blog/tags/a%2Fb")).status_code == 200


async def test_200_language_filter_on_channel_home(client, public_blog):
    await public_publish(client, public_blog, two_languages())
    await public_publish(client, public_blog, public_article("english_only"))
    r = await client.get("/ada_blog?lang=fr")
    assert r.status_code == 200
    parsed = public_mf2(r.text, f"{BASE}/ada_blog?lang=fr")
    [feed] = public_items(parsed, "h-feed")
    assert [e["properties"]["url"] for e in feed["children"]] == [
        [f"{BASE}/ada_blog/bilingual?lang=fr"]
    ]
    assert f"{BASE}/ada_blog/rss.xml?lang=fr" in {a["url"] for a in parsed["alternates"]}
    assert (await client.get("/ada_blog?lang=de")).status_code == 404
    assert (await client.get("/ada_blog?lang=en")).status_code == 200


async def test_200_channel_pages_list_public_entries_newest_first_from_the_listing_index(
    client, public_blog, db
):
    # Issue 20: the home, tag pages and feeds read entries_public_listing_idx in its order. The
    # entries they list stay the same: public ones (a page in moderation_review whose live
    # translation is published among them), newest first, paged by the `before` cursor.
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(22):
        await public_insert_entry(
            db, public_blog, f"n{i:02d}", tags=["All"], published_at=start + timedelta(hours=i)
        )
    hidden = {"private": "private", "unlisted": "unlisted", "gone": "public"}
    for slug, visibility in hidden.items():
        await public_insert_entry(
            db, public_blog, slug, visibility=visibility, tags=["All"],
            published_at=start + timedelta(days=2),
        )  # fmt: skip
    await db.execute("UPDATE entries SET deleted_at = now() WHERE slug = 'gone'")
    await db.execute("UPDATE entries SET status = 'moderation_review' WHERE slug = 'n21'")
    expected = [f"n{i:02d}" for i in range(21, -1, -1)]
    for path in ("/ada_blog", "/ada_blog/tags/all"):
        seen, url = [], f"{BASE}{path}"
        while url:
            r = await client.get(url)
            assert r.status_code == 200, url
            parsed = public_mf2(r.text, url)
            [feed] = public_items(parsed, "h-feed")
            seen += [e["properties"]["url"][0].rsplit("/", 1)[1] for e in feed["children"]]
            url = (parsed["rels"].get("next") or [None])[0]
        assert seen == expected, path
    atom = (await client.get("/ada_blog/atom.xml")).text
    assert re.findall(r"<link[^>]*ada_blog/(n\d\d)\"", atom)[:3] == ["n21", "n20", "n19"]
    async with db.acquire() as conn, conn.transaction():
        # with sorts priced out too, the plan shows whether an index gives the order (on a
        # few rows the planner may otherwise sort a hash join, depending on its statistics)
        await conn.execute("SET LOCAL enable_seqscan = off")
        await conn.execute("SET LOCAL enable_sort = off")
        sql = published._list_sql(content=False, newer=False, language=False, tag=False,
                                  cursor=True, limit=21)  # fmt: skip
        rows = await conn.fetch("EXPLAIN " + sql, public_blog.channel_id, start, 10**12)
    plan = "\n".join(r[0] for r in rows)
    assert "entries_public_listing_idx" in plan and "Sort Key: e.published_at" not in plan


async def test_200_channel_home_summaries_show_photos_and_featured_images(client, public_blog, db):
    # Spec §3.3: a summary carries u-photo or u-featured. A list's rows bring the entry's
    # properties and media as JSON text (decoded only when a summary is built, issue 20); a
    # changed media row gives a new summary.
    photo = {"photo": [{"value": "https://img.example/p.jpg", "alt": "A photo"}]}
    await public_insert_entry(db, public_blog, "snap", kind="photo", properties=photo)
    cover = await public_insert_entry(db, public_blog, "covered")
    media_id = await db.fetchval(
        "INSERT INTO media (public_id, author_id, channel_id, content_type, bytes, sha256, path,"
        " width, height, alt) VALUES ('m1', $1, $2, 'image/webp', 10, $3, 'pages/c.webp', 640,"
        " 480, 'A cover') RETURNING id",
        public_blog.author_id, public_blog.channel_id, bytes(32),
    )  # fmt: skip
    await db.execute(
        "INSERT INTO entry_media (entry_id, media_id, role) VALUES ($1, $2, 'featured')",
        cover, media_id,
    )  # fmt: skip

    async def summaries() -> dict[str, dict]:
        r = await client.get("/ada_blog")
        assert r.status_code == 200
        [feed] = public_items(public_mf2(r.text, f"{BASE}/ada_blog"), "h-feed")
        return {e["properties"]["url"][0].rsplit("/", 1)[1]: e["properties"]
                for e in feed["children"]}  # fmt: skip

    shown = await summaries()
    assert shown["snap"]["photo"] == [{"value": "https://img.example/p.jpg", "alt": "A photo"}]
    [featured] = shown["covered"]["featured"]
    assert featured["alt"] == "A cover" and featured["value"].endswith("/pages/c.webp")
    await db.execute("UPDATE media SET alt = 'A new cover' WHERE id = $1", media_id)
    [featured] = (await summaries())["covered"]["featured"]
    assert featured["alt"] == "A new cover"
