"""EXT §4.1 `Idempotency-Key`: replay, different request, in flight, expiry, every write."""

from __future__ import annotations

import asyncio

from hub.channels.jobs import expire_idempotency_keys
from hub.core.idempotency import lock_id
from tests.channels.conftest import article, two_languages, upload
from tests.images import jpeg

PAGES = "/api/v1/channels/ada_blog/pages"


def keyed(account, key: str) -> dict[str, str]:
    return {**account.headers, "Idempotency-Key": key}


async def test_201_replayed_create_makes_one_article(client, db, account):
    payload = article(slug=None)
    first = await client.post(PAGES, json=payload, headers=keyed(account, "k-1"))
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    again = await client.post(PAGES, json=payload, headers=keyed(account, "k-1"))
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert await db.fetchval("SELECT count(*) FROM entries") == 1
    fresh = await client.post(PAGES, json=payload, headers=keyed(account, "k-2"))
    assert fresh.status_code == 201 and fresh.json()["slug"] == "agent_post_2"


async def test_201_replay_ignores_key_order_and_legacy_alias(client, db, account):
    await client.post(PAGES, json={"translations": [{"language": "en", "title": "T"}]},
                      headers=keyed(account, "k"))  # fmt: skip
    r = await client.post(
        "/api/v1/projects/ada_blog/pages",
        content=b'{ "translations" : [ {"title": "T", "language": "en"} ] }',
        headers={**keyed(account, "k"), "Content-Type": "application/json"},
    )
    assert r.status_code == 201 and r.headers["idempotent-replayed"] == "true"
    assert r.headers["deprecation"] == "true"
    assert await db.fetchval("SELECT count(*) FROM entries") == 1


async def test_422_same_key_different_request(client, db, account):
    await client.post(PAGES, json=article(slug=None), headers=keyed(account, "k"))
    r = await client.post(PAGES, json=article(slug="other"), headers=keyed(account, "k"))
    assert r.status_code == 422
    assert r.json() == {
        "message": "This Idempotency-Key was already used with a different request.",
        "errors": {
            "idempotency_key": ["This Idempotency-Key was already used with a different request."]
        },
    }
    r = await client.patch(
        PAGES + "/agent_post/status", json={"status": "draft"}, headers=keyed(account, "k")
    )
    assert r.status_code == 422 and list(r.json()["errors"]) == ["idempotency_key"]
    assert await db.fetchval("SELECT count(*) FROM entries") == 1


async def test_422_malformed_key(client, db, account):
    for bad in ("", "x" * 256, "spaced key", "ключ".encode()):
        r = await client.post(
            PAGES, json=article(), headers={**account.headers, "Idempotency-Key": bad}
        )
        assert r.status_code == 422, bad
        assert r.json()["errors"] == {
            "idempotency_key": ["The Idempotency-Key must be 1 to 255 visible ASCII characters."]
        }
    r = await client.post(PAGES, json=article(), headers=keyed(account, '"quoted-key"'))
    assert r.status_code == 201
    assert await db.fetchval("SELECT count(*) FROM entries") == 1


async def test_422_malformed_key_on_a_dry_run_too(client, db, account):
    # a dry run claims no key, but a key it could never claim is refused as on a real write
    r = await client.post(
        PAGES + "?dry_run=true", json=article(),
        headers={**account.headers, "Idempotency-Key": "spaced key"},
    )  # fmt: skip
    assert r.status_code == 422
    assert list(r.json()["errors"]) == ["idempotency_key"]
    r = await client.post(PAGES + "?dry_run=true", json=article(), headers=keyed(account, "ok"))
    assert r.status_code == 200 and r.headers["x-dry-run"] == "true"
    assert await db.fetchval("SELECT count(*) FROM entries") == 0


