"""The documents as a fediverse server reads them: the channel actor (fields, images, rel=me
links, a public key that verifies what the stored private key signs), entries as Note or
Article (contentMap, hashtags, image alt, inReplyTo, addressing), a Tombstone with 410,
404 for drafts and private entries, the outbox's pages and the other collections."""

from __future__ import annotations

import hashlib

import pytest

from hub.activitypub.documents.objects import entry_object
from hub.core.federation import signatures
from hub.core.urls import Urls
from tests.site.public.fixtures import (
    BASE,
    PublicBlog,
    public_article,
    public_insert_entry,
    public_make_blog,
    public_publish,
    public_set_status,
)

AP = {"Accept": "application/activity+json"}
ACTOR = f"{BASE}/ada_blog"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
FOLLOWERS = f"{BASE}/activitypub/ada_blog/followers"


@pytest.fixture
async def public_blog(db) -> PublicBlog:
    return await public_make_blog(db)


async def get_json(client, path: str, status: int = 200) -> dict:
    r = await client.get(path, headers=AP)
    assert r.status_code == status, (path, r.status_code, r.text[:200])
    assert r.headers["content-type"] == "application/activity+json"
    return r.json()


async def add_media(db, blog: PublicBlog, path: str, *, feed_path: str | None = None,
                    alt: str = "", purpose: str = "article") -> int:  # fmt: skip
    return await db.fetchval(
        """
        INSERT INTO media (public_id, author_id, channel_id, purpose, folder, content_type,
                           bytes, sha256, path, processed_type, feed_path, width, height, alt)
        VALUES ($1, $2, $3, $4, 'pages', 'image/jpeg', 10, $5, $6, 'image/webp', $7, 640, 480,
                $8)
        RETURNING id
        """,
        f"m-{path}", blog.author_id, blog.channel_id, purpose,
        hashlib.sha256(path.encode()).digest(), path, feed_path, alt,
    )  # fmt: skip


# -- the actor ----------------------------------------------------------------------------


async def test_200_actor_document(client, db, public_blog):
    avatar = await add_media(db, public_blog, "channel/a.webp", feed_path="channel/a.png",
                             purpose="channel_avatar")  # fmt: skip
    cover = await add_media(db, public_blog, "channel/c.webp", feed_path="channel/c.jpg",
                            purpose="channel_cover")  # fmt: skip
    await db.execute(
        "UPDATE channels SET avatar_media_id = $2, cover_media_id = $3, ap_manual_followers = true"
        " WHERE id = $1",
        public_blog.channel_id, avatar, cover,
    )  # fmt: skip
    await db.execute(
        "UPDATE authors SET rel_me = ARRAY['https://github.com/ada'], url = 'https://ada.example/'"
        " WHERE id = $1",
        public_blog.author_id,
    )
    actor = await get_json(client, "/ada_blog")
    assert actor["@context"][:2] == [
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
    ]
    terms = actor["@context"][2]
    for term in ("manuallyApprovesFollowers", "discoverable", "indexable", "featured",
                 "PropertyValue", "value"):  # fmt: skip
        assert term in terms, term
    assert actor["id"] == actor["url"] == ACTOR
    assert actor["type"] == "Person"
    assert actor["preferredUsername"] == "ada_blog"
    assert actor["name"] == "Ada"
    assert actor["summary"] == "<p>Notes and articles by Ada.</p>"
    assert actor["inbox"] == f"{BASE}/activitypub/ada_blog/inbox"
    assert actor["outbox"] == f"{BASE}/activitypub/ada_blog/outbox"
    assert actor["followers"] == FOLLOWERS
    assert actor["following"] == f"{BASE}/activitypub/ada_blog/following"
    assert actor["featured"] == f"{BASE}/activitypub/ada_blog/featured"
    assert actor["endpoints"] == {"sharedInbox": f"{BASE}/activitypub/inbox"}
    assert actor["manuallyApprovesFollowers"] is True
    assert actor["discoverable"] is True and actor["indexable"] is True
    assert actor["published"].endswith("Z")
    assert actor["icon"] == {"type": "Image", "mediaType": "image/png",
                             "url": f"{BASE}/storage/channel/a.png"}  # fmt: skip
    assert actor["image"] == {"type": "Image", "mediaType": "image/jpeg",
                              "url": f"{BASE}/storage/channel/c.jpg"}  # fmt: skip
    fields = {f["name"]: f for f in actor["attachment"]}
    assert set(fields) == {"github.com", "ada.example"}
    assert fields["github.com"]["type"] == "PropertyValue"
    assert 'href="https://github.com/ada"' in fields["github.com"]["value"]
    assert 'rel="me' in fields["github.com"]["value"]
    key = actor["publicKey"]
    assert key["id"] == f"{ACTOR}#main-key" and key["owner"] == ACTOR
    assert "PRIVATE" not in r_text(actor)


def r_text(document: dict) -> str:
    import json

    return json.dumps(document)


