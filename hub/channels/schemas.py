"""Request parsing and validation for the v1 API: pure functions, JSON in, plain data out.

Every problem is collected under its dotted request path and raised together as one
`Invalid(fields=...)` (422); non-fatal findings become coded warnings (R-24, R-25).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from hub.core.entries.limits import TRANSLATIONS_PER_ENTRY
from hub.core.errors import Invalid
from hub.core.inputs import check_document, clean_document
from hub.core.languages import normalise_language
from hub.core.slugs import RESERVED_CHANNEL_SLUGS, is_valid_slug

MISSING: Any = object()

PAGE_STATUSES = ("draft", "published", "scheduled")
MAX_TRANSLATIONS = TRANSLATIONS_PER_ENTRY  # per article and per channel
# the v1 contract's tags (publicasta-v1-resolved §12), within the entry limits of core
MAX_TAGS = 20
MAX_TAG_LENGTH = 64
MSG_TOO_MANY_TRANSLATIONS = f"An article may have at most {MAX_TRANSLATIONS} translations."
MSG_CHANNEL_TRANSLATIONS = f"A channel may have at most {MAX_TRANSLATIONS} translations."

MSG_LANGUAGE = "The language must be a language code such as en, ru or pt-BR."
MSG_SLUG = "The slug may only contain lowercase letters, digits, underscores and hyphens."
MSG_STATUS = "The selected status is invalid."
MSG_BOOL = "The publish_translations field must be true or false."
MSG_DEFAULT_LANGUAGE = "The default_language must match the language of one of the translations."


def required(name: str) -> str:
    return f"The {name} field is required."


def warning(code: str, message: str, field_name: str | None = None) -> dict:
    return {"code": code, "message": message, "field": field_name}


class Problems:
    """Field errors collected in request order."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.fields.setdefault(path, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise Invalid(fields=self.fields)


def parse_json_object(raw: bytes) -> dict:
    """The body as a JSON object; anything else is 422 `errors.body` (R-05). A string with a
    character PostgreSQL or the pages and feeds cannot carry (NUL, other C0 controls but tab,
    newline and CR, U+FFFE/U+FFFF) is 422 on its top-level field; DEL and the C1 controls
    (U+007F-U+009F) are removed silently (`clean_document`)."""
    try:
        value = orjson.loads(raw) if raw.strip() else None
    except orjson.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        raise Invalid.field("body", "The request body must be a JSON object.")
    check_document(value, xml=True)
    return clean_document(value)


