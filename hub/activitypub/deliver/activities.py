"""What a channel tells its followers about an entry, and the activity that says it. Pure:
states in, a decision or a JSON document out.

`next_activity` compares the entry now with what was last sent about it: a public entry
never sent (or deleted since) is a `Create`, one sent at another version (an edit, a new
translation) an `Update`; an entry sent before and no longer public (deleted, unpublished,
made private) a `Delete`; anything else is nothing new. `entry_activity` wraps the entry's
object (or, for a Delete, a `Tombstone` with its id) with the activity's id, actor, date and
addressing (copied from the object).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

CREATE, UPDATE, DELETE = "Create", "Update", "Delete"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def next_activity(
    *, public: bool, version: int, sent_type: str | None, sent_version: int | None
) -> str | None:
    """The activity to send about an entry (None: nothing new to tell)."""
    if public:
        if sent_type in (None, DELETE):
            return CREATE
        return UPDATE if sent_version != version else None
    return DELETE if sent_type in (CREATE, UPDATE) else None


def activity_id(object_id: str, kind: str, version: int, used: Collection[str] = ()) -> str:
    """`{object id}#{kind}/{version}` (`#create/3`), made unique among `used` (an entry
    deleted and published again at one version: `#create/3.2`)."""
    base = f"{object_id}#{kind.lower()}/{version}"
    uri, n = base, 1
    while uri in used:
        n += 1
        uri = f"{base}.{n}"
    return uri


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def entry_activity(
    kind: str,
    *,
    uri: str,
    actor: str,
    object_id: str,
    entry_object: dict | None,
    followers: str,
    now: datetime,
) -> dict:
    """The `kind` activity (`uri`) of `actor` about the entry `object_id`: its object for a
    Create or Update (`entry_object`, addressed as it is), a `Tombstone` for a Delete
    (addressed to the public and the followers). No `@context` (the caller adds it)."""
    if kind == DELETE or entry_object is None:
        obj: dict = {"id": object_id, "type": "Tombstone"}
        to, cc = [PUBLIC], [followers]
        published = iso(now)
    else:
        obj = entry_object
        to, cc = list(obj.get("to") or [PUBLIC]), list(obj.get("cc") or [followers])
        published = obj.get("published") if kind == CREATE else obj.get("updated")
        published = published or iso(now)
    return {
        "id": uri,
        "type": kind,
        "actor": actor,
        "published": published,
        "to": to,
        "cc": cc,
        "object": obj,
    }
