"""Planning the sends of entries (webmention-site-feeds.md §2.2, §2.4): which targets have
something new to hear, for one entry or for all of a batched run's entries at once.

Every current target of a public entry is remembered (`webmention_sends`, one row per target
ever linked) and planned when its content changed since the target last heard
(`entries.version`); every removed target not told yet is planned, and once the entry is no
longer public every target it ever linked. A run's entries are read in three statements and
written in at most two (the targets upserted together, the removed ones marked together),
whatever their number (issue 20: a run planned entry by entry cost ~7 round trips an entry);
the caller marks the planned sends `pending` in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import asyncpg

from hub.core.resources import Resources
from hub.core.urls import link_key
from hub.core.webmentions import sends as sq
from hub.webmentions.send.targets import Translation, entry_targets


def permalink(resources: Resources, entry: Any, language: str | None) -> str:
    """The entry's URL in `language` (its primary one with None)."""
    return resources.urls.entry(
        entry["channel_slug"], entry["slug"], language=language,
        primary=entry["default_language"], custom_domain=entry["custom_domain"],
    )  # fmt: skip


def _own_check(resources: Resources, entry: Any):
    own = {link_key(permalink(resources, entry, None))}

    def is_own(norm: str) -> bool:
        return link_key(norm.split("?", 1)[0]) in own

    return is_own


def _unchanged(before: Any, version: int) -> bool:
    """Whether a target still linked has heard the entry's current version already."""
    return (
        before is not None
        and before["linked"]
        and before["removal_notified_at"] is None
        and before["status"] != "pending"
        and before["entry_version"] == version
    )


async def plan_entries(
    conn: asyncpg.Connection, resources: Resources, entry_ids: list[int]
) -> list[int]:
    """In the caller's transaction: remember every current target of the entries, mark the
    removed ones unlinked, and return the ids of the sends that have news (by entry, each
    entry's current targets in document order, then its removed ones). Entries that are gone
    or whose channel sends no webmentions plan nothing."""
    entries = {r["id"]: r for r in await sq.entries_for_sending(conn, entry_ids)}
    ids = [i for i in dict.fromkeys(entry_ids) if i in entries and entries[i]["send_webmentions"]]
    if not ids:
        return []
    before: dict[int, dict[str, Any]] = defaultdict(dict)
    for row in await sq.list_sends_of(conn, ids):
        before[row["entry_id"]][row["target_norm"]] = row
    public = [i for i in ids if entries[i]["status"] == "published"]
    translations: dict[int, list[Translation]] = defaultdict(list)
    for t in await sq.published_translations_of(conn, public) if public else ():
        entry = entries[t["entry_id"]]
        link = permalink(resources, entry, t["language"])
        translations[t["entry_id"]].append(Translation(t["language"], t["content_html"], link))
    links: list[tuple[int, str, str, str]] = []  # (entry id, target, norm, source) to upsert
    planned: list[int | tuple[int, str]] = []  # send ids, or (entry id, norm) of upserted rows
    unlinked: list[int] = []
    for entry_id in ids:
        entry, rows = entries[entry_id], before[entry_id]
        current: set[str] = set()
        if entry["status"] == "published":
            found = entry_targets(
                translations[entry_id], entry["properties"] or {},
                is_own=_own_check(resources, entry),
            )  # fmt: skip
            for target in found:
                current.add(target.norm)
                links.append((entry_id, target.target, target.norm, target.source))
                if not _unchanged(rows.get(target.norm), entry["version"]):
                    planned.append((entry_id, target.norm))
        for norm, row in rows.items():
            if norm in current:
                continue
            if entry["status"] == "published" and row["linked"]:
                unlinked.append(row["id"])
                planned.append(row["id"])
            elif row["removal_notified_at"] is None:
                planned.append(row["id"])
    upserted = {}
    if links:
        upserted = {
            (r["entry_id"], r["target_norm"]): r["id"]
            for r in await sq.upsert_linked_many(conn, links)
        }
    if unlinked:
        await sq.mark_unlinked_many(conn, unlinked)
    return [p if isinstance(p, int) else upserted[p] for p in planned]
