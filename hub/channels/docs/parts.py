"""The shared parts of the v1 OpenAPI document: `info`, security schemes, parameters, response
headers and the error responses with the exact messages the API sends (`errors.py`)."""

from __future__ import annotations

from hub.channels.docs.schemas import EXT, LANGUAGE_IN, SLUG, ref
from hub.channels.listing import LIST_STATUSES, MAX_LIMIT

INFO = {
    "title": "hub v1 API (Publicasta-compatible)",
    "version": "1.0.0",
    "summary": "Channels, multilingual articles, lifecycle, moderation, scheduling and media.",
    "description": (
        "A client written for the Publicasta v1 API works unchanged; hub additions are marked "
        "`x-hub-extension: true`.\n\n"
        "* Authenticate with `Authorization: Bearer KEY` or `X-API-Key: KEY` (Authorization "
        "wins). Reads need the key's `read` scope (`create`, `update` or `channels` also "
        "read); a missing scope is 403.\n"
        '* Every error body is `{"message": str, "errors": {"dotted.path": [str]}}`; '
        "`errors` is `{}` except on 422.\n"
        "* Non-fatal findings are in `warnings` as `{code, message, field}`.\n"
        "* Times are UTC with `+00:00`; `scheduled_at` must carry an offset.\n"
        "* An undefined method on a known path answers 405 with `Allow`; every response carries "
        "`X-Request-Id`; JSON answers carry `Cache-Control: no-store`.\n"
        "* Agent guide: `/api/v1/skill.md`; human docs: `/api-docs`."
    ),
    "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
}

HEADER_NAMES = {
    "XRequestId": "X-Request-Id",
    "ETag": "ETag",
    "Location": "Location",
    "XDryRun": "X-Dry-Run",
}

_HEADERS = {
    "XRequestId": {"description": "The caller's X-Request-Id, or a generated one.",
                   "schema": {"type": "string"}},
    "ETag": {"description": "`\"v{version}\"` of the article (channels: of `updated_at`); send "
             "it back in `If-Match`.", "schema": {"type": "string"}, **EXT},
    "Location": {"description": "The URL of what was created.", "schema": {"type": "string"}},
    "XDryRun": {"description": "`true` when `?dry_run=true` rolled everything back.",
                "schema": {"const": "true"}, **EXT},
    "IdempotentReplayed": {"description": "`true` when this is the stored answer to an earlier "
                           "request with the same Idempotency-Key.",
                           "schema": {"const": "true"}, **EXT},
    "RetryAfter": {"description": "Seconds to wait.", "schema": {"type": "integer"}},
    "WWWAuthenticate": {"schema": {"const": "Bearer"}},
}  # fmt: skip


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description, **EXT}  # fmt: skip


_PARAMETERS = {
    "ChannelSlug": {"name": "channel_slug", "in": "path", "required": True,
                    "schema": {**SLUG, "maxLength": 64},
                    "description": "Any other value names no channel (404)."},
    "PageSlug": {"name": "page_slug", "in": "path", "required": True,
                 "schema": {**SLUG, "maxLength": 100},
                 "description": "Any other value names no article (404)."},
    "Language": {"name": "language", "in": "path", "required": True, "schema": LANGUAGE_IN},
    "IdempotencyKey": {
        "name": "Idempotency-Key", "in": "header", "required": False,
        "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"},
        "description": "Retry-safe writes for 24 h: the same key and request replays the stored "
        "answer with `Idempotent-Replayed: true`; a different request gets 422; a request still "
        "in flight gets 409.", **EXT,
    },
    "IfMatch": {
        "name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
        "description": "The `ETag` you read; a mismatch gets 412 and changes nothing. `*` "
        "matches any existing resource. Without it, the last write wins.", **EXT,
    },
    "DryRun": _query("dry_run", {"type": "string", "examples": ["true"]}, "`true` or `1` (any "
                     "case): validate and run everything in a rolled-back transaction; answers "
                     "200 with `X-Dry-Run: true`. Any other value is a real write."),
    "ListStatus": _query("status", {"enum": list(LIST_STATUSES)}, "Only articles in this "
                         "status."),
    "ListLanguage": _query("language", LANGUAGE_IN, "Only articles with this translation."),
    "ListQ": _query("q", {"type": "string", "maxLength": 200}, "Title substring."),
    "ListUpdatedSince": _query("updated_since", {"type": "string", "format": "date-time"},
                               "Only articles updated at or after this time (with offset)."),
    "ListOrder": _query("order", {"enum": ["desc", "asc"], "default": "desc"},
                        "By (updated_at, id)."),
    "ListCursor": _query("cursor", {"type": "string", "pattern": "^[A-Za-z0-9_-]*$"},
                         "`next_cursor` of the previous page, verbatim (opaque; any other "
                         "value is 422)."),
    "ListLimit": _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                  "default": 20}, "Items per page."),
}  # fmt: skip


def _error(description: str, messages: list[str], *headers: str, extension: bool = False) -> dict:
    examples = {f"e{i}": {"value": {"message": m, "errors": {}}} for i, m in enumerate(messages, 1)}
    out: dict = {
        "description": description,
        "content": {"application/json": {"schema": ref("Error"), "examples": examples}},
    }
    if headers:
        out["headers"] = {h: {"$ref": f"#/components/headers/{h.replace('-', '')}"}
                          for h in headers}  # fmt: skip
    if extension:
        out.update(EXT)
    return out


_RESPONSES = {
    "E401": _error("Missing, unknown or revoked key.", ["Missing or invalid API key."],
                   "WWW-Authenticate"),
    "E403": _error("Not allowed.", [
        "You do not have access to this channel.",
        "This channel is read-only because it is over your plan limit.",
        "This API key lacks the 'update' scope.",
        "This API key lacks the 'read' scope.",
        "API publishing is not available on this account level yet.",
        "Your plan's channel limit (1) is reached. Upgrade to create more.",
    ]),
    "E404": _error("Unknown channel or article.", ["Channel not found.", "Article not found."]),
    "E409": _error("The same Idempotency-Key is still being processed; retry later.",
                   ["A request with this Idempotency-Key is still being processed."],
                   extension=True),
    "E412": _error("If-Match does not match the current version; GET it again.",
                   ["The article has changed since you read it."], extension=True),
    "E413": _error("Body or upload over the limit.", [
        "The request body is too large. The limit is 20971520 bytes.",
        "The uploaded file is too large. The limit is 10485760 bytes.",
    ]),
    "E422": {
        "description": "Validation failed; `errors` names each field.",
        "content": {"application/json": {"schema": ref("Error"), "examples": {"e1": {"value": {
            "message": "The scheduled_at must include a time zone offset, for example "
                       "2026-05-20T10:00:00+00:00.",
            "errors": {"scheduled_at": ["The scheduled_at must include a time zone offset, "
                                        "for example 2026-05-20T10:00:00+00:00."]}}}}}},
    },
    "E429": _error("Rate limit.", ["Too many requests. Retry after 30 seconds."], "Retry-After",
                   extension=True),
}  # fmt: skip

COMPONENTS = {
    "securitySchemes": {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer KEY` (`hub key create`). Every GET needs "
            "the `read` scope (or `create`, `update` or `channels`, so older keys keep "
            "reading); writes name their scope.",
        },
        "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    },
    "parameters": _PARAMETERS,
    "headers": _HEADERS,
    "responses": _RESPONSES,
}
