"""The inboxes, by the status they answer: Mastodon-shaped activities signed as Mastodon
signs them (and as Fedify does with RFC 9421) by a real remote actor on 127.0.0.1, and the
hostile inputs of issue 19, each refused with its status and nothing stored."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from hub.core.fetch import GuardedClient
from tests.activitypub.receive.remote import Remote, new_key
from tests.webmentions.fixtures import app_client

BASE = "http://hub.test"


def inbox(blog) -> str:
    return f"{BASE}/activitypub/{blog.channel}/inbox"


def entry(blog, slug: str = "hello") -> str:
    return f"{BASE}/{blog.channel}/{slug}"


async def post(client, url: str, remote: Remote, activity, **signing):
    body, headers = remote.signed(url, activity, **signing)
    return await client.post(url, content=body, headers=headers)


async def count(db, table: str) -> int:
    return await db.fetchval(f"SELECT count(*) FROM {table}")


async def test_202_stored_once_with_its_job(ap_client, db, blog, alice):
    like = alice.like(entry(blog))
    first = await post(ap_client, inbox(blog), alice, like)
    again = await post(ap_client, inbox(blog), alice, like)
    assert (first.status_code, again.status_code) == (202, 202)
    rows = await db.fetch("SELECT type, activity_id, status, channel_id FROM ap_inbox")
    assert [(r["type"], r["activity_id"], r["status"]) for r in rows] == [
        ("Like", like["id"], "queued")
    ]
    assert rows[0]["channel_id"] == blog.channel_id
    assert await db.fetchval("SELECT count(*) FROM job_outbox WHERE function = 'process_activity'")
    actor = await db.fetchrow("SELECT uri, inbox, shared_inbox, key_id, domain FROM ap_actors")
    assert (actor["uri"], actor["inbox"], actor["key_id"]) == (alice.id, alice.inbox, alice.key_id)
    assert actor["shared_inbox"] == alice.server.url("/inbox")
    assert len(alice.server.hits("/users/alice")) == 1  # the key, fetched once, then cached


async def test_202_shared_inbox_and_rfc9421(ap_client, db, blog, alice):
    url = f"{BASE}/activitypub/inbox"
    body, headers = alice.signed_rfc9421(url, alice.like(entry(blog)))
    response = await ap_client.post(url, content=body, headers=headers)
    assert response.status_code == 202, response.text
    assert await db.fetchval("SELECT channel_id IS NULL FROM ap_inbox")


async def test_401_unsigned(ap_client, db, blog, alice):
    response = await ap_client.post(
        inbox(blog), content=orjson.dumps(alice.like(entry(blog))),
        headers={"Content-Type": "application/activity+json"},
    )  # fmt: skip
    assert response.status_code == 401
    assert "error" in response.json()
    assert await count(db, "ap_inbox") == 0


async def test_401_badly_signed(ap_client, db, blog, alice):
    like = alice.like(entry(blog))
    body, headers = alice.signed(inbox(blog), like)
    tampered = body.replace(b"Like", b"Like", 1).replace(b"hello", b"hellp")
    headers["Digest"] = "SHA-256=" + __import__("base64").b64encode(
        __import__("hashlib").sha256(tampered).digest()).decode()  # fmt: skip
    response = await ap_client.post(inbox(blog), content=tampered, headers=headers)
    assert response.status_code == 401
    forged = await post(ap_client, inbox(blog), alice, like, key=new_key())
    assert forged.status_code == 401
    assert await count(db, "ap_inbox") == 0


async def test_401_keyid_on_a_private_address(ap_resources, blog, alice, db):
    settings = dataclasses.replace(ap_resources.settings, allow_loopback_fetch=False)
    fetcher = GuardedClient.from_settings(settings)
    try:
        resources = dataclasses.replace(ap_resources, settings=settings, fetcher=fetcher)
        async for client in app_client(resources):
            response = await post(client, inbox(blog), alice, alice.like(entry(blog)))
    finally:
        await fetcher.aclose()
    assert response.status_code == 401
    assert alice.server.seen == []  # the guard refused before connecting
    assert await count(db, "ap_inbox") == 0 and await count(db, "ap_actors") == 0


async def test_401_actor_is_not_the_signer(ap_client, db, blog, alice, fediverse):
    bob = Remote(fediverse, "bob")
    like = bob.like(entry(blog))
    response = await post(ap_client, inbox(blog), alice, like)  # alice signs bob's Like
    assert response.status_code == 401
    assert await count(db, "ap_inbox") == 0


async def test_401_then_202_when_the_key_changed(ap_client, db, blog, alice):
    assert (await post(ap_client, inbox(blog), alice, alice.like(entry(blog)))).status_code == 202
    alice.key = new_key()  # rotated on the remote server
    alice.serve_actor()
    like = alice.like(entry(blog))
    fresh = await post(ap_client, inbox(blog), alice, like)
    assert fresh.status_code == 401  # the cached key is under a minute old: not re-fetched
    await db.execute("UPDATE ap_actors SET fetched_at = now() - interval '2 minutes'")
    rotated = await post(ap_client, inbox(blog), alice, like)
    assert rotated.status_code == 202
    assert await count(db, "ap_inbox") == 2
    assert len(alice.server.hits("/users/alice")) == 2


async def test_413_ten_megabytes_unread(ap_client, db, blog, alice):
    activity = alice.like(entry(blog))
    activity["padding"] = "x" * (10 * 1024 * 1024)
    response = await post(ap_client, inbox(blog), alice, activity)
    assert response.status_code == 413
    assert alice.server.seen == []  # refused before the key was looked for
    assert await count(db, "ap_inbox") == 0


async def test_415_not_activity_json(ap_client, blog, alice):
    body, headers = alice.signed(inbox(blog), alice.like(entry(blog)))
    headers["Content-Type"] = "text/plain"
    response = await ap_client.post(inbox(blog), content=body, headers=headers)
    assert response.status_code == 415
    ld = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
    body, headers = alice.signed(inbox(blog), alice.like(entry(blog)))
    headers["Content-Type"] = ld
    assert (await ap_client.post(inbox(blog), content=body, headers=headers)).status_code != 415


async def test_429_flood_from_one_domain(ap_resources, db, blog, alice):
    settings = dataclasses.replace(ap_resources.settings, ap_rate_domain=3)
    async for client in app_client(dataclasses.replace(ap_resources, settings=settings)):
        answers = [
            await post(client, inbox(blog), alice, alice.like(entry(blog))) for _ in range(5)
        ]
    assert [a.status_code for a in answers] == [202, 202, 202, 429, 429]
    assert int(answers[-1].headers["retry-after"]) > 0
    assert await count(db, "ap_inbox") == 3


async def test_403_blocked_domain(ap_client, db, blog, alice):
    await db.execute("INSERT INTO webmention_blocks (kind, pattern) VALUES ('domain', '127.0.0.1')")
    response = await post(ap_client, inbox(blog), alice, alice.like(entry(blog)))
    assert response.status_code == 403
    assert alice.server.seen == []  # nothing fetched from a blocked domain
    assert await count(db, "ap_inbox") == 0


async def test_403_a_sender_blocked_after_its_key_was_remembered(ap_client, db, blog, alice):
    first = await post(ap_client, inbox(blog), alice, alice.like(entry(blog)))
    assert first.status_code == 202  # the key verified: this process remembers it
    await db.execute("INSERT INTO webmention_blocks (kind, pattern) VALUES ('url', $1)", alice.id)
    second = await post(ap_client, inbox(blog), alice, alice.announce(entry(blog)))
    assert second.status_code == 403
    assert await count(db, "ap_inbox") == 1


async def test_202_a_remembered_key_whose_actor_row_went_is_fetched_again(
    ap_client, db, blog, alice
):
    assert (await post(ap_client, inbox(blog), alice, alice.like(entry(blog)))).status_code == 202
    await db.execute("TRUNCATE ap_actors CASCADE")  # e.g. the actor was deleted and purged
    again = await post(ap_client, inbox(blog), alice, alice.announce(entry(blog)))
    assert again.status_code == 202, again.text
    assert await count(db, "ap_inbox") == 1  # the first went with its actor; the second stored
    assert len(alice.server.hits("/users/alice")) == 2  # the key fetched again


async def test_404_unknown_channel(ap_client, db, blog, alice):
    url = f"{BASE}/activitypub/nobody/inbox"
    response = await post(ap_client, url, alice, alice.like(entry(blog)))
    assert response.status_code == 404
    assert await count(db, "ap_inbox") == 0


BAD_BODIES = [
    b"not json",
    b"[1, 2]",
    b'{"id": 5, "type": "Like", "actor": "http://x.example/a"}',
    b'{"id": "http://x.example/1", "type": ["Like", "Create"], "actor": "http://x.example/a"}',
    b'{"id": "http://x.example/1", "type": "Like", "actor": {"name": "no id"}}',
    b'{"id": "http://x.example/1\\u0000", "type": "Like", "actor": "http://x.example/a"}',
    b'{"id": "http://x.example/1", "type": "Like", "actor": "http://x.example/a", "n": 1e999}',
    b'{"id": "http://x.example/1", "type": "Like", "actor": "http://x.example/a", "s": "\\ud800"}',
    b"[" * 5000 + b"]" * 5000,
    b'{"id": "http://x.example/1", "type": "Like", "actor": "http://x.example/a"}\x00',
]


@pytest.mark.parametrize("body", BAD_BODIES, ids=range(len(BAD_BODIES)))
async def test_400_wrong_types_nul_numbers_nesting(ap_client, db, blog, alice, body):
    body, headers = alice.signed(inbox(blog), None, body=body)
    response = await ap_client.post(inbox(blog), content=body, headers=headers)
    assert response.status_code == 400
    assert isinstance(response.json()["error"], str)
    assert await count(db, "ap_inbox") == 0


async def test_401_stale_date(ap_client, db, blog, alice):
    old = datetime.now(UTC) - timedelta(hours=3)
    response = await post(ap_client, inbox(blog), alice, alice.like(entry(blog)), date=old)
    assert response.status_code == 401
    assert await count(db, "ap_inbox") == 0
