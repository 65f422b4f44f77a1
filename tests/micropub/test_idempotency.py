"""`Idempotency-Key` on `POST /micropub` (EXT, micropub-resolved.md §3.7)."""

from __future__ import annotations

MP = "/micropub"
NOTE = {"type": ["h-entry"], "properties": {"content": ["Once"]}}


async def test_201_same_key_replays_the_first_answer_and_creates_nothing(client, db, token):
    headers = {**token.headers, "Idempotency-Key": "abc-123"}
    first = await client.post(MP, json=NOTE, headers=headers)
    again = await client.post(MP, json=NOTE, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["location"] == first.headers["location"]
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await db.fetchval("SELECT count(*) FROM entries") == 1


async def test_201_replay_of_a_form_create_with_files(client, db, token, image):
    headers = {**token.headers, "Idempotency-Key": '"quoted-key"'}
    for _ in range(2):
        r = await client.post(
            MP,
            data={"h": "entry", "content": "x"},
            files={"photo": ("a.jpg", image(), "image/jpeg")},
            headers=headers,
        )
        assert r.status_code == 201
    assert await db.fetchval("SELECT count(*) FROM entries") == 1
    assert await db.fetchval("SELECT count(*) FROM media") == 1


async def test_204_replay_of_a_delete(client, db, token, make_token):
    url = (await client.post(MP, json=NOTE, headers=token.headers)).headers["location"]
    deleter = await make_token(["delete"])
    headers = {**deleter.headers, "Idempotency-Key": "del-1"}
    for _ in range(2):
        r = await client.post(MP, json={"action": "delete", "url": url}, headers=headers)
        assert r.status_code == 204 and r.content == b""


async def test_400_same_key_with_another_request(client, db, token):
    headers = {**token.headers, "Idempotency-Key": "k"}
    await client.post(MP, json=NOTE, headers=headers)
    other = {"type": ["h-entry"], "properties": {"content": ["Different"]}}
    r = await client.post(MP, json=other, headers=headers)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    assert await db.fetchval("SELECT count(*) FROM entries") == 1


async def test_201_keys_are_per_token(client, db, token, make_token):
    other = await make_token()
    for t in (token, other):
        r = await client.post(MP, json=NOTE, headers={**t.headers, "Idempotency-Key": "same"})
        assert r.status_code == 201
    assert await db.fetchval("SELECT count(*) FROM entries") == 2


async def test_400_failed_request_stores_nothing_and_can_be_retried(client, db, token):
    headers = {**token.headers, "Idempotency-Key": "retry-me"}
    bad = {"type": ["h-entry"], "properties": {"content": ["x"], "published": ["soon"]}}
    assert (await client.post(MP, json=bad, headers=headers)).status_code == 400
    assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 0
    assert (await client.post(MP, json=NOTE, headers=headers)).status_code == 201


async def test_400_malformed_key(client, db, token):
    r = await client.post(MP, json=NOTE, headers={**token.headers, "Idempotency-Key": "a b"})
    assert r.status_code == 400
    assert await db.fetchval("SELECT count(*) FROM entries") == 0
