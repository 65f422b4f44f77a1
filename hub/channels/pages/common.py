"""What every page operation shares: its outcome, the write transaction (rolled back for a
dry run), the clock, the 404 for a missing article and the final presentation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg

from hub.channels import present
from hub.channels.errors import ARTICLE_CHANGED, PreconditionFailed
from hub.channels.preconditions import entry_etag, matches
from hub.channels.schemas import TranslationInput, warning
from hub.core.channels import Channel
from hub.core.entries import queries as entry_queries
from hub.core.entries.lifecycle import PUBLISHED, SCHEDULED
from hub.core.entries.model import Entry, find_entry
from hub.core.errors import NotFound
from hub.core.resources import Resources


@dataclass
class Outcome:
    article: dict
    created: bool = False
    entry: Entry | None = None
    warnings: list[dict] = field(default_factory=list)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def entry_or_404(conn, channel: Channel, slug: str, *, lock: bool) -> Entry:
    entry = await find_entry(conn, channel.id, slug, lock=lock)
    if entry is None or entry.row["deleted_at"] is not None:
        raise NotFound("Article not found.")
    return entry


def check_if_match(if_match: str | None, entry: Entry | None) -> None:
    """EXT: a write with `If-Match` that names another version changes nothing (412)."""
    if not matches(if_match, None if entry is None else entry_etag(entry.row["version"])):
        raise PreconditionFailed(ARTICLE_CHANGED)


async def one_version_step(
    conn: asyncpg.Connection, entry_id: int, before: int | None, *, changed: bool
) -> None:
    """A request that changed anything moves the version by exactly one (a create leaves it
    at 1), however many core steps it took; one that changed nothing leaves it where it was
    (capped, should a core step have moved it). The ETag names what the client saw after
    its request. One statement."""
    step = 1 if before is None else before + 1
    if changed:
        await entry_queries.set_version(conn, entry_id, step)
    else:
        await entry_queries.cap_version(conn, entry_id, step)


def finish(entry: Entry, channel: Channel, resources: Resources, warnings: list[dict]) -> dict:
    if channel.status == "draft" and entry.row["status"] in (PUBLISHED, SCHEDULED):
        warnings.append(
            warning(
                "channel_not_published",
                "The channel is a draft, so this article is not visible to readers yet.",
                None,
            )
        )
    return present.article(entry, channel.slug, resources.urls, warnings)


def saved_as_draft(t: TranslationInput) -> dict:
    return warning(
        "translation_saved_as_draft",
        f"The {t.language} translation was saved as a draft. Send status=published, or PATCH "
        "the status with publish_translations=true, to publish it.",
        f"{t.path}.status" if t.path else "status",
    )
