"""Recognised Micropub properties → entry fields (micropub-resolved.md §3.2, §3.3, §3.6).

Pure. `project` reads a properties dict (mf2 shape, as stored) and the commands of a request
and returns `EntryFields`, the plain values the service hands to the entries core: title,
body, tags, status, dates, slug, attachments, response targets. Every property also stays
verbatim in `EntryFields.properties`; `mp-*` and `access_token` never do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hub.core.entries.limits import TAG_LENGTH
from hub.core.errors import Invalid, TooLarge
from hub.core.markdown import render_markdown
from hub.core.sanitize import sanitize_html
from hub.core.slugs import slugify_text
from hub.micropub import post_types
from hub.micropub.limits import CATEGORY_TOO_LONG, check_limits
from hub.micropub.mf2 import FileRef, is_http_url

POST_STATUSES = ("published", "draft")
VISIBILITIES = ("public", "unlisted", "private")
ATTACHMENT_KINDS = ("photo", "video", "audio")
TARGET_KINDS = ("in-reply-to", "like-of", "repost-of", "bookmark-of")
SLUG_MAX = 80
SCHEDULE_GRACE = timedelta(seconds=60)  # §3.6: published <= now + 60 s is live at once

# An ATX heading: 1-6 '#' then a space (so `#tag` is not one), optional closing '#'s.
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")
_GEO = re.compile(r"^geo:(?P<lat>-?\d+(?:\.\d+)?),(?P<lon>-?\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Attachment:
    kind: str  # photo | video | audio
    url: str | None  # a URL the client sent (own upload or remote)
    file: FileRef | None  # a file part of this request, stored by the service
    alt: str = ""


@dataclass(frozen=True)
class Target:
    kind: str  # in-reply-to | like-of | repost-of | bookmark-of
    url: str
    cite: dict[str, Any] | None = None  # the nested h-cite, kept to render context


@dataclass(frozen=True)
class EntryFields:
    post_type: str
    title: str
    body_format: str  # markdown | html
    body_source: str  # as received
    content_html: str  # rendered and sanitised
    summary: str | None
    categories: tuple[str, ...]
    post_status: str  # published | draft (what the client asked, after forcing)
    status: str  # draft | scheduled | published (what the entry becomes)
    visibility: str
    published_at: datetime  # UTC
    updated_at: datetime | None  # a client value, kept for display
    slug: str | None  # normalised mp-slug; None: the service derives one
    attachments: tuple[Attachment, ...]
    targets: tuple[Target, ...]
    location: tuple[float, float] | None  # (lat, lon)
    syndicate_to: tuple[str, ...]
    destination: str | None
    properties: dict[str, list[Any]] = field(default_factory=dict)


def apply_heading_rule(properties: Mapping[str, list[Any]]) -> dict[str, list[Any]]:
    """R-M9, on create: with no `name`, a first Markdown line that is an ATX heading becomes
    the `name` and leaves the content; with a `name` equal to that heading, the line is
    dropped. Only string (Markdown) content is touched; a new dict is returned."""
    result = {k: list(v) for k, v in properties.items()}
    content = result.get("content") or []
    if not content or not isinstance(content[0], str):
        return result
    lines = content[0].splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return result
    match = _HEADING.match(lines[first])
    heading = match.group("text").strip() if match else ""
    if not heading:
        return result
    name = next((v for v in result.get("name", ()) if isinstance(v, str) and v.strip()), None)
    if name is not None and name.strip() != heading:
        return result
    rest = "\n".join(lines[first + 1 :]).strip("\n")
    if name is None:
        result["name"] = [heading]
    if rest.strip():
        result["content"] = [rest, *content[1:]]
    elif content[1:]:
        result["content"] = content[1:]
    else:
        del result["content"]
    return result


def project(
    properties: Mapping[str, list[Any]],
    commands: Mapping[str, list[Any]] | None = None,
    *,
    kind: str = "entry",
    timezone: str = "UTC",
    now: datetime,
    forced_status: str | None = None,
) -> EntryFields:
    """The entry fields for these properties; `Invalid` for a value hub cannot use, or for
    more categories or URLs than one entry may hold (checked before anything is rendered)."""
    check_limits(properties)
    commands = commands or {}
    zone = _zone(timezone)
    body_format, body_source, content_html = _content(properties)
    post_status = forced_status or _choice(properties, "post-status", POST_STATUSES, "published")
    visibility = _choice(properties, "visibility", VISIBILITIES, "public")
    published = _first(properties, "published")
    published_at = parse_datetime(published, zone, "published") if published is not None else now
    updated = _first(properties, "updated")
    if post_status == "draft":
        status = "draft"
    else:
        status = "scheduled" if published_at > now + SCHEDULE_GRACE else "published"
    return EntryFields(
        post_type=post_types.discover(kind, properties),
        title=_text(properties, "name"),
        body_format=body_format,
        body_source=body_source,
        content_html=content_html,
        summary=_text(properties, "summary") or None,
        categories=normalise_categories(properties.get("category") or []),
        post_status=post_status,
        status=status,
        visibility=visibility,
        published_at=published_at,
        updated_at=parse_datetime(updated, zone, "updated") if updated is not None else None,
        slug=normalise_slug(commands.get("mp-slug") or []),
        attachments=_attachments(properties, commands),
        targets=_targets(properties),
        location=_location(properties),
        syndicate_to=tuple(v for v in commands.get("mp-syndicate-to", ()) if isinstance(v, str)),
        destination=next(
            (v for v in commands.get("mp-destination", ()) if isinstance(v, str)), None
        ),
        properties={k: list(v) for k, v in properties.items()},
    )


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _first(properties: Mapping[str, list[Any]], name: str) -> Any:
    values = properties.get(name) or []
    return values[0] if values else None


def _text(properties: Mapping[str, list[Any]], name: str) -> str:
    """The first string value (or `{value}`) of a property, trimmed; '' when there is none."""
    for value in properties.get(name) or ():
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, dict) and isinstance(value.get("value"), str):
            return value["value"].strip()
    return ""


def _choice(properties: Mapping[str, list[Any]], name: str, allowed: tuple, default: str) -> str:
    value = _first(properties, name)
    if value is None:
        return default
    if not isinstance(value, str) or value.strip().lower() not in allowed:
        raise Invalid.field(name, f"`{name}` must be one of {', '.join(allowed)}.")
    return value.strip().lower()


def _content(properties: Mapping[str, list[Any]]) -> tuple[str, str, str]:
    """(body_format, body_source, content_html) from the first content value (R-M8)."""
    value = _first(properties, "content")
    if value is None:
        return "markdown", "", ""
    if isinstance(value, dict) and isinstance(value.get("html"), str):
        return "html", value["html"], sanitize_html(value["html"])
    if isinstance(value, dict) and isinstance(value.get("value"), str):
        value = value["value"]
    if not isinstance(value, str):
        raise Invalid.field("content", "`content` must be a string or an object with `html`.")
    try:
        return "markdown", value, render_markdown(value, allow_html=False)
    except TooLarge as exc:  # too complex to render (hub.core.markdown): 400, nothing stored
        raise Invalid.field("content", exc.message, code=exc.code) from None


def content_sources(properties: Mapping[str, list[Any]]) -> list[str]:
    """The texts of every `content` value (Markdown or `{html}`): what a write renders."""
    found = []
    for value in properties.get("content") or ():
        if isinstance(value, dict):
            value = value.get("html", value.get("value"))
        if isinstance(value, str):
            found.append(value)
    return found


def parse_datetime(value: Any, zone: tzinfo, name: str = "published") -> datetime:
    """An ISO 8601 / RFC 3339 date-time (or date) in UTC; no offset means `zone`."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid.field(name, f"`{name}` must be an ISO 8601 date-time.")
    text = value.strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), time())
        else:
            parsed = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid.field(
            name, f"`{name}` must be an ISO 8601 date-time such as 2025-06-15T10:30:00Z."
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(ZoneInfo("UTC"))


def normalise_categories(values: list[Any]) -> tuple[str, ...]:
    """Tags from `category` strings: trimmed, leading '#' dropped, deduplicated ignoring case
    (the first spelling wins). Nested objects (person tags) are left to `properties`."""
    seen: dict[str, str] = {}
    for value in values:
        if not isinstance(value, str):
            continue
        tag = value.strip().lstrip("#").strip()
        if not tag:
            continue
        if len(tag) > TAG_LENGTH:
            raise Invalid.field("category", CATEGORY_TOO_LONG)
        seen.setdefault(tag.casefold(), tag)
    return tuple(seen.values())


def normalise_slug(values: list[Any]) -> str | None:
    """`mp-slug` lowercased, ASCII-folded, other runs turned into '-', at most 80 characters;
    None when nothing usable is left (the service then derives a slug)."""
    value = next((v for v in values if isinstance(v, str)), None)
    if value is None:
        return None
    return slugify_text(value, separator="-", max_length=SLUG_MAX) or None


def _attachments(
    properties: Mapping[str, list[Any]], commands: Mapping[str, list[Any]]
) -> tuple[Attachment, ...]:
    alts = [a if isinstance(a, str) else "" for a in commands.get("mp-photo-alt", ())]
    result: list[Attachment] = []
    for kind in ATTACHMENT_KINDS:
        for i, value in enumerate(properties.get(kind) or ()):
            fallback_alt = alts[i] if kind == "photo" and i < len(alts) else ""
            if isinstance(value, FileRef):
                result.append(Attachment(kind, None, value, fallback_alt))
                continue
            url, alt = value, fallback_alt
            if isinstance(value, dict):
                url = value.get("value") or _nested_url(value)
                alt = value["alt"] if isinstance(value.get("alt"), str) else fallback_alt
            if not isinstance(url, str) or not is_http_url(url.strip()):
                raise Invalid.field(kind, f"`{kind}` values must be absolute http(s) URLs.")
            result.append(Attachment(kind, url.strip(), None, alt.strip()))
    return tuple(result)


def _targets(properties: Mapping[str, list[Any]]) -> tuple[Target, ...]:
    result: list[Target] = []
    for kind in TARGET_KINDS:
        for value in properties.get(kind) or ():
            cite = value if isinstance(value, dict) else None
            url = (_nested_url(value) or value.get("value")) if cite is not None else value
            if not isinstance(url, str) or not is_http_url(url.strip()):
                raise Invalid.field(kind, f"`{kind}` needs an absolute http(s) URL.")
            result.append(Target(kind, url.strip(), cite))
    return tuple(result)


def _nested_url(value: Any) -> str | None:
    """`properties.url[0]` of a nested microformat, if it is a string."""
    if not isinstance(value, dict) or not isinstance(value.get("properties"), dict):
        return None
    urls = value["properties"].get("url")
    first = urls[0] if isinstance(urls, list) and urls else urls
    return first if isinstance(first, str) else None


def _location(properties: Mapping[str, list[Any]]) -> tuple[float, float] | None:
    """(lat, lon) from a `geo:` URI or a nested h-geo / h-adr / h-card (`location` first,
    then `checkin`)."""
    for name in ("location", "checkin"):
        for value in properties.get(name) or ():
            found = _lat_lon(value)
            if found is not None:
                return found
    return None


def _lat_lon(value: Any) -> tuple[float, float] | None:
    if isinstance(value, str):
        match = _GEO.match(value.strip())
        return (float(match["lat"]), float(match["lon"])) if match else None
    if not isinstance(value, dict) or not isinstance(value.get("properties"), dict):
        return None
    props = value["properties"]
    for nested in props.get("geo") or props.get("location") or ():
        found = _lat_lon(nested)
        if found is not None:
            return found
    try:
        lat, lon = float(props["latitude"][0]), float(props["longitude"][0])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        return lat, lon
    return None