def parse_bool(value: Any) -> bool | None:
    """JSON booleans, 0/1 and their strings (R-13b); None when it is none of them."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "0", "1"):
        return value.strip().lower() in ("true", "1")
    return None


def parse_datetime(value: Any, path: str, problems: Problems) -> datetime | None:
    """An RFC 3339 date-time with an explicit offset, truncated to seconds (R-40)."""
    if not isinstance(value, str) or not value.strip():
        problems.add(path, f"The {path} must be an ISO 8601 date-time.")
        return None
    text = value.strip()
    if text[-1:] in ("z", "Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        problems.add(path, f"The {path} must be an ISO 8601 date-time.")
        return None
    if "T" not in text.upper() and " " not in text:
        problems.add(path, f"The {path} must be an ISO 8601 date-time.")
        return None
    if parsed.tzinfo is None:
        problems.add(
            path,
            f"The {path} must include a time zone offset, for example 2026-05-20T10:00:00+00:00.",
        )
        return None
    return parsed.replace(microsecond=0)


def _string(
    body: dict,
    key: str,
    path: str,
    problems: Problems,
    *,
    max_length: int,
    nullable: bool = True,
    min_length: int = 0,
) -> Any:
    """MISSING when absent, None when null (if allowed), else the stripped string."""
    if key not in body:
        return MISSING
    value = body[key]
    if value is None:
        if nullable:
            return None
        problems.add(path, required(path))
        return MISSING
    if not isinstance(value, str):
        problems.add(path, f"The {path} must be a string.")
        return MISSING
    value = value.strip()
    if len(value) < min_length:
        problems.add(path, required(path))
        return MISSING
    if len(value) > max_length:
        problems.add(path, f"The {path} may not be greater than {max_length} characters.")
        return MISSING
    return value


def _unknown(body: dict, known: set[str], prefix: str, warnings: list[dict]) -> None:
    for key in body:
        if key not in known:
            path = f"{prefix}{key}"
            warnings.append(
                warning("unknown_field", f"The field {path} is not known and was ignored.", path)
            )


# -- channels ---------------------------------------------------------------------------------

CHANNEL_READ_ONLY = {"id", "read_only", "can_write", "url", "cover_url", "avatar_url",
                     "created_at", "updated_at"}  # fmt: skip


@dataclass
class ChannelTranslationInput:
    language: str
    title: Any  # MISSING on PATCH when not sent
    description: Any


@dataclass
class ChannelInput:
    slug: Any = MISSING
    default_language: Any = MISSING
    status: Any = MISSING
    translations: list[ChannelTranslationInput] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


def parse_channel(body: dict, *, create: bool) -> ChannelInput:
    problems = Problems()
    out = ChannelInput()
    known = {"slug", "default_language", "status", "translations"} | CHANNEL_READ_ONLY
    _unknown(body, known, "", out.warnings)
    if "slug" in body and body["slug"] is not None:
        slug = body["slug"]
        if not isinstance(slug, str) or not is_valid_slug(slug, min_length=2, max_length=64):
            problems.add("slug", MSG_SLUG)
        elif slug in RESERVED_CHANNEL_SLUGS:
            problems.add("slug", "The slug is reserved.")
        else:
            out.slug = slug
    if "status" in body:
        if body["status"] in ("published", "draft"):
            out.status = body["status"]
        else:
            problems.add("status", MSG_STATUS)
    translations = body.get("translations", MISSING)
    if translations is MISSING or translations is None:
        if create:
            problems.add("translations", required("translations"))
        translations = []
    elif not isinstance(translations, list) or (create and not translations):
        problems.add("translations", "The translations must be a list with at least one item.")
        translations = []
    elif len(translations) > MAX_TRANSLATIONS:
        problems.add("translations", MSG_CHANNEL_TRANSLATIONS)
        translations = []
    seen: set[str] = set()
    for i, item in enumerate(translations):
        path = f"translations.{i}"
        if not isinstance(item, dict):
            problems.add(path, f"The {path} must be an object.")
            continue
        _unknown(item, {"language", "title", "description"}, f"{path}.", out.warnings)
        language = _language(item, f"{path}.language", problems)
        if language and language in seen:
            problems.add(f"{path}.language", f"The language {language} appears more than once.")
        title = _string(item, "title", f"{path}.title", problems, max_length=200, nullable=False,
                        min_length=1)  # fmt: skip
        if create and "title" not in item:
            problems.add(f"{path}.title", required(f"{path}.title"))
        description = _string(item, "description", f"{path}.description", problems,
                              max_length=1000)  # fmt: skip
        if language:
            seen.add(language)
            out.translations.append(ChannelTranslationInput(language, title, description))
    if "default_language" in body:
        language = normalise_language(body["default_language"])
        if language is None:
            problems.add("default_language", MSG_LANGUAGE)
        else:
            out.default_language = language
    if create and out.default_language is not MISSING and seen and out.default_language not in seen:
        problems.add("default_language", MSG_DEFAULT_LANGUAGE)
    problems.raise_if_any()
    return out


def _language(item: dict, path: str, problems: Problems) -> str | None:
    if "language" not in item or item["language"] in (None, ""):
        problems.add(path, required(path))
        return None
    language = normalise_language(item["language"])
    if language is None:
        problems.add(path, MSG_LANGUAGE)
    return language


# -- pages ------------------------------------------------------------------------------------

PAGE_READ_ONLY = {"id", "project", "channel", "url", "edit_url", "published_at", "moderation",
                  "scheduled_paused", "scheduled_pause_reason", "translation_status_summary",
                  "warnings", "created_at", "updated_at", "version"}  # fmt: skip
TRANSLATION_READ_ONLY = {"published_at", "scheduled_at", "pending_revision", "url", "updated_at",
                         "outdated"}  # fmt: skip
TRANSLATION_FIELDS = {"language", "title", "excerpt", "content_markdown", "content_html",
                      "seo_title", "seo_description", "status"}  # fmt: skip


@dataclass
class TranslationInput:
    language: str
    path: str  # "translations.3" in POST, "" in PUT
    fields: dict[str, Any]  # the sent content fields (None clears an optional one)
    status: Any = MISSING


@dataclass
class PageInput:
    slug: Any = MISSING
    default_language: Any = MISSING
    status: Any = MISSING
    publish_translations: Any = MISSING
    scheduled_at: Any = MISSING
    tags: Any = MISSING
    translations: list[TranslationInput] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


def _status(body: dict, path: str, problems: Problems, warnings: list[dict]) -> Any:
    if path.split(".")[-1] not in body:
        return MISSING
    value = body[path.split(".")[-1]]
    if value == "moderation_review":
        warnings.append(
            warning(
                "status_moderation_review_coerced",
                "moderation_review cannot be requested; it was treated as published.",
                path,
            )
        )
        return "published"
    if value not in PAGE_STATUSES:
        problems.add(path, MSG_STATUS)
        return MISSING
    return value


def parse_translation(
    item: dict, path: str, problems: Problems, warnings: list[dict], *, language: str | None
) -> TranslationInput | None:
    prefix = f"{path}." if path else ""
    _unknown(item, TRANSLATION_FIELDS | TRANSLATION_READ_ONLY, prefix, warnings)
    if language is None:
        language = _language(item, f"{prefix}language", problems)
    elif "language" in item and item["language"] is not None:
        if normalise_language(item["language"]) != language:
            problems.add("language", "The language must match the language in the URL.")
    fields: dict[str, Any] = {}
    limits = {"title": 300, "excerpt": 2000, "seo_title": 300, "seo_description": 1000,
              "content_markdown": 10**9, "content_html": 10**9}  # fmt: skip
    for key, limit in limits.items():
        nullable = key != "title"
        value = _string(item, key, f"{prefix}{key}", problems, max_length=limit,
                        nullable=nullable, min_length=1 if key == "title" else 0)  # fmt: skip
        if value is not MISSING:
            fields[key] = value
    status = _status(item, f"{prefix}status", problems, warnings)
    if language is None:
        return None
    return TranslationInput(language, path, fields, status)


def parse_page(body: dict) -> PageInput:
    problems = Problems()
    out = PageInput()
    known = {"slug", "default_language", "status", "publish_translations", "scheduled_at",
             "translations", "tags"} | PAGE_READ_ONLY  # fmt: skip
    _unknown(body, known, "", out.warnings)
    if "slug" in body and body["slug"] not in (None, ""):
        slug = body["slug"]
        if not isinstance(slug, str) or not is_valid_slug(slug, min_length=1, max_length=100):
            problems.add("slug", MSG_SLUG)
        else:
            out.slug = slug
    if "default_language" in body and body["default_language"] is not None:
        language = normalise_language(body["default_language"])
        if language is None:
            problems.add("default_language", MSG_LANGUAGE)
        else:
            out.default_language = language
    out.status = _status(body, "status", problems, out.warnings)
    _common_status_fields(body, out, problems)
    out.tags = parse_tags(body, problems)
    translations = body.get("translations")
    if not isinstance(translations, list) or not translations:
        if translations is None:
            problems.add("translations", required("translations"))
        else:
            problems.add("translations", "The translations must be a list with at least one item.")
        translations = []
    elif len(translations) > MAX_TRANSLATIONS:
        problems.add("translations", MSG_TOO_MANY_TRANSLATIONS)
        translations = []
    seen: set[str] = set()
    for i, item in enumerate(translations):
        path = f"translations.{i}"
        if not isinstance(item, dict):
            problems.add(path, f"The {path} must be an object.")
            continue
        parsed = parse_translation(item, path, problems, out.warnings, language=None)
        if parsed is None:
            continue
        if parsed.language in seen:
            problems.add(
                f"{path}.language", f"The language {parsed.language} appears more than once."
            )
            continue
        seen.add(parsed.language)
        out.translations.append(parsed)
    problems.raise_if_any()
    return out


def _common_status_fields(body: dict, out: Any, problems: Problems) -> None:
    if "publish_translations" in body and body["publish_translations"] is not None:
        value = parse_bool(body["publish_translations"])
        if value is None:
            problems.add("publish_translations", MSG_BOOL)
        else:
            out.publish_translations = value
    if "scheduled_at" in body and body["scheduled_at"] is not None:
        parsed = parse_datetime(body["scheduled_at"], "scheduled_at", problems)
        if parsed is not None:
            out.scheduled_at = parsed


def parse_tags(body: dict, problems: Problems) -> Any:
    if "tags" not in body:
        return MISSING
    tags = body["tags"]
    if tags is None:
        return []
    if not isinstance(tags, list) or len(tags) > MAX_TAGS:
        problems.add("tags", f"The tags must be a list of at most {MAX_TAGS} strings.")
        return MISSING
    out: list[str] = []
    for i, tag in enumerate(tags):
        if not isinstance(tag, str) or not 1 <= len(tag.strip()) <= MAX_TAG_LENGTH:
            problems.add(
                f"tags.{i}", f"The tags.{i} must be a string of 1 to {MAX_TAG_LENGTH} characters."
            )
        elif tag.strip().lower() not in {t.lower() for t in out}:
            out.append(tag.strip())
    return out


@dataclass
class StatusInput:
    status: str = "draft"
    publish_translations: Any = MISSING
    scheduled_at: Any = MISSING
    warnings: list[dict] = field(default_factory=list)


def parse_status(body: dict) -> StatusInput:
    problems = Problems()
    out = StatusInput()
    _unknown(body, {"status", "publish_translations", "scheduled_at"}, "", out.warnings)
    if "status" not in body or body["status"] is None:
        problems.add("status", required("status"))
    elif body["status"] == "archived":
        out.status = "archived"
    else:
        status = _status(body, "status", problems, out.warnings)
        if status is not MISSING:
            out.status = status
    _common_status_fields(body, out, problems)
    problems.raise_if_any()
    return out
