"""One test pins Micropub's error shape across many failure paths (§1.3): exactly
{"error", "error_description"}, plus "scope" for insufficient_scope."""

from __future__ import annotations


async def test_every_error_is_error_and_description_only(client, token, make_token, app_with):
    media_only = await make_token(["media"])
    mp = "/micropub"
    auth = token.headers
    bad_update = {"action": "update", "url": "http://hub.test/x", "replace": "x"}
    failures = [
        await client.post(mp, data={"h": "entry", "content": "x"}),
        await client.get(mp, params={"q": "config"}, headers={"Authorization": "Bearer x"}),
        await client.post(mp, data={"h": "entry"}, headers=token.headers),
        await client.post(mp, json=bad_update, headers=auth),
        await client.post(mp, content=b"x", headers={**auth, "Content-Type": "text/plain"}),
        await client.put(mp, headers=token.headers),
        await client.get(mp, params={"q": "nope"}, headers=token.headers),
        await client.get(mp, params={"q": "source", "url": "http://hub.test/x"}, headers=auth),
        await client.get("/micropub/unknown/path"),
        await client.get("/micropub/media/unknown"),
        await client.post("/micropub/media", json={}, headers=token.headers),
    ]  # fmt: skip
    async with app_with(max_body_bytes=10) as http:
        failures.append(await http.post(mp, json={"x": "y" * 20}, headers=token.headers))
    for r in failures:
        assert r.status_code >= 400
        assert set(r.json()) == {"error", "error_description"}, (r.status_code, r.json())
        assert r.json()["error"] and r.json()["error_description"]
    scoped = await client.post(mp, data={"h": "entry", "content": "x"}, headers=media_only.headers)
    assert set(scoped.json()) == {"error", "error_description", "scope"}
    assert {r.status_code for r in failures} >= {400, 401, 404, 405, 413, 415}
