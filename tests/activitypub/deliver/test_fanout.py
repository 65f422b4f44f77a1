"""Publishing, editing and deleting an entry through Micropub or the v1 API reaches the
channel's fediverse followers: one signed Create, Update or Delete per shared inbox, when
the worker runs the entry's reactions; drafts, private entries and scheduled posts before
their time reach nobody."""

from __future__ import annotations

import orjson

from hub.activitypub.deliver import jobs as deliver_jobs
from tests.activitypub.deliver.conftest import add_follower, run_jobs, verify_signed
from tests.factories import make_author, make_credential

MP = "/micropub"


async def blog(db, scopes=("create", "update", "delete")):
    author = await make_author(db, "Vic")  # the node's first author: its owner, no plan limits
    secret = await make_credential(db, author.author_id, kind="app_token", scopes=list(scopes))
    return author, {"Authorization": f"Bearer {secret}"}


async def micropub(client, headers, **body):
    r = await client.post(MP, json=body, headers=headers)
    assert r.status_code in (200, 201, 204), r.text
    return r


def activities(server, path: str = "/inbox") -> list[dict]:
    return [orjson.loads(hit.body) for hit in server.posts(path)]


async def test_publish_delivers_one_signed_create_per_shared_inbox(client, db, resources, inboxes):
    author, headers = await blog(db)
    for name in ("ann", "ben", "cat"):  # three followers on one server: one shared inbox
        await add_follower(db, author.channel_id, inboxes, name)
    await add_follower(db, author.channel_id, inboxes, "solo", shared=None)
    await add_follower(db, author.channel_id, inboxes, "asks", shared="/other", status="pending")
    other = await make_author(db, "Wes")
    await add_follower(db, other.channel_id, inboxes, "elsewhere", shared="/elsewhere")
    r = await micropub(client, headers, type=["h-entry"], properties={"content": ["Hello"]})
    url = r.headers["location"]
    await run_jobs(resources)
    assert sorted(h.route for h in inboxes.posts()) == ["/inbox", "/users/solo/inbox"]
    [create] = activities(inboxes)
    assert create["type"] == "Create" and create["id"] == f"{url}#create/1"
    assert create["actor"] == "http://hub.test/vic_blog"
    assert create["object"]["id"] == url and "Hello" in create["object"]["content"]
    assert create["to"] == create["object"]["to"] and create["cc"] == create["object"]["cc"]
    assert "https://www.w3.org/ns/activitystreams" in create["@context"]
    for hit in inboxes.posts():
        assert hit.headers["content-type"] == "application/activity+json"
        assert 'keyId="http://hub.test/vic_blog#main-key"' in hit.headers["signature"]
        await verify_signed(db, author.channel_id, hit)
    statuses = await db.fetch("SELECT status, attempts FROM ap_deliveries")
    assert [(r["status"], r["attempts"]) for r in statuses] == [("delivered", 1)] * 2
    await run_jobs(resources)  # nothing new: nothing sent again
    assert len(inboxes.posts()) == 2


async def test_edit_delivers_update_and_delete_delivers_delete(client, db, resources, inboxes):
    author, headers = await blog(db)
    await add_follower(db, author.channel_id, inboxes, "ann")
    r = await micropub(client, headers, type=["h-entry"], properties={"content": ["First"]})
    url = r.headers["location"]
    await run_jobs(resources)
    await micropub(client, headers, action="update", url=url, replace={"content": ["Second"]})
    await run_jobs(resources)
    create, update = activities(inboxes)
    assert (create["type"], update["type"]) == ("Create", "Update")
    assert update["object"]["id"] == url and "Second" in update["object"]["content"]
    assert update["id"] != create["id"]
    await micropub(client, headers, action="delete", url=url)
    await run_jobs(resources)
    delete = activities(inboxes)[-1]
    assert delete["type"] == "Delete" and delete["actor"] == "http://hub.test/vic_blog"
    assert delete["object"] == {"id": url, "type": "Tombstone"}
    for hit in inboxes.posts():
        await verify_signed(db, author.channel_id, hit)
    await run_jobs(resources)
    assert len(inboxes.posts()) == 3  # deleted once, told once


async def test_a_burst_of_edits_is_one_update(client, db, resources, inboxes):
    author, headers = await blog(db)
    await add_follower(db, author.channel_id, inboxes, "ann")
    url = await micropub(client, headers, type=["h-entry"], properties={"content": ["A"]})
    url = url.headers["location"]
    await run_jobs(resources)
    for text in ("B", "C", "D"):
        await micropub(client, headers, action="update", url=url, replace={"content": [text]})
    await run_jobs(resources)
    assert [a["type"] for a in activities(inboxes)] == ["Create", "Update"]
    assert "D" in activities(inboxes)[-1]["object"]["content"]


async def test_draft_delivers_nothing(client, db, resources, inboxes):
    author, headers = await blog(db)
    await add_follower(db, author.channel_id, inboxes, "ann")
    props = {"content": ["Not yet"], "post-status": ["draft"]}
    await micropub(client, headers, type=["h-entry"], properties=props)
    await run_jobs(resources)
    assert inboxes.posts() == []
    assert await db.fetchval("SELECT count(*) FROM ap_activities") == 0


