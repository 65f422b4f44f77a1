"""The `components.schemas` of the v1 OpenAPI document (JSON Schema 2020-12, as OpenAPI 3.1
uses it), written by hand to match `present.py` (responses) and `schemas.py` / `media/uploads.py`
(requests). Hub additions carry `x-hub-extension: true` (publicasta-v1-resolved §4)."""

from __future__ import annotations

from typing import Any

EXT = {"x-hub-extension": True}
TIME = {"type": "string", "format": "date-time", "examples": ["2026-05-20T10:00:00+00:00"]}
LANGUAGE = {
    "type": "string",
    "description": "BCP 47 subset such as `en`, `ru` or `pt-BR`; input is matched "
    "case-insensitively and normalised (`PT-br` → `pt-BR`).",
    "examples": ["en"],
}
# what `hub.core.languages` reads: language, optional script, optional region, any case,
# surrounding whitespace ignored (answers always carry the normalised form)
LANGUAGE_IN = {
    **LANGUAGE,
    "pattern": "^\\s*[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?\\s*$",
}
SLUG = {"type": "string", "pattern": "^[a-z0-9]+(?:[_-][a-z0-9]+)*$"}  # hub.core.slugs
PAGE_STATUS = ["draft", "moderation_review", "scheduled", "published", "archived"]
TRANSLATION_STATUS = [
    "draft", "moderation_review", "moderation_blocked", "scheduled", "published", "archived",
]  # fmt: skip
LANGUAGES = {"type": "array", "items": {"type": "string"}}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def ext(schema: dict) -> dict:
    return {**schema, **EXT}


def obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict:
    out: dict[str, Any] = {"type": "object", "properties": properties, **extra}
    if required:
        out["required"] = required
    return out


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}

ERROR = obj(
    {
        "message": {"type": "string", "description": "One sentence for a person or an agent; "
                    "on 422 the first field message plus ` (and N more error[s])`."},
        "errors": {
            "type": "object",
            "description": "Dotted request paths (`translations.1.language`, `image`, `body`) "
            "to their messages; `{}` on every status but 422.",
            "additionalProperties": {"type": "array", "items": STR},
        },
    },
    ["message", "errors"],
    examples=[{
        "message": "The translations.0.title field is required.",
        "errors": {"translations.0.title": ["The translations.0.title field is required."]},
    }],
)  # fmt: skip

WARNING = obj(
    {
        "code": {"type": "string", "examples": ["translation_saved_as_draft"]},
        "message": STR,
        "field": nullable(STR),
    },
    ["code", "message", "field"],
    description="A non-fatal finding (R-25): an auto-fix, a coercion or an ignored input.",
)

CHANNEL_TRANSLATION = obj(
    {"language": LANGUAGE, "title": STR, "description": nullable(STR)},
    ["language", "title", "description"],
)

CHANNEL = obj(
    {
        "id": INT,
        "slug": SLUG,
        "status": {"enum": ["published", "draft"]},
        "default_language": LANGUAGE,
        "read_only": {"type": "boolean", "description": "Over the plan's channel limit."},
        "can_write": {"type": "boolean", "description": "Not read-only, the key has a write "
                      "scope and the plan allows API publishing."},
        "url": {"type": "string", "format": "uri"},
        "cover_url": nullable({"type": "string", "format": "uri"}),
        "avatar_url": nullable({"type": "string", "format": "uri"}),
        "translations": {"type": "array", "items": ref("ChannelTranslation")},
        "created_at": TIME,
        "updated_at": TIME,
    },
    ["id", "slug", "status", "default_language", "read_only", "can_write", "url", "cover_url",
     "avatar_url", "translations", "created_at", "updated_at"],
)  # fmt: skip

CONTENT = {
    "title": STR,
    "excerpt": nullable(STR),
    "content_html": nullable(STR),
    "content_markdown": ext(nullable({**STR, "description": "Null when the body came as HTML."})),
    "seo_title": nullable(STR),
    "seo_description": nullable(STR),
}

PENDING_REVISION = obj(
    {
        "id": INT,
        "status": {"enum": ["moderation_review", "moderation_blocked"]},
        **CONTENT,
        "submitted_at": TIME,
    },
    ["id", "status", "title", "submitted_at"],
    description="Content waiting for moderation while the live version stays public (R-33).",
)

TRANSLATION = obj(
    {
        "language": LANGUAGE,
        **CONTENT,
        "status": {"enum": TRANSLATION_STATUS},
        "published_at": nullable(TIME),
        "scheduled_at": nullable(TIME),
        "pending_revision": nullable(ref("PendingRevision")),
        "url": ext({"type": "string", "format": "uri", "description": "This translation's page "
                    "on the blog: no `lang` for the primary language, `?lang=` for the others."}),
        "updated_at": ext(TIME),
        "outdated": ext({"type": "boolean", "description": "The primary's content changed "
                         "after this translation was last saved."}),
    },
    ["language", "title", "status", "published_at", "scheduled_at", "pending_revision"],
)  # fmt: skip

