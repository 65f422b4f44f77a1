"""The OpenAPI 3.1 document of the v1 API, served at `GET /api/v1/openapi.json`.

Written by hand, one entry per operation, beside the component schemas in `openapi_schemas`;
`tests/channels/test_docs.py` walks the app's routes under `/api/v1` and checks that every
route and method is described here and that nothing described is missing from the app. Hub
additions (operations, parameters, fields) carry `x-hub-extension: true`; the legacy
`/api/v1/projects/...` paths are the same operations, marked `deprecated`.
"""

from __future__ import annotations

import copy
from typing import Any

from hub.channels.docs.parts import COMPONENTS, HEADER_NAMES, INFO
from hub.channels.docs.schemas import EXT, SCHEMAS, ref

CHANNELS = "/api/v1/channels"
LEGACY = "/api/v1/projects"
PAGE = "/{channel_slug}/pages/{page_slug}"
WRITE_PARAMS = ["IdempotencyKey", "DryRun"]
PAGE_WRITE_PARAMS = [*WRITE_PARAMS, "IfMatch"]


def _json(schema_name: str) -> dict:
    return {"content": {"application/json": {"schema": ref(schema_name)}}}


def _ok(status: str, description: str, schema: dict | str | None, *headers: str) -> dict:
    out: dict[str, Any] = {"description": description}
    if schema is not None:
        body = ref(schema) if isinstance(schema, str) else schema
        out["content"] = {"application/json": {"schema": body}}
    names = ["XRequestId", *headers]
    out["headers"] = {HEADER_NAMES[h]: {"$ref": f"#/components/headers/{h}"} for h in names}
    return {status: out}


def _errors(*codes: int) -> dict:
    return {str(code): {"$ref": f"#/components/responses/E{code}"} for code in codes}


def _params(*names: str) -> list[dict]:
    return [{"$ref": f"#/components/parameters/{name}"} for name in names]


def _op(
    op_id: str,
    summary: str,
    description: str,
    responses: dict,
    *,
    params=(),
    body: dict | None = None,
    extension: bool = False,
    public: bool = False,
) -> dict:
    out: dict[str, Any] = {
        "operationId": op_id,
        "summary": summary,
        "description": description,
        "tags": ["docs" if public else op_id.split("_")[0]],
        "responses": responses,
    }
    if params:
        out["parameters"] = _params(*params)
    if body is not None:
        out["requestBody"] = {"required": True, **body}
    if public:
        out["security"] = []
    if extension:
        out.update(EXT)
    return out


ARTICLE_OUT = ("ETag",)
READ_ERRORS = _errors(401, 403, 404, 429)
WRITE_ERRORS = _errors(401, 403, 404, 409, 412, 413, 422, 429)

