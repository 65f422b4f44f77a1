"""The `process_activity` job, run for real in-process on what the inbox accepted: follows
and their Accept, Like, Announce and reply shown on the entry page like webmentions, their
Undo, Update and Delete (only by their own actor), an actor's Delete, a reply to a draft."""

from __future__ import annotations

import pytest

from hub.activitypub.receive.decisions import send_decision
from hub.activitypub.receive.process import process
from tests.activitypub.receive.remote import Remote
from tests.factories import make_entry

BASE = "http://hub.test"


def inbox(blog) -> str:
    return f"{BASE}/activitypub/{blog.channel}/inbox"


def entry(blog, slug: str = "hello") -> str:
    return f"{BASE}/{blog.channel}/{slug}"


async def deliver(client, resources, blog, remote: Remote, activity) -> str:
    """POST `activity` signed by `remote`, then run its job; the status it ends in."""
    body, headers = remote.signed(inbox(blog), activity)
    response = await client.post(inbox(blog), content=body, headers=headers)
    assert response.status_code == 202, response.text
    inbox_id = await resources.pool.fetchval(
        "SELECT id FROM ap_inbox WHERE activity_id = $1", activity["id"]
    )
    return await process(resources, inbox_id)


async def test_follow_is_stored_and_accepted(ap_client, ap_resources, db, blog, alice):
    follow = alice.follow(f"{BASE}/{blog.channel}")
    assert await deliver(ap_client, ap_resources, blog, alice, follow) == "done"
    follower = await db.fetchrow("SELECT id, status, follow_id FROM ap_followers")
    assert (follower["status"], follower["follow_id"]) == ("accepted", follow["id"])
    staged = await db.fetchval(
        "SELECT args FROM job_outbox WHERE function = 'send_follow_decision'"
    )
    assert staged == [follower["id"], True]
    assert await send_decision(ap_resources, follower["id"], accepted=True) == "accept"
    sent = await db.fetchrow("SELECT uri, type, body FROM ap_activities")
    body = sent["body"]
    assert sent["type"] == "Accept"
    assert body["id"] == f"{BASE}/{blog.channel}#accepts/{follower['id']}"
    assert body["actor"] == f"{BASE}/{blog.channel}"
    assert body["object"]["id"] == follow["id"] and body["object"]["type"] == "Follow"
    assert await db.fetchval("SELECT inbox FROM ap_deliveries") == alice.inbox


async def test_follow_waits_for_approval_then_undo_removes_it(
    ap_client, ap_resources, db, blog, alice
):
    await db.execute("UPDATE channels SET ap_manual_followers = true WHERE id = $1",
                     blog.channel_id)  # fmt: skip
    follow = alice.follow(f"{BASE}/{blog.channel}")
    await deliver(ap_client, ap_resources, blog, alice, follow)
    assert await db.fetchval("SELECT status FROM ap_followers") == "pending"
    assert not await db.fetchval(
        "SELECT count(*) FROM job_outbox WHERE function = 'send_follow_decision'"
    )
    assert await deliver(ap_client, ap_resources, blog, alice, alice.undo(follow)) == "done"
    assert await db.fetchval("SELECT count(*) FROM ap_followers") == 0


async def test_like_boost_and_reply_show_on_the_entry_page(
    ap_client, ap_resources, db, blog, alice, fediverse
):
    before = (await ap_client.get(entry(blog))).headers["etag"]
    bob = Remote(fediverse, "bob")
    reply = alice.reply(entry(blog), f"{BASE}/{blog.channel}", text="Lovely post")
    for remote, activity in ((alice, alice.like(entry(blog))),
                             (bob, bob.announce(entry(blog) + "?lang=en")),
                             (alice, reply)):  # fmt: skip
        assert await deliver(ap_client, ap_resources, blog, remote, activity) == "done"
    rows = await db.fetch(
        "SELECT type, status, protocol, source, author_name, author_photo_path, content_html"
        " FROM webmentions ORDER BY type"
    )
    assert [(r["type"], r["status"], r["protocol"]) for r in rows] == [
        ("like", "approved", "activitypub"),
        ("reply", "approved", "activitypub"),
        ("repost", "approved", "activitypub"),
    ]
    assert rows[1]["source"] == reply["object"]["id"]
    assert "<script" not in rows[1]["content_html"] and "Lovely post" in rows[1]["content_html"]
    assert rows[0]["author_photo_path"]  # re-hosted, never hotlinked
    assert len(fediverse.hits("/avatars/alice.png")) == 1  # once for both of alice's
    page = await ap_client.get(entry(blog))
    assert page.headers["etag"] != before
    assert "Alice Example" in page.text and "Bob Example" in page.text
    assert "Lovely post" in page.text and "alert(1)" not in page.text
    assert 'class="facepile"' in page.text and 'class="replies"' in page.text


