"""JSON-LD (schema.org `BlogPosting`, `Blog`) and Twitter card tags on the public pages
(issue 16), read from the served HTML with lxml and `json.loads`."""

from __future__ import annotations

import json

from lxml import html as lxml_html

from hub.site.seo.structured import script_json
from tests.site.public.fixtures import BASE, public_article, public_insert_entry, public_publish


def ld_json(page) -> list[dict]:
    assert page.status_code == 200, page.text
    tree = lxml_html.fromstring(page.text)
    return [json.loads(s.text) for s in tree.xpath('//script[@type="application/ld+json"]')]


def twitter(page) -> dict[str, str]:
    tree = lxml_html.fromstring(page.text)
    return {
        m.get("name"): m.get("content")
        for m in tree.xpath('//meta[starts-with(@name, "twitter:")]')
    }


async def test_200_entry_page_has_a_blog_posting(client, public_blog):
    title = "Cars </script><script>alert(1)</script> & more"
    await public_publish(client, public_blog, public_article("first", title=title))
    page = await client.get("/ada_blog/first")
    assert "</script><script>alert" not in page.text
    [data] = ld_json(page)
    assert data["@context"] == "https://schema.org" and data["@type"] == "BlogPosting"
    assert data["headline"] == title
    url = data["url"]
    assert url.startswith(f"{BASE}/ada_blog/first")
    assert data["mainEntityOfPage"]["@id"] == url
    assert data["datePublished"] and data["dateModified"] >= data["datePublished"]
    assert data["author"] == {"@type": "Person", "name": "Ada", "url": data["author"]["url"]}
    assert data["author"]["url"]
    assert data["inLanguage"] == "en"
    assert data["description"] == "A separate teaser."
    assert "image" not in data
    tags = twitter(page)
    assert tags["twitter:card"] == "summary"
    assert tags["twitter:title"] == title
    assert tags["twitter:description"] == "A separate teaser."
    assert "twitter:image" not in tags


async def test_200_a_note_has_no_headline(client, public_blog, db):
    await public_insert_entry(db, public_blog, "note", content_html="<p>Just a short note.</p>")
    [data] = ld_json(await client.get("/ada_blog/note"))
    assert data["@type"] == "BlogPosting" and "headline" not in data
    assert data["description"] == "Just a short note."


async def test_200_a_photo_gives_a_large_image_card(client, public_blog, db):
    photo = "https://photos.example/p.jpg"
    await public_insert_entry(db, public_blog, "pic", kind="photo",
                              properties={"photo": [photo]})  # fmt: skip
    page = await client.get("/ada_blog/pic")
    [data] = ld_json(page)
    assert data["image"] == photo
    tags = twitter(page)
    assert tags["twitter:card"] == "summary_large_image" and tags["twitter:image"] == photo


async def test_200_channel_home_has_a_blog(client, public_blog):
    await public_publish(client, public_blog, public_article("first"))
    page = await client.get("/ada_blog")
    [data] = ld_json(page)
    assert data["@type"] == "Blog" and data["url"] == f"{BASE}/ada_blog"
    assert data["name"] and data["description"] == "Notes and articles by Ada."
    assert data["inLanguage"] == "en" and data["author"]["name"] == "Ada"
    assert twitter(page)["twitter:card"] == "summary"


def test_script_json_cannot_close_the_script():
    text = script_json({"headline": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"headline": "</script><!-- & \u2028"}