CHANNEL_OPERATIONS: dict[str, dict[str, dict]] = {
    "": {
        "get": _op("channels_list", "List your channels",
                   "The channels the key's owner owns, oldest first; read-only ones too.",
                   {**_ok("200", "The channels.", {"type": "object", "required": ["channels"],
                          "properties": {"channels": {"type": "array", "items": ref("Channel")}}}),
                    **_errors(401, 403, 429)}),
        "post": _op("channels_create", "Create a channel",
                    "Scope `channels`. 403 when the plan's channel limit is reached.",
                    {**_ok("201", "Created.", "Channel", "Location", "ETag"),
                     **_ok("200", "Dry run: the channel that would be created.", "Channel",
                           "XDryRun"),
                     **_errors(401, 403, 409, 413, 422, 429)},
                    params=WRITE_PARAMS, body=_json("ChannelCreate")),
    },
    "/{channel_slug}": {
        "get": _op("channels_get", "Get one channel", "With `ETag` for `If-Match` on PATCH.",
                   {**_ok("200", "The channel.", "Channel", "ETag"), **READ_ERRORS},
                   params=["ChannelSlug"], extension=True),
        "patch": _op("channels_patch", "Update a channel",
                     "Partial: translations merge by language; the slug cannot change.",
                     {**_ok("200", "The channel.", "Channel", "ETag"), **WRITE_ERRORS},
                     params=["ChannelSlug", *PAGE_WRITE_PARAMS], body=_json("ChannelPatch")),
    },
    "/{channel_slug}/pages": {
        "get": _op("pages_list", "List articles",
                   "Keyset-paginated article summaries; follow `next_cursor` until null.",
                   {**_ok("200", "One page of results.", {"type": "object",
                          "required": ["pages", "next_cursor"], "properties": {
                              "pages": {"type": "array", "items": ref("ArticleSummary")},
                              "next_cursor": {"type": ["string", "null"]}}}),
                    **_errors(401, 403, 404, 422, 429)},
                   params=["ChannelSlug", "ListStatus", "ListLanguage", "ListQ",
                           "ListUpdatedSince", "ListOrder", "ListCursor", "ListLimit"],
                   extension=True),
        "post": _op("pages_upsert", "Create or update an article by slug",
                    "Scope `create` (+`update` when the slug exists). One transaction: a 422 "
                    "writes nothing. Read `status`, `translation_status_summary` and `warnings`.",
                    {**_ok("201", "Created.", "Article", "Location", *ARTICLE_OUT),
                     **_ok("200", "Updated (or a dry run).", "Article", *ARTICLE_OUT),
                     **WRITE_ERRORS},
                    params=["ChannelSlug", *PAGE_WRITE_PARAMS], body=_json("PageUpsert")),
    },
    "/{channel_slug}/media": {
        "post": _op("media_upload", "Upload an image",
                    "Scope `media`. Converted to WebP (≤ 1600 px, avatars 512x512), EXIF "
                    "rotation applied, metadata stripped. Paste `markdown` or `html` into the "
                    "article; draft URLs are moved to the article's folder when it is saved.",
                    {**_ok("201", "Stored.", "Media", "Location"),
                     **_ok("200", "Dry run: processed, not stored.", "Media", "XDryRun"),
                     **_errors(401, 403, 404, 409, 413, 422, 429)},
                    params=["ChannelSlug", *WRITE_PARAMS],
                    body={"content": {"multipart/form-data": {"schema": ref("MediaUpload")}}}),
    },
    PAGE: {
        "get": _op("pages_get", "Get an article",
                   "Live content per translation; content awaiting moderation is in "
                   "`pending_revision`.",
                   {**_ok("200", "The article.", "Article", *ARTICLE_OUT), **READ_ERRORS},
                   params=["ChannelSlug", "PageSlug"]),
        "delete": _op("pages_delete", "Delete an article (soft)",
                      "Scope `delete`. The slug stays reserved for 30 days; readers get 410.",
                      {"204": {"description": "Deleted."},
                       **_ok("200", "Dry run: the article.", "Article", "XDryRun"),
                       **WRITE_ERRORS},
                      params=["ChannelSlug", "PageSlug", *PAGE_WRITE_PARAMS], extension=True),
    },
    PAGE + "/translations/{language}": {
        "put": _op("translations_put", "Create or update one translation",
                   "Scope `update`. Merge: omitted fields keep their values, null clears. A new "
                   "language is saved as draft unless `status` is sent.",
                   {**_ok("201", "Language added.", "Article", *ARTICLE_OUT),
                    **_ok("200", "Updated.", "Article", *ARTICLE_OUT), **WRITE_ERRORS},
                   params=["ChannelSlug", "PageSlug", "Language", *PAGE_WRITE_PARAMS],
                   body=_json("TranslationPut")),
        "delete": _op("translations_delete", "Delete a secondary translation",
                      "Scope `delete`. The primary language cannot be deleted (422).",
                      {"204": {"description": "Deleted.", "headers": {
                          "ETag": {"$ref": "#/components/headers/ETag"}}},
                       **_ok("200", "Dry run: the article.", "Article", "XDryRun"),
                       **WRITE_ERRORS},
                      params=["ChannelSlug", "PageSlug", "Language", *PAGE_WRITE_PARAMS],
                      extension=True),
    },
    PAGE + "/status": {
        "patch": _op("status_patch", "Publish, schedule, unpublish or archive",
                     "Scope `update`. `publish_translations` is required for multilingual "
                     "articles when publishing or scheduling.",
                     {**_ok("200", "The article.", "Article", *ARTICLE_OUT), **WRITE_ERRORS},
                     params=["ChannelSlug", "PageSlug", *PAGE_WRITE_PARAMS],
                     body=_json("StatusPatch")),
    },
    PAGE + "/revisions": {
        "get": _op("revisions_list", "List an article's revisions",
                   "What changed, when, by which key, and the moderation outcome.",
                   {**_ok("200", "The revisions.", {"type": "object", "required": ["revisions"],
                          "properties": {"revisions": {"type": "array",
                                                       "items": ref("Revision")}}}),
                    **READ_ERRORS},
                   params=["ChannelSlug", "PageSlug"], extension=True),
    },
}  # fmt: skip

