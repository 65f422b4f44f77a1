"""E4 POST pages (upsert by slug) and E5 GET page."""

from __future__ import annotations

import asyncio

from hub.core.long_texts import LONG_TEXT
from hub.core.offload import INLINE_BYTES
from tests.channels.conftest import article, make_account, two_languages

PAGES = "/api/v1/channels/ada_blog/pages"


async def test_201_create_published(client, account):
    r = await client.post(PAGES, json=article(), headers=account.headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["location"] == "/api/v1/channels/ada_blog/pages/agent_post"
    assert r.headers["etag"] == f'"v{body["version"]}"'
    assert body["project"] == "ada_blog" and body["slug"] == "agent_post"
    assert body["status"] == "published" and body["moderation"] == "approved"
    assert body["published_at"].endswith("+00:00") and body["scheduled_at"] is None
    assert body["url"] == "http://hub.test/ada_blog/agent_post"  # the page's one URL
    assert body["translations"][0]["url"] == body["url"]
    assert body["edit_url"].startswith("http://hub.test/dashboard/")
    [en] = body["translations"]
    assert en["content_html"] == (
        "<p>Body from <strong>agent</strong>.</p>\n<h2>First section</h2>\n<p>More.</p>"
    )
    assert en["status"] == "published" and en["pending_revision"] is None
    assert body["translation_status_summary"]["all_translations_published"] is True
    assert body["warnings"] == []


async def test_201_url_of_the_primary_has_no_lang_and_translations_keep_theirs(client, account):
    """The v1 `url` links to the page: the primary translation's is the entry's one URL (no
    `lang`), each other translation's names its language (issue 16)."""
    r = await client.post(PAGES, json=two_languages(), headers=account.headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["url"] == "http://hub.test/ada_blog/agent_post"
    assert {t["language"]: t["url"] for t in body["translations"]} == {
        "en": "http://hub.test/ada_blog/agent_post",
        "ru": "http://hub.test/ada_blog/agent_post?lang=ru",
    }
    page = await client.get(body["url"])
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert (await client.get(body["translations"][1]["url"])).status_code == 200


async def test_201_default_is_draft_and_slug_generated(client, account):
    payload = article(slug=None)
    del payload["status"]
    r = await client.post(PAGES, json=payload, headers=account.headers)
    assert r.status_code == 201
    assert r.json()["slug"] == "agent_post" and r.json()["status"] == "draft"
    r = await client.post(PAGES, json=payload, headers=account.headers)
    assert r.status_code == 201 and r.json()["slug"] == "agent_post_2"


async def test_200_post_existing_slug_updates(client, account):
    await client.post(PAGES, json=article(status="draft"), headers=account.headers)
    payload = {"slug": "agent_post", "translations": [{"language": "en", "excerpt": "New."}]}
    r = await client.post(PAGES, json=payload, headers=account.headers)
    assert r.status_code == 200, r.text
    [en] = r.json()["translations"]
    assert en["excerpt"] == "New." and en["title"] == "Agent post"
    assert r.json()["status"] == "draft"


async def test_concurrent_posts_of_one_slug_create_once_then_update(client, db, account):
    bodies = [article(status="draft") for _ in range(6)]
    for i, body in enumerate(bodies):
        body["translations"][0]["excerpt"] = f"Version {i}."
    results = await asyncio.gather(
        *(client.post(PAGES, json=body, headers=account.headers) for body in bodies)
    )
    assert sorted(r.status_code for r in results) == [200] * 5 + [201]
    assert await db.fetchval("SELECT count(*) FROM entries") == 1
    assert await db.fetchval("SELECT version FROM entries") == 6  # each request one step
    excerpts = {r.json()["translations"][0]["excerpt"] for r in results}
    assert len(excerpts) == 6  # each saw its own write: none was lost or merged


async def test_slug_taken_by_a_writer_without_the_slug_lock_is_updated(client, db, account):
    """A Micropub-style insert of the slug commits after the upsert looked and found none: the
    upsert's one-statement create writes nothing then, and it updates the article instead."""
    channel = await db.fetchrow("SELECT id, author_id FROM channels WHERE slug = 'ada_blog'")
    async with db.acquire() as rival:
        tx = rival.transaction()
        await tx.start()
        await rival.execute(
            "INSERT INTO entries (channel_id, author_id, slug, default_language, created_via)"
            " VALUES ($1, $2, 'agent_post', 'en', 'micropub')",
            channel["id"], channel["author_id"],
        )  # fmt: skip
        upsert = asyncio.create_task(
            client.post(PAGES, json=article(status="draft"), headers=account.headers)
        )
        for _ in range(200):  # until the upsert's INSERT waits for the rival's row
            waiting = await db.fetchval(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO entries%'"
            )
            if waiting:
                break
            await asyncio.sleep(0.01)
        assert waiting
        await tx.commit()
        r = await upsert
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["slug"] == "agent_post" and [t["language"] for t in body["translations"]] == ["en"]
    assert await db.fetchval("SELECT count(*) FROM entries") == 1
    assert await db.fetchval("SELECT created_via FROM entries") == "micropub"
    assert await db.fetchval("SELECT count(*) FROM entry_translations") == 1


async def test_422_body_after_404_channel_and_403_owner(client, account, other):
    r = await client.post("/api/v1/channels/none/pages", content=b"nope", headers=account.headers)
    assert r.status_code == 404
    r = await client.post("/api/v1/channels/bob_blog/pages", content=b"{", headers=account.headers)
    assert r.status_code == 403


async def test_200_identical_resend_is_a_noop(client, account):
    first = (await client.post(PAGES, json=two_languages(), headers=account.headers)).json()
    again = await client.post(PAGES, json=two_languages(), headers=account.headers)
    assert again.status_code == 200
    assert again.json()["version"] == first["version"]
    assert again.json()["warnings"] == []


async def test_201_publish_translations_default_true(client, account):
    r = await client.post(PAGES, json=two_languages(), headers=account.headers)
    body = r.json()
    assert [t["status"] for t in body["translations"]] == ["published", "published"]
    summary = body["translation_status_summary"]
    assert summary["published"] == ["en", "ru"] and summary["all_translations_published"]


async def test_201_publish_translations_false_keeps_secondaries_draft(client, account):
    r = await client.post(
        PAGES, json=two_languages(publish_translations=False), headers=account.headers
    )
    body = r.json()
    assert body["status"] == "published"
    assert [t["status"] for t in body["translations"]] == ["published", "draft"]
    summary = body["translation_status_summary"]
    assert summary["draft_translation_languages"] == ["ru"]
    assert summary["all_translations_public_or_pending"] is False


async def test_422_secondary_published_before_primary(client, account):
    payload = two_languages(status="draft")
    payload["translations"][1]["status"] = "published"
    r = await client.post(PAGES, json=payload, headers=account.headers)
    assert r.status_code == 422
    assert r.json()["errors"] == {
        "translations.1.status": [
            "A translation cannot be published before the primary language is published. Save "
            "it as draft, or publish it together with the primary language using "
            "publish_translations=true."
        ]
    }


async def test_422_leaves_nothing_written(client, db, account):
    payload = two_languages()
    payload["translations"][1]["content_markdown"] = ""
    r = await client.post(PAGES, json=payload, headers=account.headers)
    assert r.status_code == 422
    assert r.json()["errors"] == {
        "translations.1.content_markdown": ["A body is required to publish this translation."]
    }
    assert await db.fetchval("SELECT count(*) FROM entries") == 0
    assert await db.fetchval("SELECT count(*) FROM entry_translations") == 0


async def test_422_validation_paths(client, account):
    payload = {
        "slug": "Bad slug",
        "status": "live",
        "publish_translations": "maybe",
        "scheduled_at": "2026-05-20T10:00:00",
        "translations": [
            {"language": "english", "title": ""},
            {"language": "en"},
            {"language": "EN"},
        ],
    }
    r = await client.post(PAGES, json=payload, headers=account.headers)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert set(errors) >= {"slug", "status", "publish_translations", "scheduled_at",
                           "translations.0.language", "translations.2.language"}  # fmt: skip
    assert errors["scheduled_at"] == [
        "The scheduled_at must include a time zone offset, for example 2026-05-20T10:00:00+00:00."
    ]
    assert errors["translations.2.language"] == ["The language en appears more than once."]
    assert r.json()["message"].startswith(errors["slug"][0] + " (and ")


async def test_422_not_json(client, account):
    r = await client.post(PAGES, content=b"nope", headers=account.headers)
    assert r.status_code == 422
    assert r.json()["errors"] == {"body": ["The request body must be a JSON object."]}


async def test_404_channel_and_article(client, account):
    r = await client.post("/api/v1/channels/none/pages", json=article(), headers=account.headers)
    assert r.status_code == 404 and r.json()["message"] == "Channel not found."
    r = await client.get(PAGES + "/none", headers=account.headers)
    assert r.status_code == 404 and r.json()["message"] == "Article not found."


async def test_403_other_owner(client, account, other):
    r = await client.post(
        "/api/v1/channels/bob_blog/pages", json=article(), headers=account.headers
    )
    assert r.status_code == 403


async def test_403_plan_without_api_publishing(client, db, settings, resources):
    import dataclasses

    import httpx

    from hub.app import create_app

    limited = dataclasses.replace(settings, v1_plans=("pro",))
    free = await make_account(db, "Eve", plan="free")
    app = create_app(limited, dataclasses.replace(resources, settings=limited))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
    ) as http:
        r = await http.post("/api/v1/channels/eve_blog/pages", json=article(), headers=free.headers)
    assert r.status_code == 403
    assert r.json()["message"] == "API publishing is not available on this account level yet."


async def test_413_body_too_large(client, account, settings):
    big = b'{"x": "' + b"a" * (settings.v1_max_body_bytes + 1) + b'"}'
    r = await client.post(
        PAGES, content=big, headers={**account.headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["message"].startswith("The request body is too large.")
    assert r.json()["errors"] == {}


async def test_200_get_page(client, account):
    await client.post(PAGES, json=two_languages(), headers=account.headers)
    r = await client.get(PAGES + "/agent_post", headers=account.headers)
    assert r.status_code == 200
    body = r.json()
    assert [t["language"] for t in body["translations"]] == ["en", "ru"]
    assert body["translations"][0]["content_markdown"].startswith("Body from")


async def test_200_get_post_round_trip_is_silent(client, account):
    created = (await client.post(PAGES, json=two_languages(), headers=account.headers)).json()
    r = await client.post(PAGES, json=created, headers=account.headers)
    assert r.status_code == 200
    assert r.json()["warnings"] == [] and r.json()["version"] == created["version"]


async def test_201_warnings(client, account):
    payload = article()
    payload["translations"][0].update(
        content_markdown="# Agent post\n\nIntro <script>alert(1)</script> here.\n\n# Part",
        excerpt="Intro",
        body="typo",
    )
    r = await client.post(PAGES, json=payload, headers=account.headers)
    codes = {w["code"] for w in r.json()["warnings"]}
    assert codes == {
        "unknown_field",
        "title_h1_removed",
        "h1_demoted",
        "html_sanitized",
        "excerpt_repeats_body",
    }
    html = r.json()["translations"][0]["content_html"]
    assert "<script" not in html and "<h1" not in html and html.startswith("<p>Intro")


async def test_201_hostile_html(client, account):
    payload = article()
    payload["translations"][0] = {
        "language": "en",
        "title": "T",
        "content_html": '<p onclick="x()">Hi <a href="javascript:alert(1)">x</a></p>'
        '<iframe src="//e"></iframe><img src=x onerror=alert(1)>',
    }
    r = await client.post(PAGES, json=payload, headers=account.headers)
    assert r.status_code == 201
    t = r.json()["translations"][0]
    assert "onclick" not in t["content_html"] and "javascript:" not in t["content_html"]
    assert "iframe" not in t["content_html"] and "onerror" not in t["content_html"]
    assert t["content_markdown"] is None
    [w] = r.json()["warnings"]
    assert w["code"] == "html_sanitized" and w["field"] == "translations.0.content_html"


async def test_200_legacy_projects_pages(client, account):
    r = await client.post(
        "/api/v1/projects/ada_blog/pages", json=article(), headers=account.headers
    )
    assert r.status_code == 201 and r.headers["deprecation"] == "true"
    r = await client.get("/api/v1/projects/ada_blog/pages/agent_post", headers=account.headers)
    assert r.status_code == 200 and r.json()["project"] == "ada_blog"


async def test_200_dry_run_writes_nothing(client, db, account):
    r = await client.post(PAGES + "?dry_run=true", json=article(), headers=account.headers)
    assert r.status_code == 200 and r.headers["x-dry-run"] == "true"
    assert r.json()["status"] == "published"
    assert await db.fetchval("SELECT count(*) FROM entries") == 0


async def test_201_long_articles_are_stored_and_answered_whole(client, db, account):
    """Bodies over 1 MiB together go to PostgreSQL in slices (`hub.core.long_texts`) and the
    sanitiser's check runs in the worker process: the stored article, its answer and its
    warnings are those of a short one, in every translation."""
    paragraph = "Some *text* with <b>raw html</b><script>x()</script> and é ✓.\n\n"
    body = two_languages(status="draft")
    body["translations"][0]["content_markdown"] = "# Agent post\n\n" + paragraph * 12_000
    body["translations"][1]["content_markdown"] = "Текст.\n\n" + paragraph * 9_000
    r = await client.post(PAGES, json=body, headers=account.headers)
    assert r.status_code == 201, r.text
    answer = {t["language"]: t for t in r.json()["translations"]}
    for sent in body["translations"]:
        got = answer[sent["language"]]
        assert got["content_markdown"] == sent["content_markdown"].strip()
        assert got["content_html"].count("<strong>raw html</strong>") == 0
        assert got["content_html"].count("<b>raw html</b>") == len(sent["content_markdown"]) // (
            len(paragraph)
        )
        assert "<script>" not in got["content_html"]
    bodies = [t[f] for t in answer.values() for f in ("content_markdown", "content_html")]
    assert sum(map(len, bodies)) > LONG_TEXT and min(map(len, bodies)) > INLINE_BYTES
    assert {w["code"] for w in r.json()["warnings"]} >= {"html_sanitized", "title_h1_removed"}
    stored = await db.fetch(
        "SELECT language, body_source, content_html FROM entry_translations ORDER BY language"
    )
    assert {(s["language"], s["body_source"], s["content_html"]) for s in stored} == {
        (t["language"], t["content_markdown"], t["content_html"]) for t in answer.values()
    }
    again = await client.get(f"{PAGES}/agent_post", headers=account.headers)
    assert again.json()["translations"] == r.json()["translations"]
