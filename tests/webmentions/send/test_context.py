"""Reply context (issue 16): a reply, like, repost or bookmark created through Micropub, its
webmention sent to a real target page on 127.0.0.1, then the entry page read with mf2py: the
h-cite carries the target's title, URL and author (photo re-hosted, never hotlinked), from its
h-entry, else from `<title>` and OpenGraph; a target that fails keeps the bare URL; a reply to
one of our own entries shows its title and author."""

from __future__ import annotations

import dataclasses

import mf2py

from hub.app import create_app
from hub.webmentions.send.context import entry_title
from hub.webmentions.send.sender import plan_sends, send_one
from tests.factories import make_credential
from tests.images import flat
from tests.webmentions.fixtures import make_blog


def target_page() -> str:
    return (
        "<!doctype html><title>Bob's site</title>"
        '<link rel="webmention" href="/wm">'
        '<article class="h-entry"><h1 class="p-name">On owning your words</h1>'
        '<a class="u-url" href="/post">permalink</a>'
        '<span class="p-author h-card"><img class="u-photo" src="/bob.jpg" alt="">'
        '<a class="p-name u-url" href="/">Bob Smith</a></span>'
        '<div class="e-content"><p>A long text about publishing.</p></div></article>'
    )


async def micropub_response(client, db, blog, **fields: str) -> tuple[str, int]:
    """Create an entry through Micropub; its Location and id."""
    secret = await make_credential(db, blog.author_id, kind="app_token", scopes=["create"])
    r = await client.post(
        "/micropub", headers={"Authorization": f"Bearer {secret}"}, data={"h": "entry", **fields}
    )
    assert r.status_code in (201, 202), r.text
    location = r.headers["location"]
    slug = location.split("?", 1)[0].rsplit("/", 1)[1]
    return location, await db.fetchval("SELECT id FROM entries WHERE slug = $1", slug)


async def send_all(resources, entry_id: int) -> None:
    """The work of the `send_webmentions` job, then of each `send_webmention` job."""
    for send_id in await plan_sends(resources, entry_id):
        await send_one(resources, send_id)


async def page_entry(client, location: str) -> tuple[dict, str]:
    r = await client.get(location)
    assert r.status_code == 200, r.text
    [entry] = [i for i in mf2py.parse(doc=r.text, url=location)["items"] if "h-entry" in i["type"]]
    return entry["properties"], r.headers["etag"]


async def test_200_reply_shows_the_targets_h_entry_title_and_author(
    wm_resources, db, site, wm_client
):
    site.serve("/bob.jpg", flat("jpeg", 200, 200, colour=(10, 120, 200)), content_type="image/jpeg")
    target = site.serve("/post", target_page())
    site.serve("/wm", "ok", status=202, content_type="text/plain")
    blog = await make_blog(db)
    location, entry_id = await micropub_response(
        wm_client, db, blog, content="Well said.", **{"in-reply-to": target}
    )
    _, etag_before = await page_entry(wm_client, location)
    await send_all(wm_resources, entry_id)
    assert len(site.posts("/wm")) == 1  # the webmention itself went out
    props, etag = await page_entry(wm_client, location)
    assert etag != etag_before  # a cached page does not keep the bare URL
    [cite] = props["in-reply-to"]
    assert cite["type"] == ["h-cite"]
    assert cite["properties"]["name"] == ["On owning your words"]
    assert cite["properties"]["url"][0] == target
    [author] = cite["properties"]["author"]
    assert author["type"] == ["h-card"]
    assert author["properties"]["name"] == ["Bob Smith"]
    assert author["properties"]["url"] == [site.url("/")]
    [photo] = author["properties"]["photo"]
    src = photo["value"] if isinstance(photo, dict) else photo
    assert src.startswith("http://hub.test/storage/webmentions/")  # our copy, not hotlinked
    served = await wm_client.get(src.removeprefix("http://hub.test"))
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    # sending again (an update) keeps the copy without fetching the photo again, and an
    # unchanged context does not move the page's validators
    changed = "SELECT mentions_changed_at FROM entries WHERE id = $1"
    before = await db.fetchval(changed, entry_id)
    await db.execute("UPDATE entries SET version = version + 1 WHERE id = $1", entry_id)
    await send_all(wm_resources, entry_id)
    assert len(site.posts("/wm")) == 2
    assert len(site.hits("/bob.jpg")) == 1
    assert await db.fetchval(changed, entry_id) == before


