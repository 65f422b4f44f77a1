"""The write side of the lifecycle, shared by every API: content saves, publishing requests
under the moderation policy, approval and blocking, unpublishing, archiving, the scheduler and
the plan pause. Every function runs in the caller's transaction and ends by recomputing the
cached page status (`refresh_status`), which nothing else ever sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import asyncpg

from hub.core.entries import events, queries
from hub.core.entries.lifecycle import (
    ARCHIVED,
    BLOCKED,
    DRAFT,
    PUBLISHED,
    REVIEW,
    SCHEDULED,
    approval_target,
    can_schedule,
    derive_page_status,
)
from hub.core.entries.model import Entry, load_entry
from hub.core.errors import Conflict
from hub.core.queue import stage_job

PAUSE_ACCOUNT_PLAN = "account_plan"
PUBLISH_JOB = "publish_due_entries"


async def moderation_policy(conn: asyncpg.Connection, author_id: int, default: str) -> str:
    """`auto` or `manual`: the author's override, else the node's `HUB_MODERATION`."""
    return (await queries.author_moderation(conn, author_id)) or default


def _same(content: Mapping, stored: Mapping | None) -> bool:
    return stored is not None and all(content[f] == stored[f] for f in queries.CONTENT_FIELDS)


async def save_content(
    conn: asyncpg.Connection,
    entry: Entry,
    language: str,
    content: Mapping,
    *,
    credential_id: int | None,
) -> str:
    """Store a translation's content. Returns `created`, `unchanged`, `updated` (in place:
    the translation is not public) or `revision` (it is public: the change waits in a pending
    revision and needs a publishing request, I5). A primary content change moves the clock
    that marks secondaries outdated; a secondary save records the primary it was based on."""
    stored = entry.translations.get(language)
    primary = entry.translations.get(entry.primary)
    source = primary["content_updated_at"] if primary and language != entry.primary else None
    if stored is None:
        await queries.insert_translation(conn, entry.id, language, dict(content), source)
        return "created"
    if _same(content, entry.current_content(language)):
        return "unchanged"
    if stored["status"] == PUBLISHED:
        await queries.upsert_pending_revision(
            conn, entry.id, language, dict(content), credential_id
        )
        await queries.touch_translation_source(conn, entry.id, language, source)
        return "revision"
    await queries.update_translation_content(conn, entry.id, language, dict(content), source)
    await queries.insert_applied_revision(conn, entry.id, language, dict(content), credential_id)
    return "updated"


async def request_statuses(
    conn: asyncpg.Connection,
    entry_id: int,
    targets: Mapping[str, str],
    *,
    resubmit: frozenset[str] | set[str] = frozenset(),
    policy: str,
    now: datetime,
) -> bool:
    """Move translations toward `targets` (`draft`, `published` or `scheduled`; the page
    schedule must already be set). Going public is a publishing request: the translation goes
    to `moderation_review` and, under the `auto` policy, is approved at once; `resubmit` names
    languages whose content changed while scheduled or public. Returns whether moderation was
    involved. Callers check the primary-first rule before calling."""
    entry = await load_entry(conn, entry_id)
    to_review: list[str] = []
    to_draft: list[str] = []
    for language, target in targets.items():
        current = entry.translations[language]["status"]
        if target == DRAFT:
            if current != DRAFT:
                to_draft.append(language)
        elif current != target or language in resubmit:
            if current == PUBLISHED and target == PUBLISHED:
                continue  # a changed public translation already waits in a pending revision
            to_review.append(language)
    for language in resubmit:
        if language not in targets and entry.translations[language]["status"] == SCHEDULED:
            to_review.append(language)
    if to_draft:
        await queries.set_translation_status(conn, entry_id, to_draft, DRAFT)
        await queries.discard_pending_revisions(conn, entry_id, to_draft)
    if to_review:
        await queries.set_translation_status(conn, entry_id, to_review, REVIEW)
    waiting = bool(to_review) or await _has_pending_review(conn, entry_id)
    if waiting:
        if policy == "auto":
            await approve(conn, entry_id, now=now)  # ends with refresh_status
            return waiting
        else:
            await queries.update_entry_fields(
                conn, entry_id, moderation="manual_review", moderation_reason=None
            )
    await refresh_status(conn, entry_id)
    return waiting


async def _has_pending_review(conn: asyncpg.Connection, entry_id: int) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM entry_revisions WHERE entry_id = $1"
            " AND status = 'moderation_review')",
            entry_id,
        )
    )


async def approve(conn: asyncpg.Connection, entry_id: int, *, now: datetime) -> str:
    """Approve everything waiting: translations in review go to `scheduled` (schedule still in
    the future) or `published` (published_at = now when the time passed, R-46); pending
    revisions are applied. Returns the resulting page status."""
    row = await queries.select_entry(conn, entry_id, lock=True)
    if row is None:
        raise Conflict("The entry does not exist.")
    target = approval_target(row["scheduled_at"], now)
    moved = await queries.approve_translations(conn, entry_id, target, now)
    applied = await queries.apply_pending_revisions(conn, entry_id)
    if not moved and not applied and row["moderation"] != "manual_review":
        raise Conflict("Nothing is waiting for moderation.", code="nothing_to_moderate")
    await queries.update_entry_fields(conn, entry_id, moderation="approved", moderation_reason=None)
    if moved or applied:
        await queries.bump_version(conn, entry_id)
    if target == SCHEDULED and moved:
        await schedule_publication(conn, entry_id, row["scheduled_at"])
    return await refresh_status(conn, entry_id)


async def block(conn: asyncpg.Connection, entry_id: int, *, reason: str | None = None) -> str:
    """Refuse what waits: translations in review become `moderation_blocked`; a pending
    revision is blocked while the live version stays."""
    row = await queries.select_entry(conn, entry_id, lock=True)
    if row is None:
        raise Conflict("The entry does not exist.")
    if not await queries.block_pending(conn, entry_id, reason):
        raise Conflict("Nothing is waiting for moderation.", code="nothing_to_moderate")
    await queries.update_entry_fields(
        conn, entry_id, moderation="blocked", moderation_reason=reason
    )
    await queries.bump_version(conn, entry_id)
    return await refresh_status(conn, entry_id)


async def unpublish(conn: asyncpg.Connection, entry_id: int) -> None:
    """Back to draft (R-36, I3): every translation draft, schedule and pause cleared, pending
    revisions discarded into history."""
    await queries.set_all_translation_status(conn, entry_id, DRAFT)
    await queries.discard_pending_revisions(conn, entry_id)
    await queries.update_entry_fields(
        conn, entry_id, status=DRAFT, scheduled_at=None, scheduled_paused=False,
        scheduled_pause_reason=None,
    )  # fmt: skip
    await refresh_status(conn, entry_id)


async def archive(conn: asyncpg.Connection, entry_id: int) -> None:
    await queries.set_all_translation_status(conn, entry_id, ARCHIVED)
    await queries.discard_pending_revisions(conn, entry_id)
    await queries.update_entry_fields(
        conn, entry_id, status=ARCHIVED, scheduled_at=None, scheduled_paused=False,
        scheduled_pause_reason=None,
    )  # fmt: skip
    await refresh_status(conn, entry_id)


async def delete_translation(conn: asyncpg.Connection, entry_id: int, language: str) -> None:
    """Remove a secondary translation (EXT): its row goes, its waiting revision is discarded
    into history; the page status is derived again. The caller refuses the primary."""
    await queries.discard_pending_revisions(conn, entry_id, [language])
    await queries.delete_translation(conn, entry_id, language)
    await queries.bump_version(conn, entry_id)
    await refresh_status(conn, entry_id)


async def refresh_status(conn: asyncpg.Connection, entry_id: int) -> str:
    """Recompute and store the page status and published_at from the translations (R-20)."""
    await events.entry_changed(conn, entry_id, "changed")
    row = await queries.select_status_inputs(conn, entry_id)
    status = derive_page_status(
        row["primary_status"] or DRAFT,
        row["statuses"],
        pending_review=row["pending_review"],
        deleted=row["deleted"],
    )
    published_at = row["primary_published_at"]
    if status != row["status"] or published_at != row["published_at"]:
        await queries.update_entry_fields(conn, entry_id, status=status, published_at=published_at)
    return status


async def schedule_publication(conn: asyncpg.Connection, entry_id: int, at: datetime) -> None:
    """Stage the deferred job that publishes at `at` (the cron sweep is the safety net)."""
    await stage_job(conn, PUBLISH_JOB, job_id=f"publish_due:{int(at.timestamp())}", defer_until=at)


async def publish_due(conn: asyncpg.Connection, now: datetime, *, limit: int = 100) -> list[int]:
    """Publish every entry whose schedule has come, in the caller's transaction: scheduled
    translations become published with published_at = scheduled_at (R-46). Rows other workers
    hold are skipped; an author who lost scheduling gets the pause instead (safety net)."""
    published = []
    for row in await queries.claim_due_entries(conn, now, limit):
        if not can_schedule(row["plan"]):
            await queries.update_entry_fields(
                conn, row["id"], scheduled_paused=True, scheduled_pause_reason=PAUSE_ACCOUNT_PLAN
            )
            await queries.bump_version(conn, row["id"])
            continue
        await queries.publish_scheduled_translations(conn, row["id"], row["scheduled_at"])
        await queries.bump_version(conn, row["id"])
        await refresh_status(conn, row["id"])
        published.append(row["id"])
    return published


async def pause_for_plan(conn: asyncpg.Connection, author_id: int, now: datetime) -> list[int]:
    """The author lost scheduled publishing: their future schedules pause (status stays)."""
    ids = await queries.pause_scheduled(conn, author_id, now, PAUSE_ACCOUNT_PLAN)
    for entry_id in ids:
        await queries.bump_version(conn, entry_id)
    return ids


async def unpause_for_plan(conn: asyncpg.Connection, author_id: int, now: datetime) -> list[int]:
    """The author regained it: schedules still in the future resume; past ones stay paused
    (never published retroactively)."""
    rows = await queries.unpause_scheduled(conn, author_id, now, PAUSE_ACCOUNT_PLAN)
    for row in rows:
        await queries.bump_version(conn, row["id"])
        await schedule_publication(conn, row["id"], row["scheduled_at"])
    return [r["id"] for r in rows]


async def change_plan(conn: asyncpg.Connection, author_id: int, plan: str, now: datetime) -> None:
    """Set an author's plan and pause or resume their schedules in the same transaction."""
    await conn.execute("UPDATE authors SET plan = $2 WHERE id = $1", author_id, plan)
    if can_schedule(plan):
        await unpause_for_plan(conn, author_id, now)
    else:
        await pause_for_plan(conn, author_id, now)


__all__ = [
    "BLOCKED",
    "approve",
    "archive",
    "block",
    "change_plan",
    "delete_translation",
    "moderation_policy",
    "pause_for_plan",
    "publish_due",
    "refresh_status",
    "request_statuses",
    "save_content",
    "schedule_publication",
    "unpause_for_plan",
    "unpublish",
]
