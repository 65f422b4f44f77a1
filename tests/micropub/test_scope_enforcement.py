"""Scopes enforced over HTTP (micropub-resolved.md §2.2, R-M1, R-M12, R-M13, R-M35): a token
with one scope may do exactly what the table allows; everything else is `401
insufficient_scope` naming the scope it needed, and changes nothing."""

from __future__ import annotations

import pytest

from tests.images import flat
from tests.micropub.conftest import entry_row

MP = "/micropub"
OPERATIONS = ("create", "update", "delete", "undelete", "upload", "source", "config")
ALLOWED = {
    "create": {"create", "upload", "source", "config"},
    "draft": {"create", "upload", "source", "config"},
    "update": {"update", "source", "config"},
    "delete": {"delete", "undelete", "source", "config"},
    "undelete": {"undelete", "config"},
    "media": {"upload", "config"},
}
SUCCESS = {
    "create": 201, "update": 200, "delete": 204, "undelete": 204, "upload": 201, "source": 200,
    "config": 200,
}  # fmt: skip


async def _do(client, headers: dict, operation: str, url: str, n: int):
    if operation == "create":
        body = {"type": ["h-entry"], "properties": {"content": [f"By scope {n}"]}}
        return await client.post(MP, json=body, headers=headers)
    if operation == "update":
        body = {"action": "update", "url": url, "add": {"category": [f"tag{n}"]}}
        return await client.post(MP, json=body, headers=headers)
    if operation in ("delete", "undelete"):
        return await client.post(MP, data={"action": operation, "url": url}, headers=headers)
    if operation == "upload":
        files = {"file": ("x.png", flat("png", 10 + n, 10), "image/png")}
        return await client.post(f"{MP}/media", files=files, headers=headers)
    params = {"q": "source", "url": url} if operation == "source" else {"q": "config"}
    return await client.get(MP, params=params, headers=headers)


async def _state(db) -> tuple:
    return (
        await db.fetchval("SELECT count(*) FROM entries"),
        await db.fetchval("SELECT coalesce(sum(version), 0) FROM entries"),
        await db.fetchval("SELECT count(*) FROM entries WHERE deleted_at IS NOT NULL"),
        await db.fetchval("SELECT count(*) FROM media"),
    )


@pytest.mark.parametrize("scope", sorted(ALLOWED))
async def test_401_insufficient_scope_for_everything_the_scope_does_not_allow(
    client, db, token, make_token, scope
):
    url = (
        await client.post(
            MP, json={"type": ["h-entry"], "properties": {"content": ["x"]}}, headers=token.headers
        )
    ).headers["location"]
    single = await make_token([scope])
    for n, operation in enumerate(OPERATIONS):
        before = await _state(db)
        r = await _do(client, single.headers, operation, url, n)
        if operation in ALLOWED[scope]:
            assert r.status_code == SUCCESS[operation], (scope, operation, r.text)
            continue
        assert r.status_code == 401, (scope, operation, r.text)
        body = r.json()
        assert body["error"] == "insufficient_scope" and body["scope"], (scope, operation)
        assert r.headers["www-authenticate"].startswith('Bearer error="insufficient_scope"')
        assert await _state(db) == before, (scope, operation)


async def test_201_draft_scope_creates_drafts_and_uploads_but_never_publishes(
    client, db, make_token
):
    draft = await make_token(["draft"])
    r = await client.post(
        MP,
        json={"type": ["h-entry"], "properties": {"content": ["x"], "post-status": ["published"]}},
        headers=draft.headers,
    )
    location = r.headers["location"]
    assert r.status_code == 201 and location.endswith("/edit")
    assert (await entry_row(db, location))["status"] == "draft"
    editor = await make_token(["draft", "update"])
    r = await client.post(
        MP,
        json={
            "action": "update",
            "url": location,
            "replace": {"post-status": ["published"]},
        },
        headers=editor.headers,
    )
    assert r.status_code == 401 and r.json()["scope"] == "create"
    assert (await entry_row(db, location))["status"] == "draft"
