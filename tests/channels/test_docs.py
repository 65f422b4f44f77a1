"""The v1 API's documents: the OpenAPI 3.1 document against the app's real routes and real
responses, the agent skill, the /api-docs page, discovery, and the Postman collection run
request by request against the app."""

from __future__ import annotations

import copy
import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from openapi_spec_validator import validate
from starlette.routing import Match, Mount, Route

from hub.app import create_app
from hub.core.db import transaction
from hub.core.entries import publishing
from tests.channels.conftest import make_account, two_languages, upload
from tests.images import jpeg

COLLECTION = Path(__file__).parents[2] / "docs" / "postman" / "hub-v1.postman_collection.json"
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def app_operations(settings, resources) -> set[tuple[str, str]]:
    """(METHOD, /api/v1/... path template) for every route the app serves under /api/v1."""
    found: set[tuple[str, str]] = set()

    def walk(routes, prefix: str) -> None:
        for route in routes:
            if isinstance(route, Mount):
                walk(route.routes, prefix + route.path)
            elif isinstance(route, Route):
                path = prefix + route.path
                if not path.startswith("/api/v1") or "{rest:path}" in path:
                    continue
                allowed = getattr(route.endpoint, "allowed_methods", None) or route.methods
                found.update((m, path) for m in allowed if m not in IGNORED_METHODS)

    walk(create_app(settings, resources).routes, "")
    return found


def document_operations(document: dict) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }


async def test_200_openapi_document_is_valid_and_matches_the_routes(client, settings, resources):
    r = await client.get("/api/v1/openapi.json")  # no key needed
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    document = r.json()
    validate(document)  # OpenAPI 3.1 meta-schema
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "http://hub.test"}]
    routes = app_operations(settings, resources)
    described = document_operations(document)
    assert routes - described == set(), "routes missing from the OpenAPI document"
    assert described - routes == set(), "documented operations the app does not serve"
    assert ("PUT", "/api/v1/channels/{channel_slug}/pages/{page_slug}/translations/{language}") in (
        routes
    )


async def test_200_extensions_are_marked_and_legacy_paths_deprecated(client):
    document = (await client.get("/api/v1/openapi.json")).json()
    paths = document["paths"]
    page = "/api/v1/channels/{channel_slug}/pages/{page_slug}"
    assert paths[page]["delete"]["x-hub-extension"] is True
    assert paths["/api/v1/channels/{channel_slug}/pages"]["get"]["x-hub-extension"] is True
    assert paths[page + "/revisions"]["get"]["x-hub-extension"] is True
    for doc_operation in (paths[page]["get"], paths["/api/v1/channels"]["post"]):
        assert "x-hub-extension" not in doc_operation  # DOC behaviour is not an extension
    parameters = document["components"]["parameters"]
    for name in ("IdempotencyKey", "IfMatch", "DryRun"):
        assert parameters[name]["x-hub-extension"] is True
    schemas = document["components"]["schemas"]
    assert schemas["Translation"]["properties"]["outdated"]["x-hub-extension"] is True
    assert schemas["PageUpsert"]["properties"]["tags"]["x-hub-extension"] is True
    legacy = paths["/api/v1/projects/{channel_slug}/pages"]["post"]
    assert legacy["deprecated"] is True and legacy["operationId"] == "legacy_pages_upsert"
    assert "deprecated" not in paths["/api/v1/channels/{channel_slug}/pages"]["post"]


def strict(components: dict) -> dict:
    """The component schemas with `additionalProperties: false` on every object that lists its
    properties, so a response field the document does not name fails validation."""
    components = copy.deepcopy(components)

    def visit(node) -> None:
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(components["schemas"])
    return components


def check(components: dict, name: str, instance) -> None:
    schema = {"$ref": f"#/components/schemas/{name}", "components": components}
    jsonschema.Draft202012Validator(schema).validate(instance)


