"""Verification of received webmentions against real sources on 127.0.0.1 (§1.5): each
mention type, authorship, sanitising, size and time limits, the address guard, updates and
deletes. Each test asserts what is stored (and, where it matters, what the list shows)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from arq import Retry

from hub.core.fetch import GuardedClient
from hub.webmentions import jobs as webmention_jobs
from hub.webmentions.verify.verifier import verify
from hub.worker import build_worker
from tests.factories import make_entry
from tests.stubs import LoopbackOnly
from tests.webmentions.fixtures import app_client, entry_url, make_blog

WM = "/api/webmentions"


def page(body: str, title: str = "A post") -> str:
    return f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"


def h_entry(
    target: str, prop: str = "in-reply-to", content: str = "Great post!", extra: str = ""
) -> str:
    link = (
        f'<a class="u-{prop}" href="{target}">the post</a>' if prop else f'<a href="{target}">x</a>'
    )
    return page(
        '<article class="h-entry">'
        '<span class="p-author h-card"><a class="u-url p-name" href="https://alice.example/">'
        'Alice</a><img class="u-photo" src="https://alice.example/me.jpg" alt=""></span>'
        f"{link}"
        f'<div class="e-content">{content}</div>'
        '<time class="dt-published" datetime="2026-05-20T12:00:00+02:00">May 20</time>'
        f"{extra}</article>"
    )


async def received(client, source: str, target: str) -> str:
    r = await client.post(WM, data={"source": source, "target": target})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def row_of(db, mention_id: str):
    return await db.fetchrow("SELECT * FROM webmentions WHERE id = $1", mention_id)


@pytest.fixture
async def target(db):
    blog = await make_blog(db)
    await make_entry(db, blog, "first")
    return entry_url(blog, "first")


@pytest.mark.parametrize(
    ("prop", "kind"),
    [("in-reply-to", "reply"), ("like-of", "like"), ("repost-of", "repost"),
     ("bookmark-of", "bookmark"), (None, "mention")],
)  # fmt: skip
async def test_200_each_mention_type_is_stored(
    wm_client, wm_resources, db, site, target, prop, kind
):
    source = site.serve("/post", h_entry(target, prop))
    mention_id = await received(wm_client, source, target)
    worker = build_worker(wm_resources, burst=True, poll_delay=0.05)
    await worker.main()
    await worker.close()
    row = await row_of(db, mention_id)
    assert row["status"] == "approved", row["error"]
    assert row["type"] == kind
    assert (row["author_name"], row["author_url"]) == ("Alice", "https://alice.example/")
    assert row["author_photo"] == "https://alice.example/me.jpg"
    assert row["published_at"] == datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
    assert row["verified_at"] is not None and row["last_http_status"] == 200
    if kind == "mention":
        assert row["content_text"] == "Great post!"
    else:
        assert row["content_html"] == "Great post!"
    [hit] = [h for h in site.seen if h.path == "/post"]
    assert hit.headers["accept"].startswith("text/html")
    listed = await wm_client.get(WM, params={"target": target})
    assert listed.status_code == 200
    [mention] = listed.json()["results"]
    assert mention["type"] == kind and mention["author"]["name"] == "Alice"
    assert mention["published"] == "2026-05-20T10:00:00Z"


async def test_200_a_reply_to_the_old_lang_form_shows_on_the_entry_page(
    wm_client, wm_resources, db, site, target
):
    """A source that links to `…?lang=en` (the permalink before issue 16) is verified against
    that form and shown on the entry's one URL."""
    old = target + "?lang=en"
    source = site.serve("/old", h_entry(old, content="Still here."))
    mention_id = await received(wm_client, source, old)
    await verify(wm_resources, mention_id)
    assert (await row_of(db, mention_id))["status"] == "approved"
    shown = await wm_client.get(target)
    assert 'class="p-comment h-cite"' in shown.text and "Still here." in shown.text
    [listed] = (await wm_client.get(WM, params={"target": target})).json()["results"]
    assert listed["target"] == old


async def test_rsvp_is_a_reply_with_its_value(wm_client, wm_resources, db, site, target):
    source = site.serve("/rsvp", h_entry(target, extra='<data class="p-rsvp" value="yes">'))
    mention_id = await received(wm_client, source, target)
    await verify(wm_resources, mention_id)
    row = await row_of(db, mention_id)
    assert (row["type"], row["rsvp"]) == ("reply", "yes")


