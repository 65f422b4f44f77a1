"""An entry as loaded for a write or a read: the row, its translations, pending revisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

from hub.core.entries import queries
from hub.core.entries.lifecycle import order_languages


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
    row = await queries.select_entry(conn, entry_id, lock=lock)
    assert row is not None, entry_id
    return await _complete(conn, row)


async def find_entry(
    conn: asyncpg.Connection, channel_id: int, slug: str, *, lock: bool = False
) -> Entry | None:
    row = await queries.select_entry_by_slug(conn, channel_id, slug, lock=lock)
    return None if row is None else await _complete(conn, row)


async def _complete(conn: asyncpg.Connection, row: asyncpg.Record) -> Entry:
    entry = Entry(dict(row))
    entry.translations = {
        r["language"]: dict(r) for r in await queries.select_translations(conn, entry.id)
    }
    entry.pending = {
        r["language"]: dict(r) for r in await queries.select_pending_revisions(conn, entry.id)
    }
    entry.tags = await queries.select_categories(conn, entry.id)
    return entry
