"""Reading a received activity (pure): the Content-Type an inbox accepts, and the body as a
JSON object with an `id`, a `type` and an `actor` (a string or an object with an id), or
`BadActivity` (400). Whatever the JSON holds (wrong types, NUL, huge numbers, deep nesting),
the answer is a value or BadActivity, never another exception."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

MAX_ID = 2048
MAX_TYPE = 100
MEDIA_TYPES = ("application/activity+json", "application/ld+json")


class BadActivity(ValueError):
    """The body is not an activity hub can read."""


def accepted_content_type(value: str) -> bool:
    """`application/activity+json` or `application/ld+json` with any parameters (profile)."""
    return value.split(";", 1)[0].strip().lower() in MEDIA_TYPES


def id_of(value: Any) -> str | None:
    """The id of a reference: a string, or an object's `id`."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


@dataclass(frozen=True, slots=True)
class Activity:
    id: str
    type: str
    actor: str
    body: dict[str, Any]

    @property
    def object(self) -> Any:
        return self.body.get("object")

    @property
    def object_id(self) -> str | None:
        return id_of(self.body.get("object"))


def _http_id(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise BadActivity(f"The activity's {name} is not an http(s) URL.")
    if len(value) > MAX_ID:
        raise BadActivity(f"The activity's {name} is too long.")
    return value


def read_activity(body: bytes) -> Activity:
    if b"\x00" in body or b"\\u0000" in body:
        raise BadActivity("The activity holds a NUL character.")
    try:
        doc = orjson.loads(body)  # refuses integers past 64 bits and nesting past 1024
    except (orjson.JSONDecodeError, RecursionError) as exc:
        raise BadActivity("The body is not JSON hub can read.") from exc
    if not isinstance(doc, dict):
        raise BadActivity("The activity is not a JSON object.")
    kind = doc.get("type")
    if isinstance(kind, list) and len(kind) == 1:
        kind = kind[0]
    if not isinstance(kind, str) or not 0 < len(kind) <= MAX_TYPE:
        raise BadActivity("The activity's type is missing or not a string.")
    activity_id = _http_id(doc.get("id"), "id")
    actor = _http_id(id_of(doc.get("actor")), "actor")
    return Activity(activity_id, kind, actor, doc)