async def test_200_real_responses_match_the_documented_schemas(client, db):
    components = strict((await client.get("/api/v1/openapi.json")).json()["components"])
    acct = await make_account(db, "Olga", scopes=["create", "update", "media", "channels"])
    h = acct.headers
    channel = "/api/v1/channels/olga_blog"
    [listed] = (await client.get("/api/v1/channels", headers=h)).json()["channels"]
    check(components, "Channel", listed)
    media = await client.post(channel + "/media", headers=h, **upload(jpeg(), "a.jpg", alt="A"))
    assert media.status_code == 201
    check(components, "Media", media.json())
    body = two_languages(status="published", tags=["cars"])
    body["translations"][0]["content_markdown"] += "\n\n" + media.json()["markdown"]
    created = await client.post(channel + "/pages", json=body, headers=h)
    assert created.status_code == 201, created.text
    check(components, "Article", created.json())
    edit = two_languages(status="published")
    edit["translations"][0]["title"] = "Changed"
    r = await client.post(channel + "/pages", json=edit, headers=h)
    check(components, "Article", r.json())
    assert r.json()["translations"][1]["outdated"] is True
    listing = (await client.get(channel + "/pages", headers=h)).json()
    for item in listing["pages"]:
        check(components, "ArticleSummary", item)
    revisions = (await client.get(channel + "/pages/agent_post/revisions", headers=h)).json()
    for item in revisions["revisions"]:
        check(components, "Revision", item)
    for path, payload in ((channel + "/pages", {"translations": []}), ("/api/v1/x", None)):
        error = await client.post(path, json=payload, headers=h)
        assert error.status_code in (404, 422)
        check(components, "Error", error.json())
    manual = await make_account(db, "Mo", moderation="manual")
    moderated = "/api/v1/channels/mo_blog/pages"
    first = (await client.post(moderated, json=two_languages(), headers=manual.headers)).json()
    check(components, "Article", first)  # in review
    async with transaction(db) as conn:
        await publishing.approve(conn, first["id"], now=datetime.now(UTC))
    waiting = await client.post(moderated, json=edit, headers=manual.headers)
    assert waiting.json()["translations"][0]["pending_revision"] is not None
    check(components, "Article", waiting.json())
    summaries = (await client.get(moderated, headers=manual.headers)).json()["pages"]
    check(components, "ArticleSummary", summaries[0])
    bad = {"ok": 1}
    try:
        check(components, "Article", {**created.json(), **bad})
    except jsonschema.ValidationError:
        pass
    else:  # the strict check can fail: an undocumented field is caught
        raise AssertionError("an unknown field passed the strict schema")


async def test_200_skill_md_describes_the_workflow(client):
    r = await client.get("/api/v1/skill.md")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/markdown; charset=utf-8"
    text = r.text
    assert text.startswith("---\nname: ")
    assert "http://hub.test/api/v1/openapi.json" in text and "{base}" not in text
    for needle in (
        "GET /api/v1/channels",
        "POST /api/v1/channels/{channel}/pages",
        "PUT /api/v1/channels/{channel}/pages/{slug}/translations/",
        "PATCH /api/v1/channels/{channel}/pages/{slug}/status",
        "POST /api/v1/channels/{channel}/media",
        "translation_status_summary",
        "draft_translation_languages",
        "publish_translations",
        "Idempotency-Key",
        "Idempotent-Replayed",
        "If-Match",
        "dry_run=true",
        "scheduled_paused",
        "pending_revision",
    ):
        assert needle in text, needle
    for status in ("401", "403", "404", "409", "412", "413", "422", "429"):
        assert re.search(rf"^\| {status} \|", text, re.M), status


