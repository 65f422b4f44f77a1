"""One URL per entry and language (issue 16): the primary language's page is
`/{channel}/{slug}`, the Micropub Location, and every page, feed and redirect says so; other
languages keep `?lang=xx`; `?lang={primary}` answers 301. Read back with mf2py and feedparser."""

from __future__ import annotations

import feedparser

from tests.factories import bearer, make_credential
from tests.site.public.fixtures import (
    BASE,
    public_article,
    public_items,
    public_mf2,
    public_publish,
    public_set_status,
)


async def micropub_create(client, db, blog, **form: str) -> str:
    """A post made through Micropub; its `Location`."""
    secret = await make_credential(db, blog.author_id, kind="app_token", scopes=["create"])
    r = await client.post("/micropub", data={"h": "entry", **form}, headers=bearer(secret))
    assert r.status_code == 201, r.text
    return r.headers["location"]


def feed_ids(response) -> list[tuple[str, str]]:
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return [(e.id, e.link) for e in parsed.entries]


async def test_200_every_page_and_feed_names_a_micropub_post_by_its_location(
    client, db, public_blog
):
    note = await micropub_create(client, db, public_blog, content="Winter tyres on.",
                                 category="cars")  # fmt: skip
    article = await micropub_create(client, db, public_blog, name="Tyres", content="Long.",
                                    category="cars")  # fmt: skip
    assert note.startswith(f"{BASE}/ada_blog/") and "?" not in note
    token = await make_credential(db, public_blog.author_id, kind="app_token", scopes=["create"])
    source = await client.get("/micropub", params={"q": "source", "url": note},
                              headers=bearer(token))  # fmt: skip
    assert source.json()["properties"]["url"] == source.json()["properties"]["uid"] == [note]

    for location in (note, article):
        page = await client.get(location)
        assert page.status_code == 200
        parsed = public_mf2(page.text, location)
        [entry] = parsed["items"]
        assert entry["properties"]["url"] == entry["properties"]["uid"] == [location]
        assert parsed["rels"]["canonical"] == [location]
        assert parsed["rel-urls"][location]["hreflang"] == "en"
        assert f'hreflang="x-default" href="{location}"' in page.text

    for listing in ("/ada_blog", "/ada_blog/tags/cars"):
        parsed = public_mf2((await client.get(listing)).text, BASE + listing)
        [feed] = public_items(parsed, "h-feed")
        assert [e["properties"]["url"] for e in feed["children"]] == [[article], [note]]

    for path in ("/ada_blog/rss.xml", "/ada_blog/atom.xml", "/ada_blog/tags/cars/atom.xml"):
        assert feed_ids(await client.get(path)) == [(article, article), (note, note)], path
    items = (await client.get("/ada_blog/feed.json")).json()["items"]
    assert [(i["id"], i["url"]) for i in items] == [(article, article), (note, note)]


async def test_200_a_second_language_keeps_its_lang(client, public_blog):
    await public_publish(client, public_blog, public_article(
        "bilingual", tags=["Travel"],
        extra_translations=[{"language": "fr", "title": "Billet", "content_markdown": "Texte."}],
    ))  # fmt: skip
    primary, french = f"{BASE}/ada_blog/bilingual", f"{BASE}/ada_blog/bilingual?lang=fr"
    r = await client.get("/ada_blog/bilingual?lang=fr")
    parsed = public_mf2(r.text, french)
    [entry] = parsed["items"]
    assert entry["properties"]["url"] == entry["properties"]["uid"] == [french]
    assert parsed["rels"]["canonical"] == [french]
    assert parsed["rel-urls"][primary]["hreflang"] == "en"  # the language switch and hreflang
    assert f'hreflang="x-default" href="{primary}"' in r.text
    assert f'<a href="{primary}" hreflang="en" lang="en">' in r.text
    english = await client.get("/ada_blog/bilingual")
    assert f'<a href="{french}" hreflang="fr" lang="fr">' in english.text
    assert feed_ids(await client.get("/ada_blog/atom.xml?lang=fr")) == [(french, french)]
    assert feed_ids(await client.get("/ada_blog/rss.xml")) == [(primary, primary)]
    home = public_mf2((await client.get("/ada_blog?lang=fr")).text, f"{BASE}/ada_blog?lang=fr")
    [feed] = public_items(home, "h-feed")
    assert [e["properties"]["url"] for e in feed["children"]] == [[french]]


async def test_301_lang_of_the_primary_to_the_one_url(client, db, public_blog):
    location = await micropub_create(client, db, public_blog, content="Hello.")
    slug = location.rsplit("/", 1)[1]
    for method in ("GET", "HEAD"):
        for lang in ("en", "EN"):
            r = await client.request(method, f"/ada_blog/{slug}?lang={lang}")
            assert r.status_code == 301, (method, lang)
            assert r.headers["location"] == location
            assert r.headers["cache-control"] == "public, max-age=60"
    # only entries: lists and feeds keep their `?lang=` meaning
    assert (await client.get("/ada_blog?lang=en")).status_code == 200
    assert (await client.get("/ada_blog/rss.xml?lang=en")).status_code == 200
    assert (await client.get(f"/ada_blog/{slug}?lang=fr")).status_code == 404
    assert (await client.get("/ada_blog/no-such-entry?lang=en")).status_code == 404


async def test_301_then_410_for_a_withdrawn_entry_and_404_for_a_draft(client, public_blog):
    await public_publish(client, public_blog, public_article("gone"))
    await public_publish(client, public_blog, public_article("draft", status="draft"))
    await public_set_status(client, public_blog, "gone", "archived")
    r = await client.get("/ada_blog/gone?lang=en")
    assert r.status_code == 301 and r.headers["location"] == f"{BASE}/ada_blog/gone"
    tombstone = await client.get("/ada_blog/gone")
    assert tombstone.status_code == 410
    [entry] = public_items(public_mf2(tombstone.text, f"{BASE}/ada_blog/gone"), "h-entry")
    assert entry["properties"]["url"] == [f"{BASE}/ada_blog/gone"]
    assert (await client.get("/ada_blog/draft?lang=en")).status_code == 404  # not revealed


async def test_301_on_a_custom_domain(client, db, public_blog):
    await public_publish(client, public_blog, public_article("first"))
    await db.execute("UPDATE channels SET custom_domain = 'blog.example'")
    custom = client.base_url.copy_with(host="blog.example")
    r = await client.get(str(custom.join("/first?lang=en")))
    assert r.status_code == 301 and r.headers["location"] == "https://blog.example/first"
    page = await client.get(str(custom.join("/first")))
    [entry] = public_mf2(page.text, "https://blog.example/first")["items"]
    assert entry["properties"]["url"] == ["https://blog.example/first"]
