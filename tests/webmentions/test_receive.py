"""POST /api/webmentions: synchronous validation (§1.2), 201 + Location (§1.3, R-W4), the
status document and the list (§1.9), rate limits and the blocklist (§1.8)."""

from __future__ import annotations

import dataclasses

from tests.factories import make_entry
from tests.webmentions.fixtures import app_client, entry_url, make_blog

WM = "/api/webmentions"


async def mention_rows(db):
    return await db.fetch("SELECT * FROM webmentions ORDER BY created_at")


async def post(client, source: str, target: str, **kwargs):
    return await client.post(WM, data={"source": source, "target": target}, **kwargs)


async def test_201_with_location_and_a_queued_verify_job(wm_client, wm_resources, db):
    blog = await make_blog(db)
    entry_id = await make_entry(db, blog, "first")
    target = entry_url(blog, "first") + "?lang=en"
    r = await post(wm_client, "https://other.example/reply", target)
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["location"] == body["status_url"]
    assert body["status_url"] == f"http://hub.test/api/webmentions/{body['id']}"
    assert len(body["id"]) == 22 and body["status"] == "queued"
    assert (body["source"], body["target"]) == ("https://other.example/reply", target)
    [row] = await mention_rows(db)
    assert (row["entry_id"], row["channel_id"]) == (entry_id, blog.channel_id)
    assert row["target_lang"] == "en" and row["status"] == "queued"
    assert row["source_norm"] == "https://other.example/reply"
    assert row["source_domain"] == "other.example"
    assert await wm_resources.redis.exists(f"arq:job:verify_webmention:{row['id']}")
    status = await wm_client.get(f"{WM}/{row['id']}")
    assert status.status_code == 200 and status.headers["cache-control"] == "no-cache"
    assert status.json()["status"] == "queued" and status.json()["verified_at"] is None


async def test_201_every_lang_form_of_an_entry_url_finds_the_entry(wm_client, db):
    """The entry's one URL, the `?lang=en` form its pages printed before issue 16, and any
    other `?lang=` all name the entry."""
    blog = await make_blog(db)
    entry_id = await make_entry(db, blog, "first")
    url = entry_url(blog, "first")
    forms = (url, url + "?lang=en", url + "/?lang=en", url + "?lang=fr")
    for number, target in enumerate(forms):
        r = await post(wm_client, f"https://other.example/{number}", target)
        assert r.status_code == 201, (target, r.text)
    rows = await mention_rows(db)
    assert [(r["entry_id"], r["target_lang"]) for r in rows] == [
        (entry_id, None),
        (entry_id, "en"),
        (entry_id, "en"),
        (entry_id, "fr"),
    ]


async def test_201_repeat_is_the_same_record(wm_client, db):
    blog = await make_blog(db)
    await make_entry(db, blog, "first")
    first = await post(wm_client, "https://other.example/a", entry_url(blog, "first"))
    again = await post(wm_client, "https://OTHER.example:443/a#c", entry_url(blog, "first") + "/")
    assert again.status_code == 201
    assert again.headers["location"] == first.headers["location"]
    [row] = await mention_rows(db)
    assert row["resend_seq"] == 1


async def test_201_multipart_and_channel_home(wm_client, db):
    blog = await make_blog(db)
    r = await wm_client.post(
        WM,
        files={
            "source": (None, "https://other.example/a"),
            "target": (None, "http://hub.test/ada_blog"),
        },
    )
    assert r.status_code == 201, r.text
    [row] = await mention_rows(db)
    assert row["entry_id"] is None and row["channel_id"] == blog.channel_id


async def test_400_validation_reasons(wm_client, db):
    blog = await make_blog(db)
    await make_entry(db, blog, "first")
    await make_entry(db, blog, "secret", status="draft")
    target = entry_url(blog, "first")
    cases = [
        ({"source": "https://a.example/x"}, "source and target are required"),
        ({"source": "ftp://a.example/x", "target": target}, "source must be an http(s) URL"),
        ({"source": "https://a.example/x", "target": "nope"}, "target must be an http(s) URL"),
        ({"source": target + "#top", "target": target}, "source and target are the same"),
        ({"source": "https://a.example/x", "target": "https://else.example/p"},
         "target is not on this site"),
        ({"source": "https://a.example/x", "target": entry_url(blog, "missing")},
         "target does not accept webmentions"),
        ({"source": "https://a.example/x", "target": entry_url(blog, "secret")},
         "target does not accept webmentions"),
        ({"source": "https://a.example/x", "target": "http://hub.test/"},
         "target does not accept webmentions"),
        ({"source": "http://localhost/x", "target": target}, "source is not reachable"),
        ({"source": "http://10.1.2.3/x", "target": target}, "source is not reachable"),
        ({"source": "http://169.254.169.254/x", "target": target}, "source is not reachable"),
    ]  # fmt: skip
    for data, reason in cases:
        r = await wm_client.post(WM, data=data)
        assert r.status_code == 400, (data, r.text)
        assert r.json() == {"detail": reason}
    assert await mention_rows(db) == []