DOC_OPERATIONS: dict[str, dict[str, dict]] = {
    "/api/v1": {
        "get": _op("docs_index", "Discovery", "Links to this document, the skill and /api-docs.",
                   _ok("200", "Links.", {"type": "object", "properties": {
                       "version": {"const": "v1"}, "openapi": {"type": "string"},
                       "skill": {"type": "string"}, "docs": {"type": "string"}}}),
                   extension=True, public=True),
    },
    "/api/v1/openapi.json": {
        "get": _op("docs_openapi", "This OpenAPI document", "No authentication.",
                   _ok("200", "OpenAPI 3.1.", {"type": "object"}), extension=True, public=True),
    },
    "/api/v1/skill.md": {
        "get": _op("docs_skill", "Agent skill (Markdown)",
                   "How an agent should use this API, step by step. No authentication.",
                   {"200": {"description": "SKILL.md",
                            "content": {"text/markdown": {"schema": {"type": "string"}}}}},
                   extension=True, public=True),
    },
}  # fmt: skip


def _legacy(operations: dict[str, dict]) -> dict[str, dict]:
    out = copy.deepcopy(operations)
    for operation in out.values():
        operation["operationId"] = "legacy_" + operation["operationId"]
        operation["deprecated"] = True
        operation["description"] = (
            "Legacy alias of the `/api/v1/channels` path: identical behaviour and bodies, plus "
            "`Deprecation: true` and a `Link` to the successor. " + operation["description"]
        )
        operation["tags"] = ["legacy"]
    return out


def _paths() -> dict[str, dict]:
    paths: dict[str, dict] = dict(DOC_OPERATIONS)
    for suffix, operations in CHANNEL_OPERATIONS.items():
        paths[CHANNELS + suffix] = operations
    for suffix, operations in CHANNEL_OPERATIONS.items():
        paths[LEGACY + suffix] = _legacy(operations)
    return paths


def document(base_url: str) -> dict:
    """The whole document; `base_url` is the node's public base (HUB_BASE_URL)."""
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": INFO,
        "servers": [{"url": base_url.rstrip("/")}],
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "tags": [
            {"name": name, "description": text}
            for name, text in (
                ("channels", "Channels (sites): list, create, update."),
                ("pages", "Articles: upsert by slug, read, list, delete."),
                ("translations", "One language of an article."),
                ("status", "Lifecycle: draft, published, scheduled, archived."),
                ("revisions", "Revision history."),
                ("media", "Images."),
                ("docs", "This document and the agent skill."),
                ("legacy", "The deprecated /api/v1/projects aliases."),
            )
        ],
        "paths": _paths(),
        "components": {**COMPONENTS, "schemas": SCHEMAS},
    }
