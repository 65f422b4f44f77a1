"""Discovery as a fediverse server does it: WebFinger (acct: and the channel URL, the node
host and a custom domain, a chosen handle), host-meta and NodeInfo 2.1 (checked against its
schema's required shape)."""

from __future__ import annotations

import jsonschema
import pytest

from tests.site.public.fixtures import (
    BASE,
    PublicBlog,
    public_article,
    public_insert_entry,
    public_make_blog,
    public_publish,
)

WEBFINGER = "/.well-known/webfinger"
ACTOR = f"{BASE}/ada_blog"


@pytest.fixture
async def public_blog(db) -> PublicBlog:
    return await public_make_blog(db)


def jrd_links(body: dict) -> dict[str, dict]:
    return {link["rel"]: link for link in body["links"]}


async def test_200_webfinger_acct_on_the_node_host(client, public_blog):
    r = await client.get(WEBFINGER, params={"resource": "acct:ada_blog@hub.test"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/jrd+json"
    assert r.headers["access-control-allow-origin"] == "*"
    body = r.json()
    assert body["subject"] == "acct:ada_blog@hub.test"
    assert body["aliases"] == [ACTOR]
    links = jrd_links(body)
    assert links["self"] == {"rel": "self", "type": "application/activity+json", "href": ACTOR}
    assert links["http://webfinger.net/rel/profile-page"]["href"] == ACTOR
    assert links["http://webfinger.net/rel/profile-page"]["type"] == "text/html"


async def test_200_webfinger_by_the_channel_url_and_case_insensitive_acct(client, public_blog):
    for resource in (ACTOR, "acct:Ada_Blog@HUB.test", "acct:@ada_blog@hub.test"):
        r = await client.get(WEBFINGER, params={"resource": resource})
        assert r.status_code == 200, resource
        assert r.json()["subject"] == "acct:ada_blog@hub.test"


async def test_200_webfinger_a_chosen_handle(client, db, public_blog):
    await db.execute("UPDATE channels SET ap_handle = 'ada' WHERE id = $1", public_blog.channel_id)
    r = await client.get(WEBFINGER, params={"resource": "acct:ada@hub.test"})
    assert r.status_code == 200
    assert r.json()["subject"] == "acct:ada@hub.test"
    assert jrd_links(r.json())["self"]["href"] == ACTOR  # the actor is still the channel URL
    gone = await client.get(WEBFINGER, params={"resource": "acct:ada_blog@hub.test"})
    assert gone.status_code == 404


async def test_400_webfinger_without_or_with_a_malformed_resource(client, public_blog):
    for params in ({}, {"resource": ""}, {"resource": "ada_blog"}, {"resource": "acct:ada_blog"},
                   {"resource": "acct:@hub.test"}, {"resource": "mailto:a@hub.test"}):  # fmt: skip
        r = await client.get(WEBFINGER, params=params)
        assert r.status_code == 400, params
        assert r.headers["content-type"].startswith("application/json")
        assert r.json()["error"]


async def test_404_webfinger_unknown_account_host_or_draft_channel(client, db, public_blog):
    bob = await public_make_blog(db, "Bob")
    await db.execute("UPDATE channels SET status = 'draft' WHERE id = $1", bob.channel_id)
    for resource in ("acct:nobody@hub.test", "acct:ada_blog@elsewhere.example",
                     "acct:bob_blog@hub.test", f"{BASE}/bob_blog", f"{BASE}/ada_blog/post",
                     "https://elsewhere.example/ada_blog"):  # fmt: skip
        r = await client.get(WEBFINGER, params={"resource": resource})
        assert r.status_code == 404, resource
        assert "error" in r.json()


async def test_200_webfinger_on_a_custom_domain_finds_only_its_channel(client, db, public_blog):
    await public_make_blog(db, "Bob")
    await db.execute(
        "UPDATE channels SET custom_domain = 'blog.example' WHERE id = $1", public_blog.channel_id
    )
    custom = "http://blog.example"
    r = await client.get(f"{custom}{WEBFINGER}", params={"resource": "acct:ada_blog@blog.example"})
    assert r.status_code == 200
    body = r.json()
    assert body["subject"] == "acct:ada_blog@blog.example"
    assert jrd_links(body)["self"]["href"] == "https://blog.example/"
    by_url = await client.get(f"{custom}{WEBFINGER}", params={"resource": "https://blog.example/"})
    assert by_url.status_code == 200
    other = await client.get(f"{custom}{WEBFINGER}", params={"resource": "acct:bob_blog@hub.test"})
    assert other.status_code == 404
    # the node host names the custom domain as the channel's canonical account
    node = await client.get(WEBFINGER, params={"resource": "acct:ada_blog@hub.test"})
    assert node.json()["subject"] == "acct:ada_blog@blog.example"


async def test_200_host_meta_names_the_webfinger_template(client, db):
    r = await client.get("/.well-known/host-meta")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/xrd+xml")
    assert 'rel="lrdd"' in r.text
    assert 'template="http://hub.test/.well-known/webfinger?resource={uri}"' in r.text


NODEINFO_SCHEMA = {  # the required part of nodeinfo.diaspora.software/ns/schema/2.1
    "type": "object",
    "required": [
        "version",
        "software",
        "protocols",
        "services",
        "openRegistrations",
        "usage",
        "metadata",
    ],
    "properties": {
        "version": {"enum": ["2.1"]},
        "software": {
            "type": "object",
            "required": ["name", "version"],
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                "version": {"type": "string"},
            },
        },
        "protocols": {
            "type": "array",
            "minItems": 1,
            "items": {
                "enum": [
                    "activitypub",
                    "buddycloud",
                    "dfrn",
                    "diaspora",
                    "libertree",
                    "ostatus",
                    "pumpio",
                    "tent",
                    "xmpp",
                    "zot",
                ]
            },
        },
        "services": {"type": "object", "required": ["inbound", "outbound"]},
        "openRegistrations": {"type": "boolean"},
        "usage": {
            "type": "object",
            "required": ["users"],
            "properties": {
                "users": {
                    "type": "object",
                    "properties": {
                        "total": {"type": "integer", "minimum": 0},
                        "activeHalfyear": {"type": "integer", "minimum": 0},
                        "activeMonth": {"type": "integer", "minimum": 0},
                    },
                },
                "localPosts": {"type": "integer", "minimum": 0},
            },
        },
        "metadata": {"type": "object"},
    },
}


async def test_200_nodeinfo_links_and_counts(client, db, public_blog):
    await public_publish(client, public_blog, public_article("first"))
    await public_insert_entry(db, public_blog, "private", visibility="private")
    await public_insert_entry(db, public_blog, "draft", published=False)
    bob = await public_make_blog(db, "Bob")
    await db.execute("UPDATE channels SET status = 'draft' WHERE id = $1", bob.channel_id)
    well_known = await client.get("/.well-known/nodeinfo")
    assert well_known.status_code == 200
    [link] = well_known.json()["links"]
    assert link == {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                    "href": f"{BASE}/nodeinfo/2.1"}  # fmt: skip
    r = await client.get("/nodeinfo/2.1")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert "schema/2.1" in r.headers["content-type"]
    body = r.json()
    jsonschema.validate(body, NODEINFO_SCHEMA)
    assert body["software"]["name"] == "hub"
    assert body["protocols"] == ["activitypub"]
    assert body["openRegistrations"] is False
    assert body["usage"]["users"] == {"total": 1, "activeMonth": 1, "activeHalfyear": 1}
    assert body["usage"]["localPosts"] == 1
    assert body["metadata"]["nodeName"] == "hub.test"