async def test_200_actor_public_key_verifies_the_channels_signature(client, db, public_blog):
    actor = await get_json(client, "/ada_blog")
    again = await get_json(client, "/ada_blog")  # made once, on first use
    assert again["publicKey"] == actor["publicKey"]
    private_pem = await db.fetchval(
        "SELECT private_pem FROM ap_channel_keys WHERE channel_id = $1", public_blog.channel_id
    )
    body = b'{"type": "Create"}'
    headers = signatures.sign("POST", "https://remote.example/inbox", body,
                              key_id=actor["publicKey"]["id"], private_pem=private_pem)  # fmt: skip
    received = {name.lower(): value for name, value in headers.items()}
    signatures.verify(
        signatures.parse(headers["Signature"]), method="POST", target="/inbox",
        headers=received, body=body, public_pem=actor["publicKey"]["publicKeyPem"],
    )  # fmt: skip


async def test_200_actor_type_handle_and_discoverable_follow_the_settings(client, db, public_blog):
    await db.execute(
        "UPDATE channels SET ap_actor_type = 'Service', ap_handle = 'ada',"
        " ap_discoverable = false WHERE id = $1",
        public_blog.channel_id,
    )
    actor = await get_json(client, "/ada_blog")
    assert actor["type"] == "Service" and actor["preferredUsername"] == "ada"
    assert actor["discoverable"] is False and actor["indexable"] is False
    assert actor["manuallyApprovesFollowers"] is False


# -- entries ------------------------------------------------------------------------------


async def test_200_article_with_translations_tags_and_images(client, db, public_blog):
    await public_publish(client, public_blog, public_article(
        "trip", title="The trip", excerpt="Where we went.", tags=["Travel", "Big Cities"],
        body="We went [home](/ada_blog/home).",
        extra_translations=[{"language": "fr", "title": "Le voyage",
                             "content_markdown": "Nous sommes partis."}],
    ))  # fmt: skip
    entry_id = await db.fetchval("SELECT id FROM entries WHERE slug = 'trip'")
    media = await add_media(db, public_blog, "pages/p.webp", alt="A harbour at dusk")
    await db.execute(
        "INSERT INTO entry_media (entry_id, media_id, role) VALUES ($1, $2, 'photo')",
        entry_id, media,
    )  # fmt: skip
    article = await get_json(client, "/ada_blog/trip")
    assert article["@context"][0] == "https://www.w3.org/ns/activitystreams"
    assert article["type"] == "Article"
    assert article["id"] == article["url"] == f"{ACTOR}/trip"
    assert article["attributedTo"] == ACTOR
    assert article["name"] == "The trip"
    assert article["summary"] == "Where we went."
    assert f'href="{BASE}/ada_blog/home"' in article["content"]  # links made absolute
    assert set(article["contentMap"]) == {"en", "fr"}
    assert article["contentMap"]["en"] == article["content"]
    assert "Nous sommes partis." in article["contentMap"]["fr"]
    assert article["to"] == [PUBLIC] and article["cc"] == [FOLLOWERS]
    assert article["published"].endswith("Z")
    assert article["sensitive"] is False
    assert "inReplyTo" not in article
    assert article["tag"] == [
        {"type": "Hashtag", "href": f"{ACTOR}/tags/Travel", "name": "#Travel"},
        {"type": "Hashtag", "href": f"{ACTOR}/tags/Big%20Cities", "name": "#BigCities"},
    ]
    assert article["attachment"] == [{
        "type": "Image", "url": f"{BASE}/storage/pages/p.webp", "name": "A harbour at dusk",
        "mediaType": "image/webp", "width": 640, "height": 480,
    }]  # fmt: skip


async def test_200_note_and_reply_are_notes(client, db, public_blog):
    await public_insert_entry(db, public_blog, "a-note", content_html="<p>Short note.</p>")
    await public_insert_entry(
        db, public_blog, "a-reply", kind="reply", content_html="<p>I agree.</p>",
        properties={"in-reply-to": ["https://other.example/post/1"]},
    )  # fmt: skip
    note = await get_json(client, "/ada_blog/a-note")
    assert note["type"] == "Note"
    assert "name" not in note and "summary" not in note
    assert note["content"] == "<p>Short note.</p>"
    assert note["contentMap"] == {"en": "<p>Short note.</p>"}
    reply = await get_json(client, "/ada_blog/a-reply")
    assert reply["type"] == "Note"
    assert reply["inReplyTo"] == "https://other.example/post/1"


async def test_200_unlisted_entry_is_addressed_to_followers(client, db, public_blog):
    await public_insert_entry(db, public_blog, "quiet", visibility="unlisted")
    note = await get_json(client, "/ada_blog/quiet")
    assert note["to"] == [FOLLOWERS] and note["cc"] == [PUBLIC]


