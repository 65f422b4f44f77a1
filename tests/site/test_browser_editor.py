"""The post editor end to end in a real browser (Debian's Chromium driven by Playwright)
against a real `hub serve` on 127.0.0.1 that runs its worker in process, as a person uses it:
write an illustrated article and publish it; finish a draft a Micropub client sent; schedule
a post and see the worker publish it; add a German translation; meet an edit made meanwhile
through the v1 API; unpublish and delete. Screenshots go to test-artifacts/.

Skipped, with the reason, when Chromium or Playwright is missing (as tests/site/test_browser.py).
Run one at a time: `pytest tests/site/test_browser_editor.py -k publish`.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import feedparser
import httpx
import pytest

from tests.factories import make_credential
from tests.images import jpeg
from tests.served import serve_hub
from tests.site.auth_fixtures import Owner, make_owner
from tests.site.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _requirements

pytestmark = pytest.mark.slow
TITLE = re.compile(r"^Title")  # not "Slug (... from the title)"
BODY = re.compile(r"^Body")  # not "Their body (read-only)"


@pytest.fixture
def editor_hub(db, settings, tmp_path) -> Iterator[str]:
    """A real `hub serve` with its worker in process (scheduled publishing), on the test
    database, at http://127.0.0.1:PORT."""
    yield from serve_hub(settings, tmp_path, run_worker=True, requirements=_requirements)


@pytest.fixture
async def page(editor_hub) -> AsyncIterator:
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = await browser.new_page(viewport={"width": 1200, "height": 1000})
            tab.set_default_timeout(15_000)
            yield tab
        finally:
            await browser.close()


async def _sign_in(page, base: str, owner: Owner, path: str = "/dashboard/new") -> None:
    await page.goto(base + path)
    await page.get_by_label("Name").fill(owner.name)
    await page.get_by_label("Password").fill(owner.password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(base + path)


async def _source(base: str, token: str, url: str) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        r = await http.get(
            "/micropub", params={"q": "source", "url": url},
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
    assert r.status_code == 200, r.text
    return r.json()["properties"]


async def test_article_with_an_image_and_two_tags_previewed_and_published(
    page, editor_hub, db, tmp_path
):
    from playwright.async_api import expect

    owner = await make_owner(db)
    token = await make_credential(db, owner.author_id, kind="app_token")
    photo = tmp_path / "harbour.jpg"
    photo.write_bytes(jpeg(320, 200))
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept("A harbour at dusk")))
    await _sign_in(page, editor_hub, owner)

    await page.get_by_label(TITLE).fill("Harbour notes")
    body = page.get_by_label(BODY)
    await body.fill("The boats came in *late* tonight.")
    await page.get_by_label("Add images").set_input_files(str(photo))
    await expect(body).to_have_value(re.compile(r"!\[A harbour at dusk\]\(http://.+\.webp\)"))
    await page.get_by_label("Tags").fill("harbour, evening walks")
    preview = page.locator("#preview")
    await expect(preview.locator("em")).to_have_text("late")
    await expect(preview.get_by_role("img", name="A harbour at dusk")).to_be_visible()
    await page.screenshot(path=str(ARTIFACTS / "editor-preview.png"), full_page=True)

    await page.get_by_role("button", name="Publish now").click()
    await page.wait_for_url(re.compile(r"/dashboard/posts/\d+/edit"))
    await expect(page.get_by_text("Published.")).to_be_visible()

    url = f"{editor_hub}/ada/harbour-notes"
    async with httpx.AsyncClient(timeout=30) as http:
        blog = await http.get(url)
        feed = feedparser.parse((await http.get(f"{editor_hub}/ada/atom.xml")).content)
    assert blog.status_code == 200 and "<em>late</em>" in blog.text
    assert 'alt="A harbour at dusk"' in blog.text
    item = feed.entries[0]
    assert item.title == "Harbour notes" and "A harbour at dusk" in item.content[0].value
    assert {t.term for t in item.tags} == {"harbour", "evening walks"}
    props = await _source(editor_hub, token, url)
    assert props["name"] == ["Harbour notes"]
    assert props["category"] == ["harbour", "evening walks"]
    assert props["content"][0].startswith("The boats came in *late* tonight.")
    assert "![A harbour at dusk](" in props["content"][0]
    image = re.search(r"\]\((\S+\.webp)\)", props["content"][0]).group(1)
    async with httpx.AsyncClient(timeout=30) as http:
        assert (await http.get(image)).status_code == 200


