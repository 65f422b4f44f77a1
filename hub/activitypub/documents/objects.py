"""Entries as ActivityStreams objects. PLACEHOLDER written by DELIVERY (a minimal `Note`) so
that delivery can be tested before READ's module lands; READ's module replaces it at merge
(same interface: `entry_object(conn, urls, entry_id)` and `with_context(document)`)."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from hub.activitypub.documents.ids import actor_id
from hub.core.channels import select_channel
from hub.core.entries.queries import select_entry, select_translations
from hub.core.urls import Urls

CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def with_context(document: dict) -> dict:
    """`document` with the JSON-LD `@context` first."""
    return {"@context": CONTEXT, **document}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def entry_object(conn: asyncpg.Connection, urls: Urls, entry_id: int) -> dict | None:
    """The entry as a `Note` (no `@context`), or None when it is not public and published."""
    entry = await select_entry(conn, entry_id)
    if (
        entry is None
        or entry["deleted_at"] is not None
        or entry["visibility"] == "private"
        or entry["status"] not in ("published", "moderation_review")
        or entry["published_at"] is None
    ):
        return None
    channel = await select_channel(conn, entry["channel_id"])
    translations = await select_translations(conn, entry_id)
    primary = next(
        (
            t
            for t in translations
            if t["language"] == entry["default_language"] and t["status"] == "published"
        ),
        None,
    )
    if channel is None or primary is None:
        return None
    slug, domain = channel["slug"], channel["custom_domain"]
    url = urls.entry(slug, entry["slug"], custom_domain=domain)
    followers = urls.ap_collection(slug, "followers")
    to, cc = ([PUBLIC], [followers])
    if entry["visibility"] == "unlisted":
        to, cc = [followers], [PUBLIC]
    return {
        "id": url,
        "type": "Note",
        "attributedTo": actor_id(urls, slug, domain),
        "content": primary["content_html"],
        "published": _iso(entry["published_at"]),
        "to": to,
        "cc": cc,
        "url": url,
    }
