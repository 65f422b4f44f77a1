"""Micropub request bodies → one normalised request (micropub-resolved.md §3.1, §4).

Pure: form fields, multipart fields and JSON documents in; a `MicropubRequest` out, with the
properties in mf2 shape (a dict of lists, values verbatim), the `mp-*` commands apart, and
file parts replaced by `FileRef` placeholders in request order. Bad input raises
`hub.core.errors.Invalid`; nothing here knows HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from hub.core.errors import Invalid
from hub.core.inputs import clean_storable
from hub.micropub.updates import Operations, parse_operations

ACTIONS = ("update", "delete", "undelete")
TYPES = {"entry": "entry", "h-entry": "entry", "event": "event", "h-event": "event"}
FILE_PROPERTIES = ("photo", "video", "audio")
FORM_RESERVED = ("access_token", "h", "action", "url")
# R-M18: an entry needs one of these; an event needs `name` or `start`.
ENTRY_CONTENT = (
    "content", "name", "summary", "photo", "video", "audio", "in-reply-to", "like-of",
    "repost-of", "bookmark-of", "rsvp", "checkin",
)  # fmt: skip
EVENT_CONTENT = ("name", "start")
MISSING_CONTENT = "Missing content."
MAX_DEPTH = 32  # JSON nesting hub stores (mf2 objects need a handful of levels)

_CONTENT_KEY = re.compile(r"^content\[(html|value)\]$")


@dataclass(frozen=True)
class FileRef:
    """A file part of a multipart create: `files[index]` of its request."""

    index: int


@dataclass
class MicropubRequest:
    action: str  # create | update | delete | undelete
    type: str = "entry"  # entry | event (create only)
    properties: dict[str, list[Any]] = field(default_factory=dict)
    commands: dict[str, list[Any]] = field(default_factory=dict)  # mp-* names, as sent
    url: str | None = None  # update, delete, undelete
    operations: Operations | None = None  # update
    files: list[Any] = field(default_factory=list)  # the file parts FileRef points into


def form_access_token(pairs: Iterable[tuple[str, Any]]) -> str | None:
    """The first `access_token` field of a form body, or None."""
    for name, value in pairs:
        if name == "access_token" and isinstance(value, str):
            return value
    return None


def parse_form(pairs: Iterable[tuple[str, Any]]) -> MicropubRequest:
    """Form-encoded or multipart fields in arrival order; a value that is not a `str` is a
    file part. `x[]` and repeated names are arrays, `content[html]` an object, other `x[y]`
    a literal property name; `mp-*` are commands; empty values count as not sent. `url` is
    the target of an action, and a property (an h-event's url) of a create."""
    pairs = [  # NUL refused, and the characters no output carries removed (`clean_storable`)
        (clean_storable(n, MAX_DEPTH), clean_storable(v, MAX_DEPTH) if isinstance(v, str) else v)
        for n, v in pairs
    ]
    h: str | None = None
    action: str | None = None
    properties: dict[str, list[Any]] = {}
    commands: dict[str, list[Any]] = {}
    files: list[Any] = []
    content_object: dict[str, str] | None = None
    for raw_name, value in pairs:
        name = raw_name[:-2] if raw_name.endswith("[]") else raw_name
        if not isinstance(value, str):
            if name not in FILE_PROPERTIES:
                raise Invalid.field(
                    raw_name,
                    f"A file was sent as {raw_name!r}; files go in photo, video or audio.",
                )
            properties.setdefault(name, []).append(FileRef(len(files)))
            files.append(value)
            continue
        if name == "access_token" or value == "":
            continue
        if name == "h":
            h = h or value
        elif name == "action":
            action = action or value
        elif name.startswith("mp-") or name == "syndicate-to":
            commands.setdefault(_command_name(name), []).append(value)
        elif match := _CONTENT_KEY.match(raw_name):
            if content_object is None:
                content_object = {}
                properties.setdefault("content", []).append(content_object)
            content_object.setdefault(match.group(1), value)
        else:
            properties.setdefault(name, []).append(value)
    if action is not None:
        if action == "update":
            raise Invalid.field("action", "Updates must be sent as JSON.")
        return _action_request(action, _first_string(properties.get("url")))
    return _create(h or "entry", properties, commands, files)


def parse_json(body: Any) -> MicropubRequest:
    """A JSON document: a create (`type` + `properties`) or an action (`action` + `url`)."""
    if not isinstance(body, dict):
        raise Invalid("The JSON body must be an object.")
    body = clean_storable(body, MAX_DEPTH)  # one walk: refuses NUL and deep nesting, cleans
    action = body.get("action")
    if action is not None:
        if action == "update":
            url = _target_url(body.get("url"))
            return MicropubRequest(action="update", url=url, operations=parse_operations(body))
        return _action_request(action, body.get("url"))
    raw_type = body.get("type", ["h-entry"])
    types = [raw_type] if isinstance(raw_type, str) else raw_type
    if not isinstance(types, list) or not types or not isinstance(types[0], str):
        raise Invalid.field("type", '`type` must be an array such as ["h-entry"].')
    raw_properties = body.get("properties", {})
    if not isinstance(raw_properties, dict):
        raise Invalid.field("properties", "`properties` must be an object.")
    properties: dict[str, list[Any]] = {}
    commands: dict[str, list[Any]] = {}
    top_commands = {k: v for k, v in body.items() if isinstance(k, str) and k.startswith("mp-")}
    for name, raw in [*raw_properties.items(), *top_commands.items()]:
        if name == "access_token" or not name:
            continue
        values = [v for v in (raw if isinstance(raw, list) else [raw]) if v is not None]
        if not values:
            continue
        if name.startswith("mp-") or name == "syndicate-to":
            commands.setdefault(_command_name(name), []).extend(values)
        else:
            properties[name] = values
    return _create(types[0], properties, commands, [])


def _create(
    raw_type: str, properties: dict[str, list[Any]], commands: dict[str, list[Any]], files: list
) -> MicropubRequest:
    kind = TYPES.get(raw_type)
    if kind is None:
        raise Invalid.field(
            "type", f"Unsupported type {raw_type!r}; supported: h-entry and h-event."
        )
    check_minimum_content(kind, properties)
    return MicropubRequest(
        action="create", type=kind, properties=properties, commands=commands, files=files
    )


def _action_request(action: Any, url: Any) -> MicropubRequest:
    if action not in ACTIONS:
        raise Invalid.field(
            "action", f"Unsupported action {action!r}; supported: {', '.join(ACTIONS)}."
        )
    return MicropubRequest(action=action, url=_target_url(url))


def _target_url(value: Any) -> str:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str) or not value.strip():
        raise Invalid.field("url", "`url` is missing.")
    if not is_http_url(value.strip()):
        raise Invalid.field("url", "`url` must be an absolute http(s) URL.")
    return value.strip()


def is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _command_name(name: str) -> str:
    return "mp-syndicate-to" if name == "syndicate-to" else name


def _first_string(values: list[Any] | None) -> str | None:
    for value in values or ():
        if isinstance(value, str):
            return value
    return None


def has_value(value: Any) -> bool:
    """A value that counts: a non-blank string, a non-empty object, a number, a file."""
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict | list):
        return bool(value)
    return value is not None


def check_minimum_content(kind: str, properties: Mapping[str, list[Any]]) -> None:
    """R-M18: refuse a create with nothing meaningful in it ("Missing content.")."""
    wanted = EVENT_CONTENT if kind == "event" else ENTRY_CONTENT
    if not any(has_value(v) for name in wanted for v in properties.get(name, ())):
        raise Invalid.field("content", MISSING_CONTENT)
