"""Hostile input to `POST /micropub`: each is refused with the right status and writes nothing,
or (where the contract accepts the request) stores nothing dangerous and fetches nothing
private. Outbound fetches run under `LoopbackOnly`, which would fail the test on any
connection that is not to 127.0.0.1."""

from __future__ import annotations

from hub.core.entries.remote_media import fetch_entry_media
from tests.micropub.conftest import entry_row, source

MP = "/micropub"
TABLES = ("entries", "entry_translations", "entry_categories", "media", "entry_media", "job_outbox")


async def _nothing_written(db) -> None:
    for table in TABLES:
        assert await db.fetchval(f"SELECT count(*) FROM {table}") == 0, table


async def test_201_script_in_content_html_is_stored_sanitised(client, db, token):
    html = (
        '<p>Hi<script>alert(1)</script><img src="x" onerror="alert(2)">'
        '<a href="javascript:alert(3)">x</a><iframe src="https://evil.example"></iframe></p>'
    )
    r = await client.post(MP, data={"h": "entry", "content[html]": html}, headers=token.headers)
    assert r.status_code == 201
    rendered = (await entry_row(db, r.headers["location"]))["content_html"].lower()
    for bad in ("<script", "alert(1)", "onerror", "javascript:", "<iframe"):
        assert bad not in rendered, bad
    # the source is returned as it was received (R-M8), never rendered
    props = (await source(client, token, r.headers["location"])).json()["properties"]
    assert props["content"] == [{"html": html}]