SUMMARY = obj(
    {
        "published": LANGUAGES,
        "scheduled": LANGUAGES,
        "draft": LANGUAGES,
        "moderation_review": LANGUAGES,
        "moderation_blocked": LANGUAGES,
        "draft_translation_languages": {**LANGUAGES, "description": "Secondaries left in draft "
                                        "while the page is published, scheduled or in review."},
        "all_translations_published": BOOL,
        "all_translations_scheduled": BOOL,
        "all_translations_public_or_pending": BOOL,
        "outdated_translation_languages": ext(LANGUAGES),
    },
    ["published", "scheduled", "draft", "moderation_review", "moderation_blocked",
     "draft_translation_languages", "all_translations_published", "all_translations_scheduled",
     "all_translations_public_or_pending"],
)  # fmt: skip

ARTICLE_PROPERTIES: dict[str, Any] = {
    "id": INT,
    "project": {**STR, "description": "The channel slug, under its legacy name."},
    "slug": SLUG,
    "status": {
        "enum": [*PAGE_STATUS, "deleted"],
        "description": "Derived from the translations (R-20); `deleted` only in the answer "
        "to a dry-run DELETE.",
    },
    "scheduled_paused": BOOL,
    "scheduled_pause_reason": nullable({"enum": ["account_plan"]}),
    "moderation": nullable({"enum": ["manual_review", "approved", "blocked"]}),
    "published_at": nullable(TIME),
    "scheduled_at": nullable(TIME),
    "url": {
        "type": "string",
        "format": "uri",
        "description": "The article's page on the blog, in its primary language (no `lang`).",
    },
    "edit_url": {"type": "string", "format": "uri"},
    "translation_status_summary": ref("TranslationStatusSummary"),
    "warnings": {"type": "array", "items": ref("Warning")},
    "translations": {"type": "array", "items": ref("Translation")},
    "channel": ext(STR),
    "default_language": LANGUAGE,
    "tags": ext(LANGUAGES),
    "created_at": ext(TIME),
    "updated_at": ext(TIME),
    "version": ext({"type": "integer", "description": 'Also sent as `ETag: "v{version}"`.'}),
}
ARTICLE = obj(ARTICLE_PROPERTIES, list(ARTICLE_PROPERTIES))

SUMMARY_TRANSLATION = obj(
    {
        **{k: v for k, v in TRANSLATION["properties"].items()
           if k not in ("excerpt", "content_html", "content_markdown", "pending_revision")},
        "pending_revision": nullable(obj({"status": {"enum": ["moderation_review",
                                                              "moderation_blocked"]}})),
    },
    ["language", "title", "status"],
)  # fmt: skip
ARTICLE_SUMMARY = ext(
    obj(
        {**ARTICLE_PROPERTIES, "translations": {"type": "array",
                                                "items": ref("ArticleSummaryTranslation")}},
        list(ARTICLE_PROPERTIES),
        description="An Article without excerpts, bodies or pending revision content.",
    )
)  # fmt: skip

MEDIA = obj(
    {
        "id": INT,
        "url": {"type": "string", "format": "uri"},
        "alt": STR,
        "width": INT,
        "height": INT,
        "markdown": {**STR, "description": "Ready to paste into `content_markdown`."},
        "html": {**STR, "description": "Ready to paste into `content_html`."},
        "purpose": ext({"enum": ["article", "channel_cover", "channel_avatar"]}),
        "page_slug": ext(nullable(STR)),
        "content_type": ext({"const": "image/webp"}),
        "bytes": ext(INT),
        "warnings": ext({"type": "array", "items": ref("Warning")}),
    },
    ["id", "url", "alt", "width", "height", "markdown", "html"],
)

REVISION = obj(
    {
        "id": INT,
        "language": LANGUAGE,
        "status": {"enum": ["moderation_review", "moderation_blocked", "applied", "discarded"]},
        "title": nullable(STR),
        "credential_id": nullable(INT),
        "reason": nullable(STR),
        "submitted_at": TIME,
        "decided_at": nullable(TIME),
    },
    ["id", "language", "status", "submitted_at", "decided_at"],
)

# -- request bodies ------------------------------------------------------------------------

CHANNEL_CREATE = obj(
    {
        "slug": nullable({**SLUG, "minLength": 2, "maxLength": 64, "description": "Generated "
                          "from the default-language title when omitted or null; reserved "
                          "words are refused."}),
        "default_language": LANGUAGE_IN,
        "status": {"enum": ["published", "draft"], "default": "published"},
        "translations": {"type": "array", "minItems": 1, "maxItems": 100, "items": obj(
            {"language": LANGUAGE_IN, "title": {**STR, "minLength": 1, "maxLength": 200},
             "description": nullable({**STR, "maxLength": 1000})},
            ["language", "title"])},
    },
    ["translations"],
)  # fmt: skip