async def test_private_entry_delivers_nothing(client, db, resources, inboxes):
    author, headers = await blog(db)
    await add_follower(db, author.channel_id, inboxes, "ann")
    props = {"content": ["Just me"], "visibility": ["private"]}
    await micropub(client, headers, type=["h-entry"], properties=props)
    await run_jobs(resources)
    assert inboxes.posts() == []


async def test_made_private_after_publishing_delivers_delete(client, db, resources, inboxes):
    author, headers = await blog(db)
    await add_follower(db, author.channel_id, inboxes, "ann")
    r = await micropub(client, headers, type=["h-entry"], properties={"content": ["Oops"]})
    url = r.headers["location"]
    await run_jobs(resources)
    await micropub(client, headers, action="update", url=url, replace={"visibility": ["private"]})
    await run_jobs(resources)
    assert [a["type"] for a in activities(inboxes)] == ["Create", "Delete"]


async def test_no_followers_sends_and_stores_nothing(client, db, resources, inboxes):
    _, headers = await blog(db)
    await micropub(client, headers, type=["h-entry"], properties={"content": ["Alone"]})
    await run_jobs(resources)
    assert inboxes.seen == []
    assert await db.fetchval("SELECT count(*) FROM ap_activities") == 0


async def test_v1_scheduled_post_delivers_when_it_publishes(client, db, resources, inboxes):
    author = await make_author(db, "Vic")
    key = await make_credential(db, author.author_id, kind="api_key")
    await add_follower(db, author.channel_id, inboxes, "ann")
    page = {
        "slug": "later",
        "default_language": "en",
        "status": "published",
        "scheduled_at": "2999-01-01T00:00:00Z",
        "translations": [{"language": "en", "title": "Later", "content_markdown": "Soon."}],
    }
    r = await client.post(
        "/api/v1/channels/vic_blog/pages", json=page, headers={"Authorization": f"Bearer {key}"}
    )
    assert r.status_code == 201 and r.json()["status"] == "scheduled", r.text
    await run_jobs(resources)
    assert inboxes.posts() == []  # scheduled: nobody hears of it yet
    await db.execute(
        "UPDATE entries SET scheduled_at = now() - interval '1 second' WHERE id = $1",
        r.json()["id"],
    )
    await run_jobs(resources)  # the scheduler's sweep publishes it, staging its reactions
    await run_jobs(resources)  # the outbox sweep queues them: the fan-out, the delivery
    [create] = activities(inboxes)
    assert create["type"] == "Create"
    assert create["object"]["id"] == "http://hub.test/vic_blog/later"


async def test_v1_publish_with_a_translation_is_one_object(client, db, resources, inboxes):
    author = await make_author(db, "Vic")
    key = await make_credential(db, author.author_id, kind="api_key")
    await add_follower(db, author.channel_id, inboxes, "ann")
    page = {
        "slug": "both",
        "default_language": "en",
        "status": "published",
        "translations": [
            {"language": "en", "title": "Both", "content_markdown": "Hello."},
            {"language": "fr", "title": "Les deux", "content_markdown": "Bonjour."},
        ],
    }
    r = await client.post(
        "/api/v1/channels/vic_blog/pages", json=page, headers={"Authorization": f"Bearer {key}"}
    )
    assert r.status_code == 201, r.text
    await run_jobs(resources)
    [create] = activities(inboxes)
    assert create["type"] == "Create" and create["object"]["id"] == "http://hub.test/vic_blog/both"


async def test_fanout_of_an_unknown_entry_does_nothing(db, resources):
    assert await deliver_jobs.ap_fanout({"resources": resources}, 12345) == "skipped"


async def test_a_burst_of_posts_is_one_fanout_run_telling_each_post(client, db, resources, inboxes):
    author, headers = await blog(db)
    await add_follower(db, author.channel_id, inboxes, "ann")
    urls = []
    for n in range(4):
        r = await micropub(client, headers, type=["h-entry"], properties={"content": [f"N{n}"]})
        urls.append(r.headers["location"])
    queued = [j for j in await resources.redis.zrange("arq:queue", 0, -1)
              if j.startswith(b"batch:ap_fanout")]  # fmt: skip
    assert len(queued) == 1  # one fan-out job for the burst
    await run_jobs(resources)
    creates = activities(inboxes)
    assert sorted(c["object"]["id"] for c in creates) == sorted(urls)
    assert {c["type"] for c in creates} == {"Create"}


async def test_posts_before_the_first_follower_are_not_sent_to_it(client, db, resources, inboxes):
    author, headers = await blog(db)
    await micropub(client, headers, type=["h-entry"], properties={"content": ["Before"]})
    await run_jobs(resources)  # nobody follows: nothing to tell
    assert await db.fetchval("SELECT count(*) FROM ap_activities") == 0
    await add_follower(db, author.channel_id, inboxes, "ann")
    r = await micropub(client, headers, type=["h-entry"], properties={"content": ["After"]})
    await run_jobs(resources)
    [create] = activities(inboxes)
    assert create["object"]["id"] == r.headers["location"]