async def test_413_a_50_mb_body(client, db, token):
    big = b"x" * (50 * 1024 * 1024 + 1)
    json_body = b'{"type":["h-entry"],"properties":{"content":["' + big + b'"]}}'
    r = await client.post(
        MP, content=json_body, headers={**token.headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["error"] == "invalid_request"
    r = await client.post(
        MP,
        data={"h": "entry", "content": "x"},
        files={"photo": ("big.jpg", big, "image/jpeg")},
        headers=token.headers,
    )
    assert r.status_code == 413 and r.json()["error"] == "invalid_request"
    await _nothing_written(db)


async def test_400_json_arrays_where_objects_belong(client, db, token):
    bodies = [
        [],
        [{"type": ["h-entry"], "properties": {"content": ["x"]}}],
        {"type": ["h-entry"], "properties": [["content", "x"]]},
        {"type": [], "properties": {"content": ["x"]}},
    ]
    for body in bodies:
        r = await client.post(MP, json=body, headers=token.headers)
        assert r.status_code == 400 and r.json()["error"] == "invalid_request", body
    await _nothing_written(db)
    url = (
        await client.post(
            MP, json={"type": ["h-entry"], "properties": {"content": ["x"]}}, headers=token.headers
        )
    ).headers["location"]
    version = (await entry_row(db, url))["version"]
    for operation in ({"replace": ["content"]}, {"add": [["category", "x"]]}, {"delete": "x"}):
        r = await client.post(
            MP, json={"action": "update", "url": url, **operation}, headers=token.headers
        )
        assert r.status_code == 400, operation
    assert (await entry_row(db, url))["version"] == version


async def test_400_photo_at_a_private_address_writes_nothing(client, db, token):
    photos = [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[::ffff:169.254.169.254]/latest/",
        "http://10.0.0.1/private.jpg",
        "http://user:secret@example.com/a.jpg",
        # where yarl (the guarded client's parser) and httpx differ: judged as sent
        "http://\uff11\uff10\uff0e\uff10\uff0e\uff10\uff0e\uff11/a.jpg",  # full-width 10.0.0.1
        "http://[::ffff:a00:1]/a.jpg",
        "http://:@example.com/a.jpg",
        "http://example.com\\@10.0.0.1/a.jpg",
        "http://example.com:99999/a.jpg",
    ]
    for photo in photos:
        for properties in (
            {"content": ["x"], "photo": [photo]},
            {"content": ["x"], "photo": [{"value": photo, "alt": "meta-data"}]},
            {"content": ["x"], "video": [photo]},
        ):
            r = await client.post(
                MP, json={"type": ["h-entry"], "properties": properties}, headers=token.headers
            )
            assert r.status_code == 400, (photo, properties)
            assert r.json()["error"] == "invalid_request"
        r = await client.post(
            MP, data={"h": "entry", "content": "x", "photo": photo}, headers=token.headers
        )
        assert r.status_code == 400 and "cannot be fetched" in r.json()["error_description"]
    await _nothing_written(db)


async def test_400_update_adding_a_photo_at_a_private_address_changes_nothing(client, db, token):
    url = (
        await client.post(
            MP, json={"type": ["h-entry"], "properties": {"content": ["x"]}}, headers=token.headers
        )
    ).headers["location"]
    version = (await entry_row(db, url))["version"]
    r = await client.post(
        MP,
        json={"action": "update", "url": url, "add": {"photo": ["http://169.254.169.254/x"]}},
        headers=token.headers,
    )
    assert r.status_code == 400
    assert (await entry_row(db, url))["version"] == version
    assert "photo" not in (await source(client, token, url)).json()["properties"]
    assert await db.fetchval("SELECT count(*) FROM entry_remote_media") == 0


async def test_201_redirect_to_a_private_address_is_refused_after_the_hop(
    client, db, token, remote, job_context
):
    remote.serve("/hop.jpg", b"", status=302, content_type="text/plain",
                 headers={"Location": "http://169.254.169.254/latest/"})  # fmt: skip
    r = await client.post(
        MP,
        json={
            "type": ["h-entry"],
            "properties": {"content": ["x"], "photo": [remote.url("/hop.jpg")]},
        },
        headers=token.headers,
    )
    entry_id = (await entry_row(db, r.headers["location"]))["id"]
    ctx, network = job_context
    assert (await fetch_entry_media(ctx, entry_id))["refused"] == 1
    assert network.connected == ["127.0.0.1"] and remote.paths() == ["/hop.jpg"]
    assert await db.fetchval("SELECT count(*) FROM media") == 0


async def test_400_photo_with_another_scheme(client, db, token):
    for photo in ("file:///etc/passwd", "gopher://x/", "data:image/png;base64,AAAA"):
        r = await client.post(
            MP,
            json={"type": ["h-entry"], "properties": {"content": ["x"], "photo": [photo]}},
            headers=token.headers,
        )
        assert r.status_code == 400, photo
    await _nothing_written(db)


async def test_201_published_without_offset_is_read_in_the_blog_time_zone(client, db, token):
    # R-M22 (binding): no offset means the blog's zone; it is not an error
    r = await client.post(
        MP,
        data={"h": "entry", "content": "x", "published": "2024-01-01T00:00:00"},
        headers=token.headers,
    )
    assert r.status_code == 201
    row = await entry_row(db, r.headers["location"])
    assert row["published_at"].isoformat() == "2024-01-01T00:00:00+00:00"


async def test_400_unparseable_published_writes_nothing(client, db, token):
    r = await client.post(
        MP, data={"h": "entry", "content": "x", "published": "yesterday"}, headers=token.headers
    )
    assert r.status_code == 400
    await _nothing_written(db)


async def test_403_url_of_another_authors_entry(client, db, token, make_token):
    bob = await make_token(["create", "update", "delete"], author="Bob")
    r = await client.post(
        MP, json={"type": ["h-entry"], "properties": {"content": ["Bob"]}}, headers=bob.headers
    )
    url = r.headers["location"]
    before = await entry_row(db, url)
    ada = await make_token(["create", "update", "delete", "undelete"])
    attempts = [
        {"action": "update", "url": url, "replace": {"content": ["pwned"]}},
        {"action": "delete", "url": url},
        {"action": "undelete", "url": url},
    ]
    for body in attempts:
        r = await client.post(MP, json=body, headers=ada.headers)
        assert r.status_code == 403, body
    assert (await source(client, ada, url)).status_code == 403
    after = await entry_row(db, url)
    assert after["version"] == before["version"] and after["body_source"] == "Bob"


async def test_201_mp_slug_cannot_escape_the_path(client, db, token):
    r = await client.post(
        MP,
        json={
            "type": ["h-entry"],
            "properties": {"content": ["x"], "mp-slug": ["../../etc/passwd"]},
        },
        headers=token.headers,
    )
    assert r.status_code == 201
    assert r.headers["location"] == "http://hub.test/ada-blog/etc-passwd"


async def test_400_nul_characters_anywhere(client, db, token):
    bodies = [
        {"type": ["h-entry"], "properties": {"content": ["a\u0000b"]}},
        {"type": ["h-entry"], "properties": {"x\u0000": ["a"], "content": ["x"]}},
        {"type": ["h-entry"], "properties": {"content": ["x"], "x-y": [{"a": [["\u0000"]]}]}},
    ]
    for body in bodies:
        r = await client.post(MP, json=body, headers=token.headers)
        assert r.status_code == 400, body
    r = await client.post(MP, data={"h": "entry", "content": "a\x00b"}, headers=token.headers)
    assert r.status_code == 400
    await _nothing_written(db)


async def test_400_deeply_nested_json(client, db, token):
    deep: object = "x"
    for _ in range(40):
        deep = [deep]
    body = {"type": ["h-entry"], "properties": {"content": ["x"], "x-deep": [deep]}}
    r = await client.post(MP, json=body, headers=token.headers)
    assert r.status_code == 400 and "nested" in r.json()["error_description"]
    too_deep = b'{"type":["h-entry"],"properties":{"x":' + b"[" * 5000 + b"]" * 5000 + b"}}"
    r = await client.post(
        MP, content=too_deep, headers={**token.headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 400


async def test_201_own_media_on_a_private_address_host_is_not_refused(app_with, db, token, image):
    # a node served at a private address (a home server): its own upload URLs are attached
    # directly, never judged as remote URLs
    async with app_with(base_url="http://10.1.2.3:8000", allow_loopback_fetch=False) as http:
        upload = await http.post(
            "/micropub/media", files={"file": ("a.png", image("png"), "image/png")},
            headers=token.headers,
        )  # fmt: skip
        photo = upload.headers["location"]
        assert photo.startswith("http://10.1.2.3:8000/micropub/media/")
        r = await http.post(
            MP,
            json={"type": ["h-entry"], "properties": {"content": ["Home"], "photo": [photo]}},
            headers=token.headers,
        )
    assert r.status_code == 201, r.text
    assert await db.fetchval("SELECT count(*) FROM entry_media WHERE role = 'photo'") == 1
    assert await db.fetchval("SELECT count(*) FROM entry_remote_media") == 0