async def test_400_json_body_and_repeated_parameters(wm_client, db):
    blog = await make_blog(db)
    await make_entry(db, blog, "first")
    target = entry_url(blog, "first")
    r = await wm_client.post(WM, json={"source": "https://a.example/x", "target": target})
    assert r.status_code == 400 and "form-urlencoded" in r.json()["detail"]
    r = await wm_client.post(
        WM,
        content=f"source=https://a.example/x&source=https://b.example/y&target={target}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400 and r.json() == {"detail": "source must be given once"}


async def test_400_list_needs_a_target_and_405_elsewhere(wm_client, db):
    r = await wm_client.get(WM)
    assert r.status_code == 400 and r.json() == {"detail": "target is required"}
    r = await wm_client.delete(WM)
    assert r.status_code == 405 and "POST" in r.headers["allow"]
    r = await wm_client.get(f"{WM}/nope")
    assert r.status_code == 404 and r.json() == {"detail": "Not found."}


async def test_201_blocked_source_is_stored_as_blocked_and_never_queued(wm_resources, db):
    blog = await make_blog(db)
    await make_entry(db, blog, "first")
    settings = dataclasses.replace(wm_resources.settings, webmention_blocklist=("spam.example",))
    async for client in app_client(dataclasses.replace(wm_resources, settings=settings)):
        r = await post(client, "https://www.spam.example/x", entry_url(blog, "first"))
        assert r.status_code == 201  # the block is not revealed
        status = await client.get(r.headers["location"])
        assert status.json()["status"] == "queued"
    [row] = await mention_rows(db)
    assert row["status"] == "blocked"
    assert not await wm_resources.redis.exists(f"arq:job:verify_webmention:{row['id']}")


async def test_201_blocked_by_the_blocks_table(wm_client, wm_resources, db):
    blog = await make_blog(db)
    await make_entry(db, blog, "first")
    await db.execute(
        "INSERT INTO webmention_blocks (kind, pattern) VALUES ('domain', 'bad.example')"
    )
    r = await post(wm_client, "https://sub.bad.example/x", entry_url(blog, "first"))
    assert r.status_code == 201
    [row] = await mention_rows(db)
    assert row["status"] == "blocked"


async def test_429_per_source_domain(wm_resources, db):
    blog = await make_blog(db)
    await make_entry(db, blog, "first")
    settings = dataclasses.replace(wm_resources.settings, webmention_rate_source=2)
    async for client in app_client(dataclasses.replace(wm_resources, settings=settings)):
        for n in range(2):
            r = await post(client, f"https://a.flood.example/{n}", entry_url(blog, "first"))
            assert r.status_code == 201
        r = await post(client, "https://b.flood.example/3", entry_url(blog, "first"))
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        r = await post(client, "https://calm.example/1", entry_url(blog, "first"))
        assert r.status_code == 201


async def test_429_per_client_ip(wm_resources, db):
    blog = await make_blog(db)
    await make_entry(db, blog, "first")
    settings = dataclasses.replace(wm_resources.settings, webmention_rate_ip=1)
    async for client in app_client(dataclasses.replace(wm_resources, settings=settings)):
        assert (
            await post(client, "https://a.example/1", entry_url(blog, "first"))
        ).status_code == 201
        r = await post(client, "https://b.example/2", entry_url(blog, "first"))
        assert r.status_code == 429 and "throttled" in r.json()["detail"]


async def test_429_per_client_ip_per_day(wm_resources, db):
    blog = await make_blog(db)
    await make_entry(db, blog, "first")
    settings = dataclasses.replace(wm_resources.settings, webmention_rate_ip_day=3)
    async for client in app_client(dataclasses.replace(wm_resources, settings=settings)):
        for n in range(3):
            r = await post(client, f"https://s{n}.example/p", entry_url(blog, "first"))
            assert r.status_code == 201
        r = await post(client, "https://s9.example/p", entry_url(blog, "first"))
        assert r.status_code == 429
        assert 0 < int(r.headers["retry-after"]) <= 86400
    assert len(await mention_rows(db)) == 3


async def test_201_archived_entry_still_accepts(wm_client, db):
    blog = await make_blog(db)
    entry_id = await make_entry(db, blog, "old")
    await db.execute("UPDATE entries SET status = 'archived' WHERE id = $1", entry_id)
    await db.execute(
        "UPDATE entry_translations SET status = 'archived' WHERE entry_id = $1", entry_id
    )
    r = await post(wm_client, "https://a.example/1", entry_url(blog, "old"))
    assert r.status_code == 201  # R-W2: stored, never shown