async def test_409_while_in_flight(client, db, account):
    credential_id = await db.fetchval("SELECT id FROM credentials")
    async with db.acquire() as holder:  # what a request still running with this key holds
        await holder.execute("SELECT pg_advisory_lock($1)", lock_id(credential_id, "k"))
        r = await client.post(PAGES, json=article(), headers=keyed(account, "k"))
        assert r.status_code == 409
        assert r.json() == {
            "message": "A request with this Idempotency-Key is still being processed.",
            "errors": {},
        }
        await holder.execute("SELECT pg_advisory_unlock_all()")
    assert await db.fetchval("SELECT count(*) FROM entries") == 0
    r = await client.post(PAGES, json=article(), headers=keyed(account, "k"))
    assert r.status_code == 201


async def test_201_and_409_for_concurrent_twins(client, db, account):
    results = await asyncio.gather(
        *(client.post(PAGES, json=article(slug=None), headers=keyed(account, "twin"))
          for _ in range(4))
    )  # fmt: skip
    statuses = sorted(r.status_code for r in results)
    assert statuses[0] == 201 and set(statuses) <= {201, 409}
    assert await db.fetchval("SELECT count(*) FROM entries") == 1
    replayed = [r for r in results if r.status_code == 201]
    assert len({r.json()["id"] for r in replayed}) == 1


async def test_201_expired_key_runs_again_and_cron_deletes(client, db, resources, account):
    await client.post(PAGES, json=article(slug=None), headers=keyed(account, "k"))
    await db.execute("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
    r = await client.post(PAGES, json=article(slug=None), headers=keyed(account, "k"))
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers
    assert await db.fetchval("SELECT count(*) FROM entries") == 2
    await db.execute("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
    assert await expire_idempotency_keys({"resources": resources}) == 1
    assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 0


async def test_200_failed_request_stores_nothing_and_dry_run_ignores_key(client, db, account):
    bad = article()
    bad["translations"][0]["content_markdown"] = ""
    r = await client.post(PAGES, json=bad, headers=keyed(account, "k"))
    assert r.status_code == 422
    r = await client.post(PAGES + "?dry_run=true", json=article(), headers=keyed(account, "k"))
    assert r.status_code == 200
    assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 0
    r = await client.post(PAGES, json=article(), headers=keyed(account, "k"))
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers


async def test_200_every_write_replays(client, db, account):
    await client.post(PAGES, json=two_languages(status="draft"), headers=account.headers)
    put = {"title": "Nuevo", "content_markdown": "Texto."}
    for _ in range(2):
        r = await client.put(
            PAGES + "/agent_post/translations/es", json=put, headers=keyed(account, "t")
        )
    assert r.status_code == 201 and r.headers["idempotent-replayed"] == "true"
    status = {"status": "published", "publish_translations": True}
    for _ in range(2):
        r = await client.patch(
            PAGES + "/agent_post/status", json=status, headers=keyed(account, "s")
        )
    assert r.status_code == 200 and r.headers["idempotent-replayed"] == "true"
    assert r.json()["status"] == "published"
    media = []
    for _ in range(2):  # each retry has its own multipart boundary
        media.append(
            await client.post(
                "/api/v1/channels/ada_blog/media", headers=keyed(account, "m"),
                **upload(jpeg(), "a.jpg", alt="A"),
            )
        )  # fmt: skip
    assert [m.status_code for m in media] == [201, 201]
    assert media[1].headers["idempotent-replayed"] == "true"
    assert media[0].json() == media[1].json()
    assert await db.fetchval("SELECT count(*) FROM media") == 1


async def test_201_channel_create_replays(client, db):
    from tests.channels.conftest import make_account

    pro = await make_account(db, "Pat", plan="pro")
    body = {"translations": [{"language": "en", "title": "Winter Car Care"}]}
    first = await client.post("/api/v1/channels", json=body, headers=keyed(pro, "ch"))
    again = await client.post("/api/v1/channels", json=body, headers=keyed(pro, "ch"))
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert first.json()["slug"] == again.json()["slug"] == "winter_car_care"
    count = "SELECT count(*) FROM channels WHERE author_id = $1"
    assert await db.fetchval(count, pro.author_id) == 2
