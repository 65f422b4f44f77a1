"""Every v1 read checks the key's scope (publicasta-v1-resolved §1.2, issue 15): `read`, or a
write scope an older key already had (`create`, `update`, `channels`); a Micropub token with
only `media` or a directory token reads nothing, not even the list of pages."""

from __future__ import annotations

import pytest

from tests.channels.conftest import article, upload
from tests.factories import make_credential
from tests.images import jpeg

READS = [
    "/api/v1/channels",
    "/api/v1/channels/ada_blog",
    "/api/v1/channels/ada_blog/pages",
    "/api/v1/channels/ada_blog/pages/secret_draft",
    "/api/v1/channels/ada_blog/pages/secret_draft/revisions",
    "/api/v1/projects",
    "/api/v1/projects/ada_blog",
    "/api/v1/projects/ada_blog/pages",
    "/api/v1/projects/ada_blog/pages/secret_draft",
    "/api/v1/projects/ada_blog/pages/secret_draft/revisions",
]
LACKS_READ = {"message": "This API key lacks the 'read' scope.", "errors": {}}


@pytest.fixture
async def draft(client, account) -> None:
    r = await client.post(
        "/api/v1/channels/ada_blog/pages",
        json=article("secret_draft", status="draft"),
        headers=account.headers,
    )
    assert r.status_code == 201, r.text


async def _headers(db, account, kind: str, scopes: list[str]) -> dict[str, str]:
    secret = await make_credential(db, account.author_id, kind=kind, scopes=scopes)
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize(
    ("kind", "scopes"),
    [("app_token", ["media"]), ("directory_token", ["directory"]), ("api_key", ["delete"])],
)
async def test_403_every_read_without_read_scope(client, db, account, draft, kind, scopes):
    headers = await _headers(db, account, kind, scopes)
    for path in READS:
        for method in ("GET", "HEAD"):
            r = await client.request(method, path, headers=headers)
            assert r.status_code == 403, (method, path, r.text)
            if method == "GET":
                assert r.json() == LACKS_READ, path


async def test_403_read_scope_after_404_channel(client, db, account):
    headers = await _headers(db, account, "app_token", ["media"])
    r = await client.get("/api/v1/channels/nobody_blog/pages", headers=headers)
    assert r.status_code == 404
    assert r.json()["message"] == "Channel not found."


async def test_200_old_key_without_read_still_reads(client, db, account, draft):
    headers = await _headers(db, account, "api_key", ["create", "update", "media", "channels"])
    for path in READS:
        r = await client.get(path, headers=headers)
        assert r.status_code == 200, (path, r.text)
    r = await client.get("/api/v1/channels/ada_blog/pages", headers=headers)
    assert [p["slug"] for p in r.json()["pages"]] == ["secret_draft"]


async def test_200_read_only_key_reads_but_403_on_writes(client, db, account, draft):
    headers = await _headers(db, account, "api_key", ["read"])
    for path in READS:
        r = await client.get(path, headers=headers)
        assert r.status_code == 200, (path, r.text)
    page = "/api/v1/channels/ada_blog/pages/secret_draft"
    [listed] = (await client.get("/api/v1/channels", headers=headers)).json()["channels"]
    assert listed["can_write"] is False
    writes = [
        ("POST", "/api/v1/channels", {"json": {"translations": [{"language": "en", "title": "X"}]}},
         "channels"),
        ("PATCH", "/api/v1/channels/ada_blog", {"json": {"status": "draft"}}, "channels"),
        ("POST", "/api/v1/channels/ada_blog/pages", {"json": article("another")}, "create"),
        ("PUT", page + "/translations/en", {"json": {"title": "Changed"}}, "update"),
        ("PATCH", page + "/status", {"json": {"status": "published"}}, "update"),
        ("POST", "/api/v1/channels/ada_blog/media", upload(jpeg()), "media"),
        ("DELETE", page, {}, "delete"),
    ]  # fmt: skip
    for method, path, kwargs, scope in writes:
        r = await client.request(method, path, headers=headers, **kwargs)
        assert r.status_code == 403, (method, path, r.text)
        assert r.json()["message"] == f"This API key lacks the '{scope}' scope.", (method, path)
    r = await client.get(page, headers=headers)
    assert r.json()["status"] == "draft"
    assert r.json()["translations"][0]["title"] == "Agent post"


async def test_201_new_key_has_read_by_default(client, db, account):
    secret = await make_credential(db, account.author_id, kind="api_key")
    r = await client.get("/api/v1/channels", headers={"X-API-Key": secret})
    assert r.status_code == 200


async def test_200_documents_need_no_key(client):
    for path in ("/api/v1/openapi.json", "/api/v1/skill.md", "/api/v1", "/api-docs"):
        r = await client.get(path)
        assert r.status_code == 200, path