async def test_type_order_reply_before_like(wm_client, wm_resources, db, site, target):
    extra = f'<a class="u-like-of" href="{target}">like</a>'
    source = site.serve("/both", h_entry(target, "in-reply-to", extra=extra))
    mention_id = await received(wm_client, source, target)
    await verify(wm_resources, mention_id)
    assert (await row_of(db, mention_id))["type"] == "reply"


async def test_200_xss_in_the_source_is_sanitised(wm_client, wm_resources, db, site, target):
    evil = (
        '<p onclick="steal()">Hi<script>alert(1)</script>'
        '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">click</a>'
        '<a href="https://ok.example/">ok</a></p><iframe src="https://evil.example/"></iframe>'
        "<style>body{display:none}</style>"
    )
    source = site.serve("/xss", h_entry(target, content=evil))
    mention_id = await received(wm_client, source, target)
    await verify(wm_resources, mention_id)
    row = await row_of(db, mention_id)
    html = row["content_html"]
    for bad in ("script", "onclick", "onerror", "javascript:", "<img", "iframe", "style"):
        assert bad not in html, html
    assert '<a href="https://ok.example/" rel="nofollow ugc noopener">ok</a>' in html
    assert row["content_text"] == "Hiclickok"
    shown = await wm_client.get(target)  # the entry page shows the reply, defused
    assert shown.status_code == 200
    assert 'class="p-comment h-cite"' in shown.text and "ok.example" in shown.text
    for bad in ("steal()", "alert(", "evil.example", "display:none"):
        assert bad not in shown.text, bad


async def test_long_content_is_shortened(wm_client, wm_resources, db, site, target):
    source = site.serve("/long", h_entry(target, content="<p>" + "word " * 1000 + "</p>"))
    mention_id = await received(wm_client, source, target)
    await verify(wm_resources, mention_id)
    row = await row_of(db, mention_id)
    assert row["content_text"].endswith("…") and len(row["content_text"]) <= 2001
    assert row["content_html"].startswith("<p>") and row["content_html"].endswith("…</p>")


async def test_author_page_is_fetched_for_its_h_card(wm_client, wm_resources, db, site, target):
    me = site.url("/me")
    site.serve(
        "/me",
        page(f'<div class="h-card"><a class="u-url u-uid p-name" href="{me}">Bob Page</a>'
             '<img class="u-photo" src="https://bob.example/b.png"></div>'),
    )  # fmt: skip
    body = page(
        f'<div class="h-entry"><a class="u-author" href="{me}"></a>'
        f'<a class="u-in-reply-to" href="{target}">re</a><p class="e-content">Yo</p></div>'
    )
    source = site.serve("/by-url", body)
    mention_id = await received(wm_client, source, target)
    await verify(wm_resources, mention_id)
    row = await row_of(db, mention_id)
    assert (row["author_name"], row["author_url"]) == ("Bob Page", me)
    assert row["author_photo"] == "https://bob.example/b.png"


async def test_no_author_falls_back_to_the_source_host(wm_client, wm_resources, db, site, target):
    source = site.serve("/plain", page(f'<p>See <a href="{target}">this</a>.</p>', "Plain page"))
    mention_id = await received(wm_client, source, target)
    await verify(wm_resources, mention_id)
    row = await row_of(db, mention_id)
    assert row["status"] == "approved" and row["type"] == "mention"
    assert (row["author_name"], row["author_url"]) == ("127.0.0.1", site.base + "/")
    assert row["name"] == "Plain page" and row["content_html"] is None


async def test_json_and_text_sources(wm_client, wm_resources, db, site, target):
    as_json = site.serve(
        "/j", f'{{"items": [{{"url": "{target}"}}]}}', content_type="application/json"
    )
    as_text = site.serve("/t", f"I liked {target} a lot", content_type="text/plain")
    for source in (as_json, as_text):
        mention_id = await received(wm_client, source, target)
        await verify(wm_resources, mention_id)
        row = await row_of(db, mention_id)
        assert (row["status"], row["type"]) == ("approved", "mention"), row["error"]


