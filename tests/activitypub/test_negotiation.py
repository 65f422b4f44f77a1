"""Content negotiation at the channel and entry URLs: the same URL gives HTML to a browser and
the ActivityPub document to `application/activity+json` and to the ld+json profile form,
with `Vary: Accept` on both; the HTML names the document with rel=alternate. `Accept` is
read with its q-values."""

from __future__ import annotations

import pytest

from hub.activitypub.negotiation import prefers_activity
from tests.site.public.fixtures import (
    BASE,
    PublicBlog,
    public_article,
    public_make_blog,
    public_publish,
)

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACTIVITY = "application/activity+json"
LD_PROFILE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
MASTODON = "application/activity+json, application/ld+json"


@pytest.fixture
async def public_blog(db) -> PublicBlog:
    return await public_make_blog(db)


@pytest.mark.parametrize(
    ("accept", "wanted"),
    [
        (ACTIVITY, True),
        (LD_PROFILE, True),
        (MASTODON, True),
        ("application/ld+json", True),
        (f"text/html;q=0.5, {ACTIVITY}", True),
        (f"{ACTIVITY};q=0.9, text/html;q=0.5", True),
        (BROWSER, False),
        ("", False),
        ("*/*", False),
        ("application/json", False),
        ('application/ld+json; profile="http://example.com/other"', False),
        (f"{ACTIVITY};q=0.5, text/html", False),
        (f"{ACTIVITY};q=0, */*", False),
        (f"{ACTIVITY};q=0.5, text/*;q=0.8", False),
        (f"{ACTIVITY};q=0.5, text/*;q=0.8, text/html;q=0.1", True),  # the specific range counts
    ],
)
def test_prefers_activity_reads_q_values(accept, wanted):
    assert prefers_activity(accept) is wanted


async def test_200_same_url_html_or_actor_by_accept(client, public_blog):
    page = await client.get("/ada_blog", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Accept" in [v.strip() for v in page.headers["vary"].split(",")]
    assert f'<link rel="alternate" type="application/activity+json" href="{BASE}/ada_blog">' in (
        page.text
    )
    for accept in (ACTIVITY, LD_PROFILE, MASTODON):
        r = await client.get("/ada_blog", headers={"Accept": accept})
        assert r.status_code == 200, accept
        assert r.headers["content-type"] == "application/activity+json"
        assert "Accept" in [v.strip() for v in r.headers["vary"].split(",")]
        assert r.json()["id"] == f"{BASE}/ada_blog"


async def test_200_same_url_html_or_object_by_accept(client, public_blog):
    await public_publish(client, public_blog, public_article("first"))
    page = await client.get("/ada_blog/first", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Accept" in [v.strip() for v in page.headers["vary"].split(",")]
    link = f'<link rel="alternate" type="application/activity+json" href="{BASE}/ada_blog/first">'
    assert link in page.text
    french = await client.get("/ada_blog/first?lang=fr", headers={"Accept": BROWSER})
    assert french.status_code == 404  # no such translation: the page answers as before
    r = await client.get("/ada_blog/first", headers={"Accept": LD_PROFILE})
    assert r.status_code == 200 and r.json()["type"] == "Article"
    assert "Accept" in [v.strip() for v in r.headers["vary"].split(",")]


async def test_304_and_head_for_documents(client, public_blog):
    r = await client.get("/ada_blog", headers={"Accept": ACTIVITY})
    etag = r.headers["etag"]
    again = await client.get("/ada_blog", headers={"Accept": ACTIVITY, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    head = await client.head("/ada_blog", headers={"Accept": ACTIVITY})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == "application/activity+json"
    assert int(head.headers["content-length"]) == len(r.content)


async def test_other_paths_and_methods_are_untouched(client, public_blog):
    await public_publish(client, public_blog, public_article("first", tags=["Cars"]))
    feed = await client.get("/ada_blog/atom.xml", headers={"Accept": ACTIVITY})
    assert feed.headers["content-type"].startswith("application/atom+xml")
    tag = await client.get("/ada_blog/tags/Cars", headers={"Accept": ACTIVITY})
    assert tag.headers["content-type"].startswith("text/html")
    api = await client.get("/api/v1/channels/ada_blog/pages", headers={
        "Accept": ACTIVITY, **public_blog.headers})  # fmt: skip
    assert api.status_code == 200 and api.headers["content-type"].startswith("application/json")
    post = await client.post("/ada_blog", headers={"Accept": ACTIVITY})
    assert post.status_code == 405


async def test_404_draft_channel_and_unknown_channel_as_before(client, db, public_blog):
    unknown = await client.get("/nobody", headers={"Accept": ACTIVITY})
    assert unknown.status_code == 404
    await db.execute("UPDATE channels SET status = 'draft'")
    draft = await client.get("/ada_blog", headers={"Accept": ACTIVITY})
    assert draft.status_code == 404
    assert "activity+json" not in draft.headers["content-type"]


async def test_custom_domain_actor_at_its_root_and_301_from_the_node_path(client, db, public_blog):
    await public_publish(client, public_blog, public_article("first"))
    await db.execute("UPDATE channels SET custom_domain = 'blog.example'")
    actor = await client.get("http://blog.example/", headers={"Accept": ACTIVITY})
    assert actor.status_code == 200
    body = actor.json()
    assert body["id"] == body["url"] == "https://blog.example/"
    assert body["publicKey"]["id"] == "https://blog.example/#main-key"
    assert body["inbox"] == f"{BASE}/activitypub/ada_blog/inbox"
    entry = await client.get("http://blog.example/first", headers={"Accept": ACTIVITY})
    assert entry.status_code == 200
    assert entry.json()["id"] == "https://blog.example/first"
    assert entry.json()["attributedTo"] == "https://blog.example/"
    moved = await client.get("/ada_blog/first", headers={"Accept": ACTIVITY})
    assert moved.status_code == 301 and moved.headers["location"] == "https://blog.example/first"


async def test_200_an_alias_host_is_read_as_the_node(client, public_blog):
    actor = await client.get("http://alias.example/ada_blog", headers={"Accept": ACTIVITY})
    assert actor.status_code == 200
    assert actor.json()["id"] == f"{BASE}/ada_blog"  # the ids stay on the base URL
    finger = await client.get(
        "http://alias.example/.well-known/webfinger", params={"resource": "acct:ada_blog@hub.test"}
    )
    assert finger.status_code == 200