async def test_update_and_delete_of_a_reply_by_its_actor_only(
    ap_client, ap_resources, db, blog, alice, fediverse
):
    reply = alice.reply(entry(blog), f"{BASE}/{blog.channel}", text="First words")
    await deliver(ap_client, ap_resources, blog, alice, reply)
    note = dict(reply["object"], content="<p>Second words</p>")
    update = {**reply, "id": note["id"] + "#update", "type": "Update", "object": note}
    assert await deliver(ap_client, ap_resources, blog, alice, update) == "done"
    assert "Second words" in await db.fetchval("SELECT content_html FROM webmentions")
    mallory = Remote(fediverse, "mallory")
    forged = mallory.delete(note["id"])
    assert await deliver(ap_client, ap_resources, blog, mallory, forged) == "ignored"
    assert await db.fetchval("SELECT status FROM webmentions") == "approved"
    assert await deliver(ap_client, ap_resources, blog, alice, alice.delete(note["id"])) == "done"
    assert await db.fetchval("SELECT status FROM webmentions") == "deleted"
    assert "Second words" not in (await ap_client.get(entry(blog))).text


async def test_undo_of_a_like(ap_client, ap_resources, db, blog, alice):
    like = alice.like(entry(blog))
    await deliver(ap_client, ap_resources, blog, alice, like)
    assert await deliver(ap_client, ap_resources, blog, alice, alice.undo(like)) == "done"
    assert await db.fetchval("SELECT status FROM webmentions") == "deleted"
    assert "Alice Example" not in (await ap_client.get(entry(blog))).text


async def test_delete_of_the_actor_removes_its_follow_and_responses(
    ap_client, ap_resources, db, blog, alice
):
    await deliver(ap_client, ap_resources, blog, alice, alice.follow(f"{BASE}/{blog.channel}"))
    await deliver(ap_client, ap_resources, blog, alice, alice.like(entry(blog)))
    alice.server.serve("/users/alice", b"gone", status=410)  # Mastodon: the actor is gone
    assert await deliver(ap_client, ap_resources, blog, alice, alice.delete_self()) == "done"
    assert await db.fetchval("SELECT count(*) FROM ap_followers") == 0
    assert await db.fetchval("SELECT count(*) FROM webmentions") == 0
    assert await db.fetchval("SELECT gone_at IS NOT NULL FROM ap_actors")


@pytest.mark.parametrize("status", ["draft"])
async def test_reply_to_a_draft_stores_nothing(ap_client, ap_resources, db, blog, alice, status):
    await make_entry(db, blog, "secret", status=status)
    reply = alice.reply(entry(blog, "secret"), f"{BASE}/{blog.channel}")
    assert await deliver(ap_client, ap_resources, blog, alice, reply) == "ignored"
    assert await db.fetchval("SELECT count(*) FROM webmentions") == 0


async def test_reply_to_a_private_entry_or_a_page_that_is_not_an_entry(
    ap_client, ap_resources, db, blog, alice
):
    private = await make_entry(db, blog, "private")
    await db.execute("UPDATE entries SET visibility = 'private' WHERE id = $1", private)
    for target in (entry(blog, "private"), f"{BASE}/{blog.channel}", "https://elsewhere.example/x"):
        reply = alice.reply(target, f"{BASE}/{blog.channel}")
        assert await deliver(ap_client, ap_resources, blog, alice, reply) == "ignored"
    assert await db.fetchval("SELECT count(*) FROM webmentions") == 0


async def test_known_policy_holds_a_new_domain(ap_client, ap_resources, db, blog, alice):
    import dataclasses

    settings = dataclasses.replace(ap_resources.settings, webmention_moderation="manual")
    resources = dataclasses.replace(ap_resources, settings=settings)
    await deliver(ap_client, resources, blog, alice, alice.like(entry(blog)))
    assert await db.fetchval("SELECT status FROM webmentions") == "pending"
    assert "Alice Example" not in (await ap_client.get(entry(blog))).text


async def test_anything_else_is_ignored(ap_client, ap_resources, db, blog, alice):
    move = {"@context": "https://www.w3.org/ns/activitystreams", "type": "Move",
            "id": alice.next_id("moves"), "actor": alice.id, "object": alice.id}  # fmt: skip
    assert await deliver(ap_client, ap_resources, blog, alice, move) == "ignored"
