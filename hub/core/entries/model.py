"""An entry as loaded for a write or a read: the row, its translations, pending revisions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

from hub.core.entries import queries
from hub.core.entries.lifecycle import DRAFT, order_languages


@dataclass
class Entry:
    row: dict
    translations: dict[str, dict] = field(default_factory=dict)
    pending: dict[str, dict] = field(default_factory=dict)  # language -> revision in review/blocked
    tags: list[str] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.row["id"]

    @property
    def primary(self) -> str:
        return self.row["default_language"]

    @property
    def scheduled_at(self) -> datetime | None:
        return self.row["scheduled_at"]

    def statuses(self) -> dict[str, str]:
        return {lang: t["status"] for lang, t in self.translations.items()}

    def languages(self) -> list[str]:
        return order_languages(self.translations, self.primary)

    def current_content(self, language: str) -> dict | None:
        """What the next edit is compared against: the waiting revision, else the translation."""
        return self.pending.get(language) or self.translations.get(language)

    def outdated(self) -> list[str]:
        """Secondaries whose content predates the primary's last content change (EXT)."""
        primary = self.translations.get(self.primary)
        if primary is None:
            return []
        changed = primary["content_updated_at"]
        return [
            lang
            for lang, t in self.translations.items()
            if lang != self.primary
            and (t["source_updated_at"] is None or t["source_updated_at"] < changed)
        ]


async def load_entry(conn: asyncpg.Connection, entry_id: int, *, lock: bool = False) -> Entry:
    row = await queries.select_full_entry(conn, entry_id, lock=lock)
    assert row is not None, entry_id
    return entry_from_row(row)


async def find_entry(
    conn: asyncpg.Connection, channel_id: int, slug: str, *, lock: bool = False
) -> Entry | None:
    row = await queries.select_full_entry_by_slug(conn, channel_id, slug, lock=lock)
    return None if row is None else entry_from_row(row)


def new_entry(
    entry_id: int,
    *,
    channel_id: int,
    author_id: int,
    slug: str,
    default_language: str,
    kind: str,
    created_via: str,
    credential_id: int | None,
    properties: dict,
    now: datetime,
    visibility: str = "public",
) -> Entry:
    """An entry about to be inserted (`write_queries.insert_new_entry`), as its row will read
    with the columns' defaults: a draft with no translations, revisions or tags."""
    return Entry(
        {
            "id": entry_id, "channel_id": channel_id, "author_id": author_id, "slug": slug,
            "default_language": default_language, "status": DRAFT, "kind": kind,
            "visibility": visibility, "properties": properties, "published_at": None,
            "scheduled_at": None, "scheduled_paused": False, "scheduled_pause_reason": None,
            "moderation": None, "moderation_reason": None, "version": 1,
            "created_via": created_via, "credential_id": credential_id, "deleted_at": None,
            "created_at": now, "updated_at": now,
        }
    )  # fmt: skip


_TRANSLATION_NAMES = [c.strip() for c in queries.TRANSLATION_COLUMNS.split(",")]
_REVISION_NAMES = [c.strip() for c in queries.REVISION_COLUMNS.split(",")]


def entry_from_row(row: Mapping) -> Entry:
    """An Entry from one `select_full_entry` row (entry columns plus the arrays); also from
    `write_queries.insert_new_entry`'s row (no `_pending`: a new entry has none)."""
    fields = dict(row)
    translations = [
        dict(zip(_TRANSLATION_NAMES, t, strict=True)) for t in fields.pop("_translations")
    ]
    pending = [dict(zip(_REVISION_NAMES, r, strict=True)) for r in fields.pop("_pending", ())]
    tags = list(fields.pop("_tags"))
    return Entry(
        fields,
        translations={t["language"]: t for t in translations},
        pending={r["language"]: r for r in pending},
        tags=tags,
    )


async def load_entries(conn: asyncpg.Connection, ids: list[int]) -> list[Entry]:
    """Several entries in one query (for listings), in the order of `ids`."""
    if not ids:
        return []
    entries = {r["id"]: entry_from_row(r) for r in await queries.select_full_entries(conn, ids)}
    return [entries[i] for i in ids if i in entries]
