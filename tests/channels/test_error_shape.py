"""One test pins the v1 error body across many failure paths: {"message", "errors"}."""

from __future__ import annotations

from tests.channels.conftest import article, make_account


async def test_error_shape_everywhere(client, account, other):
    h = account.headers
    cases = [
        ("GET", "/api/v1/channels", {}, None, 401),
        ("GET", "/api/v1/nowhere", h, None, 404),
        ("DELETE", "/api/v1/channels", h, None, 405),
        ("PATCH", "/api/v1/channels/none", h, {}, 404),
        ("PATCH", "/api/v1/channels/bob_blog", h, {}, 403),
        ("POST", "/api/v1/channels/ada_blog/pages", h, {"translations": []}, 422),
        ("POST", "/api/v1/channels/ada_blog/pages", h, b"[1]", 422),
        ("GET", "/api/v1/channels/ada_blog/pages/none", h, None, 404),
        ("PATCH", "/api/v1/channels/ada_blog/pages/none/status", h, {}, 404),
        ("PUT", "/api/v1/projects/ada_blog/pages/none/translations/en", h, {}, 404),
        ("POST", "/api/v1/channels", h, {"translations": [{"language": "en"}]}, 422),
    ]
    for method, path, headers, body, status in cases:
        kwargs = {"content": body} if isinstance(body, bytes) else {"json": body}
        r = await client.request(method, path, headers=headers, **kwargs)
        assert r.status_code == status, (method, path, r.text)
        payload = r.json()
        assert set(payload) == {"message", "errors"}, payload
        assert isinstance(payload["message"], str) and payload["message"]
        assert isinstance(payload["errors"], dict)
        assert bool(payload["errors"]) == (status == 422)
        for key, messages in payload["errors"].items():
            assert isinstance(key, str) and messages and all(isinstance(m, str) for m in messages)
        assert r.headers["content-type"].startswith("application/json")
    r = await client.post("/api/v1/channels/ada_blog/pages", json=article(), headers=h)
    assert r.status_code == 201


async def test_429_key_rate_limit_by_plan_exact_body(client, db, settings):
    free = await make_account(db, "Ray", plan="free")
    for _ in range(settings.rate_v1_free):
        assert (await client.get("/api/v1/channels", headers=free.headers)).status_code == 200
    r = await client.get("/api/v1/channels", headers=free.headers)
    assert r.status_code == 429
    retry = int(r.headers["retry-after"])
    assert 1 <= retry <= 60
    assert r.json() == {"message": f"Too many requests. Retry after {retry} seconds.", "errors": {}}
    r = await client.post(
        "/api/v1/channels/ray_blog/pages", json=article(), headers=free.headers
    )  # writes are refused too, and write nothing
    assert r.status_code == 429
    assert await db.fetchval("SELECT count(*) FROM entries") == 0


async def test_413_json_body_exact_body_and_nothing_written(client, db, account, settings):
    limit = settings.v1_max_body_bytes
    big = b'{"translations": [{"language": "en", "title": "' + b"a" * limit + b'"}]}'
    r = await client.post(
        "/api/v1/channels/ada_blog/pages",
        content=big,
        headers={**account.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json() == {
        "message": f"The request body is too large. The limit is {limit} bytes.",
        "errors": {},
    }
    assert await db.fetchval("SELECT count(*) FROM entries") == 0