async def test_links_in_comments_and_escaped_text_do_not_count(
    wm_client, wm_resources, db, site, target
):
    body = page(f'<!-- <a href="{target}">x</a> --><code>&lt;a href="{target}"&gt;</code>')
    source = site.serve("/hidden", body)
    mention_id = await received(wm_client, source, target)
    await verify(wm_resources, mention_id)
    row = await row_of(db, mention_id)
    assert row["status"] == "rejected" and "does not link" in row["error"]


async def test_a_50_mb_source_is_refused_by_size(wm_client, wm_resources, db, site, target):
    huge = b"<p>" + b"a" * (50 * 1024 * 1024) + f'<a href="{target}">x</a>'.encode()
    source = site.serve("/huge", huge)
    mention_id = await received(wm_client, source, target)
    await verify(wm_resources, mention_id)
    row = await row_of(db, mention_id)
    assert row["status"] == "rejected" and "too large" in row["error"]
    assert row["content_html"] is None


async def test_a_slow_source_times_out_and_is_retried(wm_resources, db, site, target):
    settings = dataclasses.replace(wm_resources.settings, fetch_timeout_seconds=0.5)
    slow = dataclasses.replace(wm_resources, settings=settings)
    source = site.serve("/slow", h_entry(target), delay=3)
    async for client in app_client(slow):
        mention_id = await received(client, source, target)
    with pytest.raises(Retry) as retry:
        await webmention_jobs.verify_webmention({"resources": slow, "job_try": 1}, mention_id)
    assert retry.value.defer_score == 60_000
    row = await row_of(db, mention_id)
    assert row["status"] == "queued" and "timed out" in row["error"]
    assert row["next_attempt_at"] is not None and row["attempts"] == 1
    last = await webmention_jobs.verify_webmention({"resources": slow, "job_try": 5}, mention_id)
    assert last == "error"
    assert (await row_of(db, mention_id))["status"] == "error"


async def test_loopback_source_is_allowed_only_by_the_test_switch(
    wm_client, wm_resources, db, site, target
):
    source = site.serve("/local", h_entry(target))
    mention_id = await received(wm_client, source, target)  # 127.0.0.1: loopback switch on
    async with GuardedClient(allow_loopback=False) as strict:
        outcome = await verify(dataclasses.replace(wm_resources, fetcher=strict), mention_id)
    assert outcome.status == "rejected"
    row = await row_of(db, mention_id)
    assert row["status"] == "rejected" and "not a public address" in row["error"]
    assert not [h for h in site.seen if h.path == "/local"]
    await db.execute("UPDATE webmentions SET status = 'queued' WHERE id = $1", mention_id)
    assert (await verify(wm_resources, mention_id)).status == "approved"


async def test_redirect_to_169_254_169_254_is_refused_before_connecting(
    wm_client, wm_resources, db, site, target
):
    source = site.serve(
        "/hop", status=302, headers=[("Location", "http://169.254.169.254/latest/meta-data/")]
    )
    mention_id = await received(wm_client, source, target)
    net = LoopbackOnly()
    async with GuardedClient(allow_loopback=True, backend=net) as guarded:
        await verify(dataclasses.replace(wm_resources, fetcher=guarded), mention_id)
    row = await row_of(db, mention_id)
    assert row["status"] == "rejected" and "169.254.169.254" in row["error"]
    assert net.connected == ["127.0.0.1"]  # the source server only


async def test_200_update_changes_the_stored_mention(wm_client, wm_resources, db, site, target):
    source = site.serve("/post", h_entry(target, content="First words"))
    mention_id = await received(wm_client, source, target)
    await verify(wm_resources, mention_id)
    assert (await row_of(db, mention_id))["content_html"] == "First words"
    site.serve("/post", h_entry(target, "like-of", content="Second words"))
    assert await received(wm_client, source, target) == mention_id
    assert (await row_of(db, mention_id))["status"] == "approved"  # shown until re-verified
    await verify(wm_resources, mention_id)
    row = await row_of(db, mention_id)
    assert (row["content_html"], row["type"]) == ("Second words", "like")
    assert row["resend_seq"] == 1
    shown = (await wm_client.get(target)).text  # now in the likes facepile, not a reply
    assert 'class="u-like h-cite"' in shown and "First words" not in shown


