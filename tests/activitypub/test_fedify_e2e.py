"""A fediverse account on a real ActivityPub server (Fedify 1.10, `tests/activitypub/fedify`)
finds, follows and reads a hub blog served by a real `hub serve` with its worker, receives
its posts, updates and deletes signed by the channel, and its likes, boosts and replies show
on the post; unfollowing and deleting the reply reach hub. Nothing is simulated on either
side: Fedify checks hub's signatures with its own verifier and hub checks Fedify's."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.activitypub.fedify_harness import Fedify
from tests.factories import make_author, make_credential
from tests.served import serve_hub

pytestmark = pytest.mark.slow

AS2 = "application/activity+json"


@pytest.fixture
def node(db, settings, tmp_path) -> Iterator[str]:
    """`hub serve` with its worker; fetches to 127.0.0.1 allowed (Fedify is there), mentions
    approved as they verify so that responses show at once."""
    yield from serve_hub(
        settings, tmp_path, run_worker=True, HUB_ALLOW_LOOPBACK_FETCH="1",
        HUB_WEBMENTION_MODERATION="auto",
    )  # fmt: skip


async def eventually(check, *, within: float = 60.0, what: str = ""):
    """Polls `check()` (async) until it returns something truthy."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"not within {within}s: {what}")
        await asyncio.sleep(0.2)


async def micropub(client: httpx.AsyncClient, token: str, body: dict) -> httpx.Response:
    response = await client.post(
        "/micropub", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code in (200, 201, 202, 204), response.text
    return response


async def test_a_fedify_account_follows_reads_and_answers_a_hub_blog(node, db, fedify: Fedify):
    author = await make_author(db, "Vic")
    token = await make_credential(
        db, author.author_id, kind="app_token", scopes=["create", "update", "delete"]
    )
    actor = f"{node}/vic_blog"
    host = node.split("://", 1)[1]
    async with httpx.AsyncClient(base_url=node, timeout=30) as client:
        first = await micropub(client, token, {
            "type": ["h-entry"],
            "properties": {"name": ["Hello fediverse"], "content": ["The first **post**."],
                           "category": ["intro"]},
        })  # fmt: skip
        first_url = first.headers["Location"]

        # found by its handle (WebFinger), read as an actor and as an Article
        found = await fedify.lookup(f"acct:vic_blog@{host}", fresh=True)
        assert found["id"] == actor
        assert found["preferredUsername"] == "vic_blog"
        assert found["publicKey"]["owner"] == actor
        article = await fedify.fetch(first_url)
        assert article["document"]["type"] == "Article"
        assert article["document"]["name"] == "Hello fediverse"
        assert "<strong>post</strong>" in article["document"]["content"]
        assert any(t["name"] == "#intro" for t in article["document"]["tag"])

        # follows, and hub accepts
        follow = await fedify.follow(actor)
        await fedify.wait_for("Accept", within=60, accepts_follow=follow["id"])
        assert (await fedify.following())[actor] is True
        assert await db.fetchval(
            "SELECT count(*) FROM ap_followers WHERE status = 'accepted'"
        ) == 1  # fmt: skip

        # a new post reaches the follower, signed by the channel
        second = await micropub(client, token, {
            "type": ["h-entry"], "properties": {"content": ["A short note for my followers."]},
        })  # fmt: skip
        note_url = second.headers["Location"]
        create = await fedify.wait_for("Create", within=90, object_id=note_url)
        assert create["actor"] == actor
        assert create["verified_by"] == "http-signature"
        assert create["object"]["type"] == "Note"

        # an edit arrives as an Update
        await micropub(client, token, {
            "action": "update", "url": note_url,
            "replace": {"content": ["A short note for my followers, edited."]},
        })  # fmt: skip
        update = await fedify.wait_for("Update", within=90, object_id=note_url)
        assert "edited" in update["object"]["content"]

        # like, boost and reply: shown on the post
        await fedify.like(first_url, to=actor)
        await fedify.announce(first_url, to=actor)
        reply = await fedify.reply(first_url, "Welcome to the fediverse, Vic!", to=actor)

        async def page_shows_them() -> str | None:
            page = (await client.get(first_url)).text
            shown = "Welcome to the fediverse, Vic!" in page and fedify.actor_url in page
            return page if shown else None

        await eventually(page_shows_them, what="the reply and the fediverse actor on the page")
        kinds = await db.fetch(
            "SELECT type, status FROM webmentions WHERE protocol = 'activitypub' ORDER BY type"
        )
        assert [(r["type"], r["status"]) for r in kinds] == [
            ("like", "approved"), ("reply", "approved"), ("repost", "approved"),
        ]  # fmt: skip

        # the reply deleted on Fedify's side disappears from the post
        await fedify.delete(reply["object"])

        async def reply_gone() -> bool:
            return "Welcome to the fediverse, Vic!" not in (await client.get(first_url)).text

        await eventually(reply_gone, what="the deleted reply gone from the page")

        # deleting the post tells the follower
        deleted = await micropub(client, token, {"action": "delete", "url": note_url})
        assert deleted.status_code in (200, 204)
        await fedify.wait_for("Delete", within=90, object_id=note_url)

        # unfollowing removes the follower
        await fedify.unfollow(actor)

        async def no_followers() -> bool:
            return await db.fetchval("SELECT count(*) FROM ap_followers") == 0

        await eventually(no_followers, what="the follower removed after Undo")