async def test_200_api_docs_page_is_not_swallowed_by_the_api_mount(client):
    r = await client.get("/api-docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    document = (await client.get("/api/v1/openapi.json")).json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert f"{method.upper()} " in html
            if not operation.get("deprecated"):
                assert f'id="{operation["operationId"]}"' in html, operation["operationId"]
        assert path in html, path
    assert "hub extension" in html and "Agent workflow" in html
    assert "<script" not in html
    # the directory API under /api/ still answers in its own shape; /api-docs is not its path
    r = await client.get("/api/no-such-thing")
    assert r.status_code == 404 and "application/json" in r.headers["content-type"]
    r = await client.get("/api-docs/extra")
    assert r.status_code == 404


async def test_200_discovery(client):
    r = await client.get("/api/v1")
    assert r.status_code == 200
    assert r.json() == {
        "version": "v1",
        "openapi": "http://hub.test/api/v1/openapi.json",
        "skill": "http://hub.test/api/v1/skill.md",
        "docs": "http://hub.test/api-docs",
    }
    r = await client.post("/api/v1/openapi.json")
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"
    assert set(r.json()) == {"message", "errors"}


def collection_requests() -> list[dict]:
    collection = json.loads(COLLECTION.read_text())
    assert collection["info"]["schema"] == (
        "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    )
    variables = {v["key"] for v in collection["variable"]}
    assert {"api_key", "channel_slug", "base_url"} <= variables
    assert collection["auth"]["bearer"][0]["value"] == "{{api_key}}"
    return [item for folder in collection["item"] for item in folder["item"]]


def template(path: str) -> str:
    return re.sub(r"\{\{(\w+)\}\}", r"{\1}", path)


async def test_postman_collection_covers_every_endpoint_and_runs(client, db, settings, resources):
    requests = collection_requests()
    document = (await client.get("/api/v1/openapi.json")).json()
    current = {
        (m.upper(), p)
        for p, ops in document["paths"].items()
        for m, op in ops.items()
        if not op.get("deprecated")
    }
    in_collection = []
    for item in requests:
        request = item["request"]
        assert request["url"]["raw"].startswith("{{base_url}}/api/v1")
        path = "/" + "/".join(request["url"]["path"])
        in_collection.append((request["method"], template(path)))
    assert sorted(in_collection) == sorted(current)  # one request per endpoint, no extras
    acct = await make_account(db, "Pam", scopes=["create", "update", "media", "channels", "delete"])
    values = {"base_url": "", "api_key": acct.key, "channel_slug": "pam_blog",
              "page_slug": "agent_post", "language": "de"}  # fmt: skip
    app = create_app(settings, resources)
    for item in requests:
        request = item["request"]

        def fill(text: str) -> str:
            text = text.replace("{{$guid}}", str(uuid.uuid4()))
            return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], text)

        path = fill("/" + "/".join(request["url"]["path"]))
        scope = {"type": "http", "path": path, "method": request["method"], "root_path": ""}
        assert any(route.matches(scope)[0] == Match.FULL for route in app.routes), path
        headers = {h["key"]: fill(h["value"]) for h in request["header"]}
        if request.get("auth", {}).get("type") != "noauth":
            headers["Authorization"] = f"Bearer {acct.key}"
        kwargs: dict = {}
        body = request.get("body")
        if body and body["mode"] == "raw":
            kwargs["content"] = fill(body["raw"]).encode()
        elif body and body["mode"] == "formdata":
            fields = {f["key"]: fill(f["value"]) for f in body["formdata"]
                      if f["type"] == "text" and not f.get("disabled")}  # fmt: skip
            kwargs = upload(jpeg(), "photo.jpg", **fields)
        params = {q["key"]: q["value"] for q in request["url"].get("query", [])}
        r = await client.request(request["method"], path, headers=headers, params=params, **kwargs)
        assert 200 <= r.status_code < 300, (item["name"], r.status_code, r.text)


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH", "TRACE", "QUERY"])
async def test_405_discovery_other_methods(client, method):
    r = await client.request(method, "/api/v1")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"
    assert r.json() == {"message": "Method not allowed.", "errors": {}}
