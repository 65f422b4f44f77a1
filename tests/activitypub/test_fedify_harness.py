"""The Fedify harness proves itself without hub: two real Fedify servers on 127.0.0.1 find,
follow, like, boost, reply to and delete from each other over plain http with their own
signatures verified; a remote signing draft-cavage only (as hub does) gets its Accept and
Create taken; unsigned and tampered activities are refused. When these pass and a hub test
fails, the fault is on hub's side of the wire."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from email.utils import formatdate
from urllib.parse import urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.activitypub.fedify_harness import Fedify, FedifyError, start_fedify
from tests.stubs import running_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bob() -> Iterator[Fedify]:
    """A second fediverse server, with actor `bob`."""
    with start_fedify("bob") as server:
        yield server


async def test_lookup_by_url_and_by_webfinger_handle(fedify, bob):
    by_url = await fedify.lookup(bob.actor_url)
    assert by_url["type"] == "Person"
    assert by_url["id"] == bob.actor_url
    assert by_url["preferredUsername"] == "bob"
    assert by_url["inbox"] == bob.inbox_url
    assert by_url["sharedInbox"] == bob.shared_inbox_url
    assert by_url["publicKey"] == {
        "id": f"{bob.actor_url}#main-key",
        "owner": bob.actor_url,
        "algorithm": "RSASSA-PKCS1-v1_5",
    }

    jrd = await fedify.webfinger(f"acct:{bob.handle}")
    assert jrd["subject"] == f"acct:{bob.handle}"
    assert {"rel": "self", "href": bob.actor_url, "type": "application/activity+json"} in jrd[
        "links"
    ]
    by_handle = await fedify.lookup(f"@{bob.handle}")
    assert by_handle["id"] == bob.actor_url


async def test_follow_is_verified_recorded_and_accepted(fedify, bob):
    sent = await bob.follow(fedify.actor_url)

    follow = await fedify.wait_for("Follow", id=sent["id"])
    assert follow["actor"] == bob.actor_url
    assert follow["object_id"] == fedify.actor_url
    assert follow["recipient"] == "alice"
    assert follow["verified"] is True
    assert follow["verified_by"] in {"http-signature", "ld-signature", "object-integrity-proof"}
    assert follow["signature"] == "rfc9421"  # Fedify's first knock to an unknown server

    accept = await bob.wait_for("Accept", accepts_follow=sent["id"])
    assert accept["actor"] == fedify.actor_url
    assert accept["object"]["id"] == sent["id"]  # the Follow embedded, with its id
    assert (await bob.following()) == {fedify.actor_url: True}
    assert bob.actor_url in (await fedify.state())["followers"]

    undo = await bob.unfollow(fedify.actor_url, shared_inbox=True)
    received = await fedify.wait_for("Undo", id=undo["id"])
    assert received["recipient"] is None  # the shared inbox
    assert received["object"]["id"] == sent["id"]
    assert bob.actor_url not in (await fedify.state())["followers"]


async def test_like_announce_reply_update_delete_reach_the_author(fedify, bob):
    # alice writes a note (a reply to bob's actor, addressed to bob) for bob to respond to
    note = (await fedify.reply(bob.actor_url, "<p>hello bob</p>", to=bob.actor_url))["object"]
    fetched = await bob.fetch(note)
    assert fetched["type"] == "Note"
    assert fetched["attributedTo"] == fedify.actor_url
    assert fetched["content"] == "<p>hello bob</p>"

    like = await bob.like(note)
    assert (await fedify.wait_for("Like", id=like["id"]))["object_id"] == note
    boost = await bob.announce(note)
    assert (await fedify.wait_for("Announce", id=boost["id"]))["object_id"] == note
    unlike = await bob.undo(like["id"])
    assert (await fedify.wait_for("Undo", id=unlike["id"]))["object_id"] == like["id"]

    reply = await bob.reply(note, "<p>hi alice</p>")
    create = await fedify.wait_for("Create", id=reply["id"])
    assert create["object"]["inReplyTo"] == note
    assert create["object"]["content"] == "<p>hi alice</p>"
    tags = create["object"]["tag"]
    mention = {"type": "Mention", "href": fedify.actor_url, "name": f"@{fedify.handle}"}
    assert mention in (tags if isinstance(tags, list) else [tags])

    edit = await bob.update(reply["object"], "<p>hi again</p>")
    update = await fedify.wait_for("Update", id=edit["id"])
    assert update["object"]["content"] == "<p>hi again</p>"

    gone = await bob.delete(reply["object"])
    delete = await fedify.wait_for("Delete", id=gone["id"])
    assert delete["object"] == {"type": "Tombstone", "id": reply["object"]}
    with pytest.raises(FedifyError) as refused:
        await fedify.fetch(reply["object"])
    assert refused.value.remote_status == 404


async def test_an_unsigned_activity_is_refused_and_recorded_with_the_reason(fedify):
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "http://127.0.0.1:9/forged-like",
        "type": "Like",
        "actor": "http://127.0.0.1:9/users/mallory",
        "object": fedify.actor_url,
    }
    async with httpx.AsyncClient() as client:
        response = await client.post(
            fedify.inbox_url,
            json=activity,
            headers={"Content-Type": "application/activity+json"},
        )
    assert response.status_code == 401
    assert "forged-like" not in {a["id"] for a in await fedify.inbox()}
    refused = [r for r in await fedify.rejected() if r["id"] == activity["id"]]
    assert refused and refused[0]["status"] == 401
    assert any("Failed to verify" in line for line in refused[0]["log"]), refused[0]["log"]


async def test_a_refused_delivery_is_knocked_twice_then_raised_with_the_status(fedify):
    """What hub's inbox sees from Fedify: an RFC 9421 signature first (Signature-Input,
    Content-Digest); on any 4xx/5xx the same activity again signed draft-cavage (Signature
    with keyId, Digest); a second refusal makes the send fail with that status."""
    with running_server("application/activity+json") as stub:
        actor = stub.url("/actor")
        stub.serve(
            "/actor",
            json.dumps({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": actor, "type": "Person", "preferredUsername": "stub",
                "inbox": stub.url("/inbox"),
            }),
        )  # fmt: skip
        stub.serve("/inbox", "refused", status=401, content_type="text/plain")

        with pytest.raises(FedifyError) as refused:
            await fedify.follow(actor)

        assert refused.value.status == 502
        assert "401" in refused.value.body["error"]
        first, second = stub.posts("/inbox")
        assert "signature-input" in first.headers
        assert first.headers["content-digest"].startswith("sha-256=:")
        assert "signature-input" not in second.headers
        assert second.headers["digest"].startswith("SHA-256=")
        assert f'keyId="{fedify.actor_url}#main-key"' in second.headers["signature"]
        assert 'algorithm="rsa-sha256"' in second.headers["signature"]
        assert json.loads(first.body) == json.loads(second.body)


async def test_a_lookup_of_nothing_answers_404(fedify):
    with pytest.raises(FedifyError) as missing:
        await fedify.lookup(f"{fedify.url}/nothing-here")
    assert missing.value.status == 404


def _cavage_headers(private_key: rsa.RSAPrivateKey, key_id: str, url: str, body: bytes) -> dict:
    """Signs a POST the way Mastodon does (draft-cavage rsa-sha256 over (request-target),
    host, date, digest, content-type): the shape hub's deliveries take."""
    target = urlsplit(url)
    headers = {
        "host": target.netloc,
        "date": formatdate(usegmt=True),
        "digest": "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode(),
        "content-type": "application/activity+json",
    }
    signed = "\n".join(
        [f"(request-target): post {target.path}"] + [f"{k}: {v}" for k, v in headers.items()]
    )
    signature = private_key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    headers["signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",'
        f'headers="(request-target) {" ".join(headers)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return headers


async def test_fedify_takes_a_draft_cavage_signed_accept_and_create_and_refuses_a_bad_digest(
    fedify,
):
    """A remote that signs only draft-cavage, as hub does: Fedify verifies the HTTP
    signature against the actor's `publicKey`, takes the Accept of its Follow (the Follow
    embedded) and a Create, and refuses a body that does not match its Digest."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with running_server("application/activity+json") as stub:
        actor = stub.url("/blog")
        public_key = {"id": f"{actor}#main-key", "owner": actor, "publicKeyPem": pem.decode()}
        stub.serve(
            "/blog",
            json.dumps({
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": actor, "type": "Person", "preferredUsername": "blog",
                "inbox": stub.url("/blog/inbox"),
                "publicKey": public_key,
            }),
        )  # fmt: skip
        stub.serve("/blog/inbox", "", status=202)

        async def deliver(activity: dict) -> httpx.Response:
            body = json.dumps(activity).encode()
            headers = _cavage_headers(key, f"{actor}#main-key", fedify.inbox_url, body)
            async with httpx.AsyncClient() as client:
                return await client.post(fedify.inbox_url, content=body, headers=headers)

        sent = await fedify.follow(actor)
        follow = json.loads(stub.posts("/blog/inbox")[-1].body)
        assert follow["id"] == sent["id"]

        accept = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{actor}#accepts/1", "type": "Accept", "actor": actor,
            "object": {k: follow[k] for k in ("id", "type", "actor", "object")},
        }  # fmt: skip
        assert (await deliver(accept)).status_code == 202
        received = await fedify.wait_for("Accept", id=accept["id"])
        assert received["verified_by"] == "http-signature"
        assert received["signature"] == "draft-cavage"
        assert received["accepts_follow"] == sent["id"]
        assert (await fedify.following())[actor] is True

        note = {
            "id": f"{actor}/first-post", "type": "Note", "attributedTo": actor,
            "content": "<p>first post</p>", "to": ["https://www.w3.org/ns/activitystreams#Public"],
        }  # fmt: skip
        create = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{actor}/first-post#create", "type": "Create", "actor": actor, "object": note,
        }  # fmt: skip
        assert (await deliver(create)).status_code == 202
        created = await fedify.wait_for("Create", id=create["id"])
        assert created["object"]["content"] == "<p>first post</p>"

        body = json.dumps({**create, "id": f"{actor}/second#create"}).encode()
        headers = _cavage_headers(key, f"{actor}#main-key", fedify.inbox_url, body)
        async with httpx.AsyncClient() as client:
            tampered = body.replace(b"first post", b"forged post")
            response = await client.post(fedify.inbox_url, content=tampered, headers=headers)
        assert response.status_code == 401
        refused = [r for r in await fedify.rejected() if r["id"] == f"{actor}/second#create"]
        assert any("digest mismatch" in line for line in refused[0]["log"])