async def test_410_tombstone_for_a_deleted_or_archived_entry(client, db, public_blog):
    await public_publish(client, public_blog, public_article("old"))
    await public_set_status(client, public_blog, "old", "archived")
    assert (await get_json(client, "/ada_blog/old", status=410))["type"] == "Tombstone"
    await public_publish(client, public_blog, public_article("gone"))
    await db.execute("UPDATE entries SET status = 'deleted', deleted_at = now()")
    tombstone = await get_json(client, "/ada_blog/gone", status=410)
    assert tombstone["type"] == "Tombstone"
    assert tombstone["id"] == f"{ACTOR}/gone"
    assert tombstone["formerType"] == "Article"
    assert tombstone["deleted"].endswith("Z")


async def test_404_for_a_draft_a_private_and_an_unknown_entry(client, db, public_blog):
    await public_publish(client, public_blog, public_article("draft", status="draft"))
    await public_insert_entry(db, public_blog, "secret", visibility="private")
    for path in ("/ada_blog/draft", "/ada_blog/secret", "/ada_blog/nothing"):
        r = await client.get(path, headers=AP)
        assert r.status_code == 404, path
        assert "activity+json" not in r.headers["content-type"]


async def test_entry_object_is_none_unless_public(client, db, resources, public_blog):
    await public_publish(client, public_blog, public_article("draft", status="draft"))
    await public_publish(client, public_blog, public_article("live"))
    urls = Urls(BASE)
    ids = dict(await db.fetch("SELECT slug, id FROM entries"))
    assert await entry_object(db, urls, ids["draft"]) is None
    live = await entry_object(db, urls, ids["live"])
    assert live is not None and "@context" not in live
    assert live["id"] == f"{ACTOR}/live" and live["type"] == "Article"
    await public_set_status(client, public_blog, "live", "draft")
    assert await entry_object(db, urls, ids["live"]) is None
    assert await entry_object(db, urls, 999_999) is None


# -- collections --------------------------------------------------------------------------


async def test_200_outbox_pages_of_create_activities(client, db, public_blog):
    for n in range(23):
        await public_insert_entry(db, public_blog, f"n{n:02}", content_html=f"<p>{n}</p>")
    await public_insert_entry(db, public_blog, "hidden", visibility="private")
    await public_insert_entry(db, public_blog, "later", published=False)
    outbox = await get_json(client, "/activitypub/ada_blog/outbox")
    assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 23
    first = await get_json(client, outbox["first"])
    assert first["type"] == "OrderedCollectionPage"
    assert first["partOf"] == f"{BASE}/activitypub/ada_blog/outbox"
    assert len(first["orderedItems"]) == 20 and "prev" not in first
    create = first["orderedItems"][0]
    assert create["type"] == "Create" and create["actor"] == ACTOR
    assert create["object"]["id"] == f"{ACTOR}/n22"  # newest first
    version = await db.fetchval("SELECT version FROM entries WHERE slug = 'n22'")
    assert create["id"] == f"{ACTOR}/n22#create/{version}"
    assert create["to"] == create["object"]["to"]
    second = await get_json(client, first["next"])
    assert [i["object"]["id"] for i in second["orderedItems"]] == [
        f"{ACTOR}/n02",
        f"{ACTOR}/n01",
        f"{ACTOR}/n00",
    ]
    assert "next" not in second
    back = await get_json(client, second["prev"])
    assert [i["object"]["id"] for i in back["orderedItems"]] == [
        i["object"]["id"] for i in first["orderedItems"]
    ]
    last = await get_json(client, outbox["last"])
    assert [i["object"]["id"] for i in last["orderedItems"]][-1] == f"{ACTOR}/n00"


async def test_200_followers_count_only_following_and_featured_empty(client, db, public_blog):
    for n, status in enumerate(("accepted", "accepted", "pending")):
        actor = await db.fetchval(
            "INSERT INTO ap_actors (uri, host, domain) VALUES ($1, 'm.example', 'm.example')"
            " RETURNING id",
            f"https://m.example/users/{n}",
        )
        await db.execute(
            "INSERT INTO ap_followers (channel_id, actor_id, status, follow_id)"
            " VALUES ($1, $2, $3, $4)",
            public_blog.channel_id, actor, status, f"https://m.example/follows/{n}",
        )  # fmt: skip
    followers = await get_json(client, "/activitypub/ada_blog/followers")
    assert followers["type"] == "OrderedCollection" and followers["totalItems"] == 2
    assert "orderedItems" not in followers and "first" not in followers
    for name in ("following", "featured"):
        body = await get_json(client, f"/activitypub/ada_blog/{name}")
        assert body["totalItems"] == 0 and body["orderedItems"] == []


async def test_404_collections_of_an_unknown_or_draft_channel(client, db, public_blog):
    await db.execute("UPDATE channels SET status = 'draft'")
    for path in ("/activitypub/nobody/outbox", "/activitypub/ada_blog/outbox",
                 "/activitypub/ada_blog/followers"):  # fmt: skip
        r = await client.get(path, headers=AP)
        assert r.status_code == 404 and "error" in r.json(), path
