"""`/sitemap.xml` and `/robots.txt` (issue 16): read with an XML parser and with Python's
`urllib.robotparser`, every URL listed answering 200, per origin (node host, custom domain)."""

from __future__ import annotations

import urllib.robotparser
from urllib.parse import urlsplit

import pytest
from lxml import etree

from hub.site.seo import sitemap as sitemap_doc
from tests.site.public.fixtures import (
    BASE,
    public_article,
    public_insert_entry,
    public_make_blog,
    public_publish,
)

NS = {"s": sitemap_doc.SITEMAP_NS, "x": sitemap_doc.XHTML_NS}
FRENCH = {"language": "fr", "title": "Le post", "content_markdown": "Bonjour."}


def parse(answer) -> etree._Element:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    return etree.fromstring(answer.content)


def entries_of(root) -> dict[str, dict]:
    return {
        url.findtext("s:loc", namespaces=NS): {
            "lastmod": url.findtext("s:lastmod", namespaces=NS),
            "alternates": {
                link.get("hreflang"): link.get("href")
                for link in url.findall("x:link", namespaces=NS)
            },
        }
        for url in root.findall("s:url", namespaces=NS)
    }


async def get_url(client, url: str):
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return await client.get(path, headers={"Host": parts.netloc})


async def test_200_sitemap_lists_channels_entries_and_translations(client, public_blog, db):
    first = public_article("first", extra_translations=[FRENCH])
    await public_publish(client, public_blog, first)
    await public_publish(client, public_blog, public_article("draft", status="draft"))
    await public_insert_entry(db, public_blog, "hidden", visibility="unlisted")
    other = await public_make_blog(db, "Bea")
    await public_insert_entry(db, other, "note")
    root = parse(await client.get("/sitemap.xml"))
    assert etree.QName(root).localname == "urlset"
    found = entries_of(root)
    home = f"{BASE}/ada_blog"
    assert home in found and f"{BASE}/bea_blog" in found
    english = next(u for u in found if u.startswith(f"{BASE}/ada_blog/first") and "fr" not in u)
    french = next(u for u in found if u.startswith(f"{BASE}/ada_blog/first") and "fr" in u)
    assert found[english]["alternates"]["fr"] == french
    assert found[french]["alternates"]["en"] == english
    assert found[french]["alternates"]["x-default"] == english
    assert found[english]["lastmod"].endswith("Z")
    assert not any("draft" in u or "hidden" in u for u in found)
    assert len(found) == 5  # two homes, two translations, one note
    for url in found:
        assert (await get_url(client, url)).status_code == 200, url


async def test_200_sitemap_of_a_custom_domain_names_only_its_channel(client, public_blog, db):
    await public_publish(client, public_blog, public_article("first"))
    other = await public_make_blog(db, "Bea")
    await public_insert_entry(db, other, "note")
    await db.execute(
        "UPDATE channels SET custom_domain = 'blog.example' WHERE id = $1", public_blog.channel_id
    )
    custom = parse(await client.get("/sitemap.xml", headers={"Host": "blog.example"}))
    found = entries_of(custom)
    assert set(found) == {"https://blog.example/", next(u for u in found if "first" in u)}
    assert all(u.startswith("https://blog.example/") for u in found)
    node = entries_of(parse(await client.get("/sitemap.xml")))
    assert not any("blog.example" in u or "ada_blog" in u for u in node)
    assert f"{BASE}/bea_blog" in node
    for url in found:
        assert (await get_url(client, url)).status_code == 200, url


async def test_200_sitemap_index_past_the_limit(client, public_blog, db, monkeypatch):
    monkeypatch.setattr(sitemap_doc, "MAX_URLS", 2)
    for n in range(3):
        await public_insert_entry(db, public_blog, f"note-{n}")
    index = parse(await client.get("/sitemap.xml"))
    assert etree.QName(index).localname == "sitemapindex"
    pages = [loc.text for loc in index.findall("s:sitemap/s:loc", namespaces=NS)]
    assert pages == [f"{BASE}/sitemap.xml?page={n}" for n in range(3)]
    listed = []
    for page in pages:
        listed += list(entries_of(parse(await get_url(client, page))))
    assert len(listed) == len(set(listed)) == 4  # the home and three notes, each once
    assert (await client.get("/sitemap.xml?page=9")).status_code == 404
    assert (await client.get("/sitemap.xml?page=x")).status_code == 404


async def read_robots(client, host: str | None = None) -> urllib.robotparser.RobotFileParser:
    answer = await client.get("/robots.txt", headers={"Host": host} if host else {})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(answer.text.splitlines())
    return parser


async def test_200_robots_allows_the_site_and_names_the_sitemap(client, public_blog):
    await public_publish(client, public_blog, public_article("first"))
    robots = await read_robots(client)
    for open_path in ("/", "/ada_blog", "/ada_blog/first?lang=en", "/ada_blog/atom.xml",
                      "/ada_blog/tags/x", "/storage/a.webp"):  # fmt: skip
        assert robots.can_fetch("*", f"{BASE}{open_path}"), open_path
    closed_paths = (
        "/dashboard",
        "/dashboard/entries",
        "/api/v1/channels",
        "/api/sites",
        "/micropub",
        "/micropub/media",
        "/auth?me=x",
        "/auth/token",
        "/api-docs",
    )
    for closed in closed_paths:
        assert not robots.can_fetch("Googlebot", f"{BASE}{closed}"), closed
    assert robots.site_maps() == [f"{BASE}/sitemap.xml"]
    rules = [line.split(":", 1)[1].strip() for line in (await client.get("/robots.txt")).text
             .splitlines() if line.startswith("Disallow:")]  # fmt: skip
    # RFC 9309 rules match by prefix: none may close a channel whose slug starts with a word
    assert all(rule.endswith(("/", "$", "?")) for rule in rules), rules


async def test_200_robots_of_a_custom_domain_names_its_sitemap(client, public_blog, db):
    await db.execute("UPDATE channels SET custom_domain = 'blog.example'")
    robots = await read_robots(client, "blog.example")
    assert robots.site_maps() == ["https://blog.example/sitemap.xml"]
    assert robots.can_fetch("*", "https://blog.example/first")


@pytest.mark.parametrize("path", ["/robots.txt", "/sitemap.xml"])
async def test_seo_files_are_not_channel_paths(client, db, path):
    await public_make_blog(db)
    r = await client.get(path)
    assert r.status_code == 200 and "ada_blog" not in r.headers.get("location", "")
    assert (await client.head(path)).status_code == 200
    assert (await client.post(path)).status_code == 405
