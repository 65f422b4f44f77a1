"""R-64: drafts-folder image URLs in article bodies are copied to the page folder and
rewritten when the article is saved; foreign and missing drafts get warnings."""

from __future__ import annotations

from tests.channels.conftest import article, two_languages, upload
from tests.images import jpeg

PAGES = "/api/v1/channels/ada_blog/pages"


def page_files(settings) -> list:
    root = settings.media_dir / "projects"
    return [p for p in root.rglob("*") if p.is_file() and "pages" in p.parts]


async def draft(client, account, channel: str = "ada_blog", alt: str = "A car") -> dict:
    r = await client.post(
        f"/api/v1/channels/{channel}/media", headers=account.headers, **upload(jpeg(), "car.jpg",
        alt=alt),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()


def with_image(payload: dict, snippet: str) -> dict:
    for t in payload["translations"]:
        t["content_markdown"] += "\n\n" + snippet
    return payload


async def test_201_draft_urls_are_copied_and_rewritten(client, db, settings, account):
    image = await draft(client, account)
    r = await client.post(
        PAGES, json=with_image(two_languages(), image["markdown"]), headers=account.headers
    )
    assert r.status_code == 201, r.text
    body = r.json()
    page_url = image["url"].replace(
        "/drafts/" + "/".join(image["url"].split("/drafts/")[1].split("/")[:2]),
        f"/pages/{body['id']}",
    )
    assert "/drafts/" not in r.text and body["warnings"] == []
    for t in body["translations"]:
        assert f"![A car]({page_url})" in t["content_markdown"]
        assert f'<img src="{page_url}" alt="A car"' in t["content_html"]
    copy = settings.media_dir / page_url.split("/storage/", 1)[1]
    original = settings.media_dir / image["url"].split("/storage/", 1)[1]
    assert copy.is_file() and original.is_file()
    assert copy.stat().st_ino == original.stat().st_ino  # hard link
    assert (await client.get(page_url)).status_code == 200
    rows = await db.fetch(
        "SELECT m.folder, m.path, em.role FROM entry_media em JOIN media m ON m.id = em.media_id"
        " WHERE em.entry_id = $1",
        body["id"],
    )
    assert [(r["folder"], r["role"]) for r in rows] == [("pages", "inline")]
    assert await db.fetchval("SELECT attached_at FROM media WHERE id = $1", image["id"])
    again = await client.post(
        PAGES, json=with_image(two_languages(), image["markdown"]), headers=account.headers
    )
    assert again.status_code == 200 and again.json()["version"] == body["version"]
    assert await db.fetchval("SELECT count(*) FROM media") == 2


async def test_200_root_relative_html_and_put_translation(client, db, account):
    image = await draft(client, account)
    relative = "/storage/" + image["url"].split("/storage/", 1)[1]
    page = (await client.post(PAGES, json=article(), headers=account.headers)).json()
    r = await client.put(
        PAGES + "/agent_post/translations/es",
        json={"title": "Coche", "content_html": f'<p>Texto</p><img src="{relative}" alt="x">'},
        headers=account.headers,
    )
    assert r.status_code == 201, r.text
    es = r.json()["translations"][1]
    assert 'src="/storage/projects/' in es["content_html"]
    assert (
        f"/pages/{page['id']}/car-" in es["content_html"] and "/drafts/" not in es["content_html"]
    )
    assert [w["code"] for w in r.json()["warnings"]] == ["translation_saved_as_draft"]


async def test_201_foreign_and_missing_drafts_are_left_with_warnings(client, account, other):
    theirs = await draft(client, other, channel="bob_blog")
    mine = await draft(client, account)
    missing = mine["url"].rsplit("/", 1)[0] + "/gone-abcdef.webp"
    payload = article()
    payload["translations"][0]["content_markdown"] += (
        f"\n\n![x]({theirs['url']})\n\n![y]({missing})"
    )
    r = await client.post(PAGES, json=payload, headers=account.headers)
    assert r.status_code == 201
    warnings = r.json()["warnings"]
    assert [(w["code"], w["field"]) for w in warnings] == [
        ("foreign_media", "translations.0.content_markdown"),
        ("draft_media_missing", "translations.0.content_markdown"),
    ]
    md = r.json()["translations"][0]["content_markdown"]
    assert theirs["url"] in md and missing in md


async def test_422_rollback_leaves_no_copy(client, db, settings, account):
    image = await draft(client, account)
    payload = with_image(two_languages(status="draft"), image["markdown"])
    payload["translations"][1]["status"] = "published"
    r = await client.post(PAGES, json=payload, headers=account.headers)
    assert r.status_code == 422
    assert await db.fetchval("SELECT count(*) FROM media") == 1
    assert await db.fetchval("SELECT count(*) FROM entry_media") == 0
    assert page_files(settings) == []


async def test_200_dry_run_copies_nothing(client, db, settings, account):
    image = await draft(client, account)
    r = await client.post(
        PAGES + "?dry_run=true", json=with_image(article(), image["markdown"]),
        headers=account.headers,
    )  # fmt: skip
    assert r.status_code == 200 and "/pages/" in r.json()["translations"][0]["content_markdown"]
    assert await db.fetchval("SELECT count(*) FROM media") == 1
    assert page_files(settings) == []
