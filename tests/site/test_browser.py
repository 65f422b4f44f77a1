"""End to end in a real browser: Debian's Chromium, driven by Playwright, against a real
`hub serve` on 127.0.0.1. The owner signs in, creates a token, and approves a pending
revision made through the v1 API; a screenshot is saved in test-artifacts/.

Skipped, with the reason, when Chromium (/usr/bin/chromium) or Playwright is missing;
`make test` installs both where it can.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hub.core import auth
from tests.factories import make_ap_actor, make_ap_follower, make_credential
from tests.served import serve_hub
from tests.site.auth_fixtures import Flow, client_app, make_owner, query_of  # noqa: F401 - fixture

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip

pytestmark = pytest.mark.slow


def _requirements() -> str | None:
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium is not installed at {CHROMIUM} (`apt-get install chromium`)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (`pip install -e '.[dev]'`)"
    return None


@pytest.fixture
def live_hub(db, settings, tmp_path) -> Iterator[str]:
    """`hub serve` without a worker; the IndieAuth client site below is on 127.0.0.1."""
    yield from serve_hub(
        settings, tmp_path, run_worker=False, requirements=_requirements,
        HUB_ALLOW_LOOPBACK_FETCH="1",
    )  # fmt: skip


async def test_owner_signs_in_creates_a_token_and_approves_a_revision(live_hub, db):
    from playwright.async_api import async_playwright

    owner = await make_owner(db)
    key = await make_credential(db, owner.author_id, kind="api_key")
    headers = {"Authorization": f"Bearer {key}"}
    article = {
        "slug": "hello",
        "default_language": "en",
        "status": "published",
        "translations": [{"language": "en", "title": "Hello", "content_markdown": "First."}],
    }
    async with httpx.AsyncClient(base_url=live_hub, timeout=30) as api:
        r = await api.post("/api/v1/channels/ada/pages", json=article, headers=headers)
        assert r.status_code == 201, r.text  # published at once (moderation auto)
        entry_id = r.json()["id"]
        await db.execute("UPDATE authors SET moderation = 'manual' WHERE id = $1", owner.author_id)
        article["translations"][0]["title"] = "Hello, revised"
        r = await api.post("/api/v1/channels/ada/pages", json=article, headers=headers)
        assert r.status_code in (200, 201), r.text
        assert r.json()["status"] == "moderation_review"
    assert await db.fetchval(
        "SELECT count(*) FROM entry_revisions WHERE entry_id = $1 AND status = 'moderation_review'",
        entry_id,
    ) == 1  # fmt: skip

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 900})
            await page.goto(live_hub + "/dashboard")
            assert "/dashboard/login" in page.url
            await page.get_by_label("Name").fill(owner.name)
            await page.get_by_label("Password").fill(owner.password)
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_url(live_hub + "/dashboard")
            assert await page.get_by_role("heading", name="Overview").is_visible()

            await page.get_by_role("link", name="Tokens and keys", exact=True).click()
            await page.get_by_label("Name (what it is for)").fill("Browser token")
            await page.get_by_role("button", name="Create").click()
            secret = (await page.get_by_test_id("secret").inner_text()).strip()
            principal = await auth.resolve_principal(
                db, auth.PresentedToken(secret, auth.VIA_BEARER)
            )
            assert principal.author_id == owner.author_id

            await page.get_by_role("link", name="Moderation", exact=True).click()
            assert await page.get_by_text("changed while public: en").is_visible()
            await page.screenshot(path=str(ARTIFACTS / "dashboard-moderation-queue.png"))
            await page.get_by_role("button", name="Approve Hello").click()
            await page.wait_for_url("**/dashboard/moderation?done=approved*")
            assert await page.get_by_text("Nothing waits for moderation.").is_visible()
            await page.screenshot(path=str(ARTIFACTS / "dashboard-approved.png"), full_page=True)
        finally:
            await browser.close()
    row = await db.fetchrow(
        "SELECT e.status, t.title FROM entries e JOIN entry_translations t ON t.entry_id = e.id"
        " WHERE e.id = $1",
        entry_id,
    )
    assert tuple(row) == ("published", "Hello, revised")
    assert (ARTIFACTS / "dashboard-approved.png").stat().st_size > 0


async def test_owner_approves_an_indieauth_sign_in(live_hub, db, client_app):
    """A Micropub client's sign-in: the consent page in the browser, the redirect back to the
    client (allowed by the page's CSP form-action), the code redeemed for a token."""
    from playwright.async_api import async_playwright

    owner = await make_owner(db)
    flow = Flow(client_app.json_id, client_app.redirect_uri, scope="create media")
    url = httpx.URL(live_hub + "/auth", params=flow.params(me=live_hub + "/ada"))
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.goto(str(url))
            await page.get_by_label("Name").fill(owner.name)
            await page.get_by_label("Password").fill(owner.password)
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_url("**/auth?**")
            assert await page.get_by_text("Sign in to Test Writer?").is_visible()
            await page.get_by_label("create: Create posts").uncheck()
            await page.screenshot(path=str(ARTIFACTS / "indieauth-consent.png"), full_page=True)
            await page.get_by_role("button", name="Approve").click()
            await page.wait_for_url(client_app.redirect_uri + "?**")
            query = query_of(page.url)
        finally:
            await browser.close()
    assert query["state"] == flow.state and query["iss"] == live_hub + "/"
    async with httpx.AsyncClient(base_url=live_hub, timeout=30) as http:
        r = await http.post("/auth/token", data={
            "grant_type": "authorization_code", "code": query["code"],
            "client_id": flow.client_id, "redirect_uri": flow.redirect_uri,
            "code_verifier": flow.verifier})  # fmt: skip
    body = r.json()
    assert r.status_code == 200, body
    assert body["me"] == live_hub + "/ada" and body["scope"] == "media"
    principal = await auth.resolve_principal(
        db, auth.PresentedToken(body["access_token"], auth.VIA_BEARER)
    )
    assert principal.kind == "indieauth" and principal.scopes == {"media"}


async def test_micropub_post_from_an_indieauth_client_appears_on_the_blog(live_hub, db, client_app):
    """The whole path a new user follows: sign in from a client, post with its token through
    Micropub, see the entry on the blog in the browser."""
    from playwright.async_api import async_playwright

    owner = await make_owner(db)
    flow = Flow(client_app.json_id, client_app.redirect_uri, scope="create")
    url = httpx.URL(live_hub + "/auth", params=flow.params(me=live_hub + "/ada"))
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.goto(str(url))
            await page.get_by_label("Name").fill(owner.name)
            await page.get_by_label("Password").fill(owner.password)
            await page.get_by_role("button", name="Sign in").click()
            await page.get_by_role("button", name="Approve").click()
            await page.wait_for_url(client_app.redirect_uri + "?**")
            code = query_of(page.url)["code"]
            async with httpx.AsyncClient(base_url=live_hub, timeout=30) as http:
                token = (
                    await http.post(
                        "/auth/token",
                        data={
                            "grant_type": "authorization_code",
                            "code": code,
                            "client_id": flow.client_id,
                            "redirect_uri": flow.redirect_uri,
                            "code_verifier": flow.verifier,
                        },
                    )
                ).json()["access_token"]
                r = await http.post(
                    "/micropub",
                    data={"h": "entry", "content": "Posted from a Micropub client"},
                    headers={"Authorization": f"Bearer {token}"},
                )
            assert r.status_code == 201, r.text
            await page.goto(r.headers["location"])
            assert await page.get_by_text("Posted from a Micropub client").is_visible()
            await page.screenshot(path=str(ARTIFACTS / "micropub-entry.png"), full_page=True)
        finally:
            await browser.close()


async def test_owner_approves_a_pending_fediverse_follower(live_hub, db):
    from playwright.async_api import async_playwright

    owner = await make_owner(db)
    actor = await make_ap_actor(db, "https://social.example/users/bob", preferred_username="bob",
                                name="Bob Fedi")  # fmt: skip
    follower = await make_ap_follower(db, owner.channel_id, actor, status="pending")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 900})
            await page.goto(live_hub + "/dashboard/login")
            await page.get_by_label("Name").fill(owner.name)
            await page.get_by_label("Password").fill(owner.password)
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_url(live_hub + "/dashboard")
            await page.get_by_role("link", name="Fediverse", exact=True).click()
            await page.get_by_role("link", name="Ada").first.click()
            assert await page.get_by_role("heading", name="Waiting for approval (1)").is_visible()
            await page.get_by_role("button", name="Approve @bob@social.example").click()
            await page.wait_for_url("**/dashboard/fediverse/*?done=approved")
            assert await page.get_by_role("heading", name="Followers (1)").is_visible()
            assert await page.get_by_text("Bob Fedi").is_visible()
        finally:
            await browser.close()
    assert await db.fetchval("SELECT status FROM ap_followers WHERE id = $1", follower) == (
        "accepted"
    )
    staged = await db.fetchval(
        "SELECT args FROM job_outbox WHERE function = 'send_follow_decision'"
    )
    assert list(staged) == [follower, True]