async def test_200_like_of_a_page_with_only_title_and_opengraph(wm_resources, db, site, wm_client):
    page = (
        "<!doctype html><html><head><title>Plain title</title>"
        '<meta property="og:title" content="The OG title">'
        '<meta property="og:url" content="/canonical">'
        '<meta name="author" content="Carol Jones">'
        '<meta property="og:image" content="/cover.jpg">'
        "</head><body><p>No microformats here.</p></body></html>"
    )
    target = site.serve("/liked", page)  # no endpoint: the context is still kept
    blog = await make_blog(db)
    location, entry_id = await micropub_response(wm_client, db, blog, **{"like-of": target})
    await send_all(wm_resources, entry_id)
    assert await db.fetchval("SELECT status FROM webmention_sends") == "no_endpoint"
    props, _ = await page_entry(wm_client, location)
    [cite] = props["like-of"]
    assert cite["type"] == ["h-cite"]
    assert cite["properties"]["name"] == ["The OG title"]
    assert cite["properties"]["url"] == [target, site.url("/canonical")]
    [author] = cite["properties"]["author"]
    assert author["properties"]["name"] == ["Carol Jones"]
    assert "photo" not in author["properties"]  # og:image is not an author photo
    assert site.hits("/cover.jpg") == []


async def test_200_a_target_that_fails_keeps_the_bare_url(wm_resources, db, site, wm_client):
    target = site.serve("/gone", "<title>Not found</title>", status=404)
    blog = await make_blog(db)
    location, entry_id = await micropub_response(
        wm_client, db, blog, content="Hm.", **{"in-reply-to": target}
    )
    await send_all(wm_resources, entry_id)
    props, _ = await page_entry(wm_client, location)
    [cite] = props["in-reply-to"]
    assert cite["properties"]["name"] == [target]
    assert cite["properties"]["url"] == [target]
    assert "author" not in cite["properties"]


async def test_200_reply_to_our_own_entry_shows_its_title_and_author(wm_resources, db, wm_client):
    blog = await make_blog(db, "Ada")
    target, _ = await micropub_response(
        wm_client, db, blog, name="Notes on engines", content="The analytical engine."
    )
    location, entry_id = await micropub_response(
        wm_client, db, blog, content="Following up.", **{"in-reply-to": target}
    )
    app = create_app(wm_resources.settings, wm_resources)
    await send_all(dataclasses.replace(wm_resources, own_site=app), entry_id)
    props, _ = await page_entry(wm_client, location)
    [cite] = props["in-reply-to"]
    assert cite["properties"]["name"] == ["Notes on engines"]
    assert cite["properties"]["url"][0] == target
    [author] = cite["properties"]["author"]
    assert author["properties"]["name"] == ["Ada"]


def test_a_notes_implied_name_is_no_title():
    note = {"type": ["h-entry"], "properties": {
        "name": ["Ada Lovelace Just a quick thought about engines. 2 May"],
        "content": [{"value": "Just a quick thought about engines.", "html": "..."}],
    }}  # fmt: skip
    assert entry_title(note) == "Just a quick thought about engines."
    long_note = {"type": ["h-entry"], "properties": {"content": ["word " * 60]}}
    assert entry_title(long_note).endswith("…") and len(entry_title(long_note)) <= 101
    article = {"type": ["h-entry"], "properties": {
        "name": ["A title"], "content": [{"value": "Body text.", "html": "<p>Body text.</p>"}],
    }}  # fmt: skip
    assert entry_title(article) == "A title"
