"""The editor's form, read: plain values in, an `EditorInput` (or the fields in error) out.

Pure. Dates are entered in a time zone the person chooses (the blog's, preselected) and
stored in UTC; a date with no time zone is an error on the date field, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from hub.core.entries.editing import (
    ACTIONS,
    SCHEDULE,
    TARGET_PROPERTIES,
    VISIBILITIES,
    Document,
    ordered_tags,
)
from hub.core.entries.limits import TAG_LENGTH, TAGS_PER_ENTRY
from hub.core.languages import normalise_language

TIMEZONES = sorted(available_timezones() - {"localtime", "Factory"})
TITLE_MAX = 1000
BODY_MAX = 10 * 1024 * 1024


@dataclass
class EditorInput:
    """The form as sent: the values to show again, and the errors by field name."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    action: str = "save"
    at: datetime | None = None
    version: int | None = None
    language: str | None = None

    def document(self) -> Document:
        v = self.values
        return Document(
            title=v["title"], body=v["content"], tags=ordered_tags(v["tags"]),
            targets={name: v[name] for name in TARGET_PROPERTIES if v[name]},
            visibility=v["visibility"],
        )  # fmt: skip


def _text(form: Mapping, name: str) -> str:
    value = form.get(name)
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


def local_datetime(value: datetime | None, zone_name: str) -> str:
    """A stored UTC date-time as the date-time input shows it in `zone_name`."""
    if value is None:
        return ""
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def parse_when(text: str, zone_name: str, errors: dict[str, str]) -> datetime | None:
    """`publish_at` (as a date-time input sends it, or with an offset) in UTC."""
    if not text.strip():
        errors["publish_at"] = "Enter the date and time to publish at."
        return None
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        errors["publish_at"] = "Enter a date and time such as 2030-01-31T09:30."
        return None
    if when.tzinfo is None:
        if not zone_name:
            errors["publish_at"] = "This date has no time zone: choose the time zone it is in."
            return None
        try:
            when = when.replace(tzinfo=ZoneInfo(zone_name))
        except (ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = "Choose a time zone from the list."
            return None
    return when.astimezone(UTC)


def parse(form: Mapping, *, now: datetime, language: str | None = None) -> EditorInput:
    """Read the editor's fields (of the translation in `language` when one is given; only its
    title and body count); errors name the field to fix."""
    values = {name: _text(form, name).strip() for name in (
        "tags", "visibility", "slug", "publish_at", "timezone", "version", "language",
        *TARGET_PROPERTIES)}  # fmt: skip
    values["title"] = _text(form, "title").strip()
    values["content"] = _text(form, "content").strip("\n")
    values["channel"] = _text(form, "channel")
    values["visibility"] = values["visibility"] or "public"
    result = EditorInput(values)
    errors = result.errors
    action = _text(form, "action") or "save"
    if action not in ACTIONS:
        errors["action"] = "Choose one of the form's buttons."
    result.action = action
    if len(values["title"]) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    if len(values["content"].encode()) > BODY_MAX:
        errors["content"] = "The body is longer than 10 MiB."
    if values["version"]:
        try:
            result.version = int(values["version"])
        except ValueError:
            errors["version"] = "Reload the page: this form is damaged."
    if language is not None:
        values["language"] = language
        result.language = normalise_language(language)
        if result.language is None:
            errors["language"] = "Choose a language code such as de, fr or pt-BR."
        return result
    if values["visibility"] not in VISIBILITIES:
        errors["visibility"] = "Choose public, unlisted or private."
    tags = ordered_tags(values["tags"])
    if len(tags) > TAGS_PER_ENTRY:
        errors["tags"] = f"At most {TAGS_PER_ENTRY} tags."
    elif any(len(t) > TAG_LENGTH for t in tags):
        errors["tags"] = f"A tag has at most {TAG_LENGTH} characters."
    for name in TARGET_PROPERTIES:
        url = values[name]
        if url and not url.lower().startswith(("https://", "http://")):
            errors[name] = "Enter a full web address starting with https://."
    if action == SCHEDULE:
        result.at = parse_when(values["publish_at"], values["timezone"], errors)
        if result.at is not None and result.at <= now:
            errors["publish_at"] = "This time has passed: choose one in the future, or publish now."
    return result
