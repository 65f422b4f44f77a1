"""Approved webmentions on the entry page (webmention-site-feeds §3.5): facepiles, replies
oldest first and mentions, as microformats inside the h-entry; nothing else is shown, and a
newly approved mention changes the page's ETag."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.factories import make_webmention
from tests.site.public.fixtures import BASE, public_insert_entry, public_mf2

URL = f"{BASE}/ada_blog/hello?lang=en"


async def _entry(db, public_blog) -> int:
    return await public_insert_entry(db, public_blog, "hello", content_html="<p>Hello.</p>")


async def test_200_replies_likes_and_mentions_are_microformats(client, public_blog, db):
    entry_id = await _entry(db, public_blog)
    add = lambda source, **kw: make_webmention(  # noqa: E731
        db, public_blog.channel_id, entry_id, URL, source=source, **kw)  # fmt: skip
    await add("https://bob.example/later", author_name="Bob", author_url="https://bob.example/",
              content_html="<p>Second <em>reply</em>.</p>", content_text="Second reply.",
              published_at=datetime(2026, 5, 2, tzinfo=UTC))  # fmt: skip
    await add("https://cy.example/first", author_name="Cy", content_text="First reply.",
              rsvp="yes", published_at=datetime(2026, 5, 1, tzinfo=UTC))  # fmt: skip
    await add("https://dee.example/like", type="like", author_name="Dee",
              author_url="https://dee.example/")  # fmt: skip
    await add("https://eve.example/post", type="mention", name="Eve wrote about it")
    await add("https://spam.example/x", status="pending", content_text="Buy now")
    await add("https://gone.example/x", status="deleted", content_text="Removed")

    r = await client.get("/ada_blog/hello")
    assert r.status_code == 200
    [entry] = public_mf2(r.text, URL)["items"]
    props = entry["properties"]
    first, second = props["comment"]  # oldest first
    assert first["type"] == ["h-cite"]
    assert first["properties"]["url"] == ["https://cy.example/first"]
    assert first["properties"]["rsvp"] == ["yes"]
    assert first["properties"]["content"][0]["value"] == "First reply."
    assert first["properties"]["author"][0]["properties"]["name"] == ["Cy"]
    assert second["properties"]["content"][0]["html"] == "<p>Second <em>reply</em>.</p>"
    assert second["properties"]["author"][0]["properties"]["url"] == ["https://bob.example/"]
    [like] = props["like"]
    assert like["properties"]["url"] == ["https://dee.example/like"]
    assert like["properties"]["author"][0]["properties"]["name"] == ["Dee"]
    [mention] = props["mention"]
    assert mention["properties"]["name"] == ["Eve wrote about it"]
    assert "1 like" in r.text
    assert 'rel="nofollow ugc"' in r.text
    assert "Buy now" not in r.text and "Removed" not in r.text


async def test_200_mentions_show_on_every_translation_and_change_the_etag(client, public_blog, db):
    entry_id = await _entry(db, public_blog)
    before = await client.get("/ada_blog/hello")
    assert "p-comment" not in before.text
    await make_webmention(db, public_blog.channel_id, entry_id, URL,
                                source="https://bob.example/r", content_text="Nice.")  # fmt: skip
    after = await client.get("/ada_blog/hello", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert 'class="p-comment h-cite"' in after.text and "Nice." in after.text


async def test_200_author_photos_are_the_nodes_own_copies(client, public_blog, db):
    entry_id = await _entry(db, public_blog)
    add = lambda source, **kw: make_webmention(  # noqa: E731
        db, public_blog.channel_id, entry_id, URL, source=source, **kw)  # fmt: skip
    await add("https://bob.example/r", author_name="Bob", content_text="Nice.",
              author_photo="https://bob.example/me.jpg",
              author_photo_path="webmentions/bob-1a2b3c.webp")  # fmt: skip
    await add("https://dee.example/like", type="like", author_name="Dee",
              author_photo_path="webmentions/dee-4d5e6f.webp")  # fmt: skip
    await add("https://cy.example/r", author_name="Cy", content_text="No photo.")
    r = await client.get("/ada_blog/hello")
    props = public_mf2(r.text, URL)["items"][0]["properties"]

    def photos(cite: dict) -> list[str]:
        got = cite["properties"]["author"][0]["properties"].get("photo", [])
        return [p["value"] if isinstance(p, dict) else p for p in got]

    bob, cy = props["comment"]
    assert photos(bob) == [f"{BASE}/storage/webmentions/bob-1a2b3c.webp"]
    assert photos(cy) == []
    assert photos(props["like"][0]) == [f"{BASE}/storage/webmentions/dee-4d5e6f.webp"]
    assert "bob.example/me.jpg" not in r.text  # never hotlinked (R-W9)