async def test_200_a_source_gone_410_removes_the_mention(wm_client, wm_resources, db, site, target):
    source = site.serve("/post", h_entry(target))
    mention_id = await received(wm_client, source, target)
    await verify(wm_resources, mention_id)
    assert "Great post!" in (await wm_client.get(target)).text
    site.serve("/post", "gone", status=410)
    await received(wm_client, source, target)
    await verify(wm_resources, mention_id)
    row = await row_of(db, mention_id)
    assert row["status"] == "deleted" and row["deleted_at"] is not None
    assert row["content_html"] is None and row["content_text"] is None
    listed = await wm_client.get(WM, params={"target": target})
    assert listed.json() == {"count": 0, "next": None, "results": []}
    assert "Great post!" not in (await wm_client.get(target)).text


async def test_a_source_that_stops_linking_is_deleted(wm_client, wm_resources, db, site, target):
    source = site.serve("/post", h_entry(target))
    mention_id = await received(wm_client, source, target)
    await verify(wm_resources, mention_id)
    site.serve("/post", page("<p>Nothing here any more.</p>"))
    await received(wm_client, source, target)
    await verify(wm_resources, mention_id)
    row = await row_of(db, mention_id)
    assert row["status"] == "deleted" and "no longer links" in row["error"]


async def test_404_deletes_an_approved_mention_only_the_second_time(
    wm_client, wm_resources, db, site, target
):
    source = site.serve("/post", h_entry(target))
    mention_id = await received(wm_client, source, target)
    await verify(wm_resources, mention_id)
    site.serve("/post", "missing", status=404)
    await received(wm_client, source, target)
    outcome = await verify(wm_resources, mention_id)
    assert outcome.retry_in == 3600
    row = await row_of(db, mention_id)
    assert row["status"] == "approved" and row["not_found_at"] is not None
    await db.execute(
        "UPDATE webmentions SET not_found_at = now() - interval '2 hours' WHERE id = $1",
        mention_id,
    )
    await verify(wm_resources, mention_id)
    assert (await row_of(db, mention_id))["status"] == "deleted"


async def test_200_known_policy_holds_new_domains(wm_resources, db, site, target):
    settings = dataclasses.replace(wm_resources.settings, webmention_moderation="known")
    known = dataclasses.replace(wm_resources, settings=settings)
    source = site.serve("/post", h_entry(target))
    async for client in app_client(known):
        mention_id = await received(client, source, target)
        await verify(known, mention_id)
        assert (await row_of(db, mention_id))["status"] == "pending"
        listed = await client.get(WM, params={"target": target})
        assert listed.json()["count"] == 0
        await db.execute("INSERT INTO webmention_known_sources (domain) VALUES ('127.0.0.1')")
        site.serve("/other", h_entry(target))
        other = await received(client, site.url("/other"), target)
    await verify(known, other)
    assert (await row_of(db, other))["status"] == "approved"


async def test_200_status_document_shows_an_approved_mention(
    wm_client, wm_resources, db, site, target
):
    source = site.serve("/post", h_entry(target))
    mention_id = await received(wm_client, source, target)
    await verify(wm_resources, mention_id)
    body = (await wm_client.get(f"{WM}/{mention_id}")).json()
    assert body["status"] == "approved" and body["type"] == "reply"
    assert body["mention"]["content_html"] == "Great post!"
    entry = await db.fetchrow("SELECT mentions_changed_at FROM entries")
    assert entry["mentions_changed_at"] is not None


async def test_201_known_policy_trusts_the_nodes_own_custom_domains(wm_resources, db, site, target):
    settings = dataclasses.replace(wm_resources.settings, webmention_moderation="known")
    known = dataclasses.replace(wm_resources, settings=settings)
    await db.execute("UPDATE channels SET custom_domain = '127.0.0.1'")  # the source's host
    source = site.serve("/post", h_entry(target))
    async for client in app_client(known):
        r = await client.post(WM, data={"source": source, "target": target})
        assert r.status_code == 201, r.text
        mention_id = r.json()["id"]
    await verify(known, mention_id)
    assert (await row_of(db, mention_id))["status"] == "approved"