async def test_micropub_draft_finished_and_published_at_its_location(page, editor_hub, db):
    from playwright.async_api import expect

    owner = await make_owner(db)
    token = await make_credential(db, owner.author_id, kind="app_token")
    async with httpx.AsyncClient(base_url=editor_hub, timeout=30) as http:
        r = await http.post(
            "/micropub",
            json={"type": ["h-entry"],
                  "properties": {"content": ["Written on the train"], "post-status": ["draft"]}},
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
    assert r.status_code == 201, r.text
    location = r.headers["location"]
    await _sign_in(page, editor_hub, owner, location.removeprefix(editor_hub))
    body = page.get_by_label(BODY)
    await expect(body).to_have_value("Written on the train")
    await body.press("End")
    await body.type(", and finished at home.")
    await page.get_by_role("button", name="Publish now").click()
    await expect(page.get_by_text("Published.")).to_be_visible()
    slug = await db.fetchval("SELECT slug FROM entries WHERE status = 'published'")
    async with httpx.AsyncClient(timeout=30) as http:
        shown = await http.get(f"{editor_hub}/ada/{slug}")
    assert shown.status_code == 200
    assert "Written on the train, and finished at home." in shown.text


async def test_scheduled_post_published_by_the_worker(page, editor_hub, db):
    from playwright.async_api import expect

    owner = await make_owner(db)
    await db.execute("UPDATE authors SET plan = 'pro' WHERE id = $1", owner.author_id)
    await _sign_in(page, editor_hub, owner)
    await page.get_by_label(TITLE).fill("Right on time")
    await page.get_by_label(BODY).fill("Published by the worker.")
    when = (datetime.now(UTC) + timedelta(seconds=65)).replace(second=0, microsecond=0)
    await page.get_by_label("Publish at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    await page.get_by_label("Time zone of that date").select_option("UTC")
    await page.get_by_role("button", name="Schedule").click()
    await page.wait_for_url(re.compile(r"/dashboard/posts/\d+/edit"))
    row = await db.fetchrow("SELECT status, scheduled_at FROM entries")
    assert row["status"] == "scheduled" and row["scheduled_at"] == when
    deadline = time.monotonic() + 150
    async with httpx.AsyncClient(timeout=30) as http:
        while time.monotonic() < deadline:
            if (await http.get(f"{editor_hub}/ada/right-on-time")).status_code == 200:
                break
            await asyncio.sleep(1)
        else:
            pytest.fail("the worker did not publish the scheduled post")
    await page.reload()
    await expect(page.locator("dd.status").first).to_contain_text("published")


async def test_german_translation_added_and_published(page, editor_hub, db):
    from playwright.async_api import expect

    owner = await make_owner(db)
    await _sign_in(page, editor_hub, owner)
    await page.get_by_label(TITLE).fill("Good morning")
    await page.get_by_label(BODY).fill("The sun is up.")
    await page.get_by_role("button", name="Publish now").click()
    await expect(page.get_by_text("Published.")).to_be_visible()
    await page.get_by_label("Language code").fill("de")
    await page.get_by_role("button", name="Add or edit translation").click()
    await page.wait_for_url(re.compile(r"lang=de"))
    await page.get_by_label(TITLE).fill("Guten Morgen")
    await page.get_by_label(BODY).fill("Die Sonne ist aufgegangen.")
    await page.get_by_role("button", name="Publish now").click()
    await page.wait_for_url(re.compile(r"lang=de"))
    status = await db.fetchval("SELECT status FROM entry_translations WHERE language = 'de'")
    assert status == "published"
    async with httpx.AsyncClient(timeout=30, follow_redirects=True) as http:
        german = await http.get(f"{editor_hub}/ada/good-morning", params={"lang": "de"})
    assert "Die Sonne ist aufgegangen." in german.text


async def test_v1_edit_meanwhile_is_shown_as_a_conflict(page, editor_hub, db):
    from playwright.async_api import expect

    owner = await make_owner(db)
    key = await make_credential(db, owner.author_id, kind="api_key")
    headers = {"Authorization": f"Bearer {key}"}
    article = {
        "slug": "shared", "default_language": "en", "status": "published",
        "translations": [{"language": "en", "title": "Shared", "content_markdown": "First."}],
    }  # fmt: skip
    async with httpx.AsyncClient(base_url=editor_hub, timeout=30) as api:
        r = await api.post("/api/v1/channels/ada/pages", json=article, headers=headers)
        assert r.status_code == 201, r.text
        entry_id = r.json()["id"]
        await _sign_in(page, editor_hub, owner, f"/dashboard/posts/{entry_id}/edit")
        await page.get_by_label(BODY).fill("Mine.")
        article["translations"][0]["content_markdown"] = "Theirs, from an agent."
        r = await api.post("/api/v1/channels/ada/pages", json=article, headers=headers)
        assert r.status_code in (200, 201), r.text
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.get_by_role("heading", name=re.compile("Their version"))).to_be_visible()
    await expect(page.get_by_label("Their body (read-only)")).to_have_value(
        "Theirs, from an agent."
    )
    await expect(page.get_by_label(BODY)).to_have_value("Mine.")
    await page.screenshot(path=str(ARTIFACTS / "editor-conflict.png"), full_page=True)
    body = await db.fetchval(
        "SELECT body_source FROM entry_translations WHERE entry_id = $1", entry_id
    )
    assert body == "Theirs, from an agent."


async def test_unpublish_then_delete(page, editor_hub, db):
    from playwright.async_api import expect

    owner = await make_owner(db)
    await _sign_in(page, editor_hub, owner)
    await page.get_by_label(TITLE).fill("Short lived")
    await page.get_by_label(BODY).fill("Here for a moment.")
    await page.get_by_role("button", name="Publish now").click()
    await expect(page.get_by_text("Published.")).to_be_visible()
    await page.get_by_role("button", name="Unpublish").click()
    await page.wait_for_url(re.compile(r"saved=unpublish"))
    async with httpx.AsyncClient(timeout=30) as http:
        assert (await http.get(f"{editor_hub}/ada/short-lived")).status_code in (404, 410)
    await page.get_by_role("link", name="Delete this entry").click()
    await page.get_by_role("button", name=re.compile("Delete")).click()
    assert await db.fetchval("SELECT deleted_at IS NOT NULL FROM entries") is True