CHANNEL_PATCH = obj(
    {
        "slug": nullable({**SLUG, "minLength": 2, "maxLength": 64, "description": "Cannot "
                          "change; the same value (or null) is a no-op."}),
        "default_language": LANGUAGE_IN,
        "status": {"enum": ["published", "draft"]},
        "translations": nullable({"type": "array", "maxItems": 100, "description": "Merged by "
                         "language (at most 100 in all); `description: null` clears.", "items": obj(
            {"language": LANGUAGE_IN, "title": {**STR, "minLength": 1, "maxLength": 200},
             "description": nullable({**STR, "maxLength": 1000})}, ["language"])}),
    },
)  # fmt: skip

WRITE_STATUS = {
    "enum": ["draft", "published", "scheduled", "moderation_review"],
    "description": "`moderation_review` is treated as `published` with a warning.",
}
TRANSLATION_INPUT = {
    "title": {**STR, "minLength": 1, "maxLength": 300, "description": "Required for a new "
              "language; otherwise the stored title is kept."},
    "excerpt": nullable({**STR, "maxLength": 2000}),
    "content_markdown": nullable(STR),
    "content_html": nullable({**STR, "description": "Used when content_markdown is empty."}),
    "seo_title": nullable({**STR, "maxLength": 300}),
    "seo_description": nullable({**STR, "maxLength": 1000}),
    "status": {**WRITE_STATUS, "description": "Per-translation override, bounded by the "
               "primary-first rule; for the primary it must equal the page status."},
}  # fmt: skip
BOOLISH = {
    "type": ["boolean", "integer", "string", "null"],
    "description": "true/false, 1/0 or their strings; null is the same as omitting it.",
}

PAGE_UPSERT = obj(
    {
        "slug": {"type": ["string", "null"], "maxLength": 100,
                 "pattern": "^(?:[a-z0-9]+(?:[_-][a-z0-9]+)*)?$", "description": "An existing "
                 "slug updates that article (200); a new one creates it (201); none (or null "
                 "or empty) generates one and never updates."},
        "default_language": nullable(LANGUAGE_IN),
        "status": {**WRITE_STATUS, "default": "draft"},
        "publish_translations": {**BOOLISH, "description": "Default true with 2+ translations "
                                 "when publishing: applies to the translations sent."},
        "scheduled_at": nullable({**TIME, "description": "With an explicit offset; future; "
                                  "Pro plan."}),
        "translations": {"type": "array", "minItems": 1, "maxItems": 100,
                         "items": obj({"language": LANGUAGE_IN, **TRANSLATION_INPUT},
                                      ["language"])},
        "tags": ext(nullable({"type": "array", "maxItems": 20, "description": "null clears.",
                              "items": {**STR, "minLength": 1, "maxLength": 64}})),
    },
    ["translations"],
)  # fmt: skip

TRANSLATION_PUT = obj(
    {"language": nullable({**LANGUAGE_IN, "description": "Optional; must equal the path "
                           "language."}),
     **TRANSLATION_INPUT},
)  # fmt: skip

STATUS_PATCH = obj(
    {
        "status": {"enum": ["draft", "published", "scheduled", "moderation_review", "archived"],
                   "description": "`archived` is a hub extension."},
        "publish_translations": {**BOOLISH, "description": "Required for multilingual articles "
                                 "when publishing or scheduling: true publishes all "
                                 "translations, false only the primary."},
        "scheduled_at": nullable(TIME),
    },
    ["status"],
)  # fmt: skip

MEDIA_UPLOAD = obj(
    {
        "image": {"type": "string", "contentMediaType": "application/octet-stream",
                  "description": "JPEG, PNG, GIF or WebP; ≤ 10 MiB (413) and ≤ 24 MP (422)."},
        "purpose": {"enum": ["article", "channel_cover", "channel_avatar"], "default": "article"},
        "alt": {**STR, "maxLength": 1000},
        "page_slug": {**STR, "description": "Attach to this article (purpose=article only)."},
    },
    ["image"],
)  # fmt: skip

SCHEMAS: dict[str, dict] = {
    "Error": ERROR,
    "Warning": WARNING,
    "ChannelTranslation": CHANNEL_TRANSLATION,
    "Channel": CHANNEL,
    "PendingRevision": PENDING_REVISION,
    "Translation": TRANSLATION,
    "TranslationStatusSummary": SUMMARY,
    "Article": ARTICLE,
    "ArticleSummaryTranslation": ext(SUMMARY_TRANSLATION),
    "ArticleSummary": ARTICLE_SUMMARY,
    "Media": MEDIA,
    "Revision": ext(REVISION),
    "ChannelCreate": CHANNEL_CREATE,
    "ChannelPatch": CHANNEL_PATCH,
    "PageUpsert": PAGE_UPSERT,
    "TranslationPut": TRANSLATION_PUT,
    "StatusPatch": STATUS_PATCH,
    "MediaUpload": MEDIA_UPLOAD,
}
