"""The write side of the lifecycle, shared by every API: content saves, publishing requests
under the moderation policy, approval and blocking, unpublishing, archiving, the scheduler and
the plan pause. Every function runs in the caller's transaction and ends by recomputing the
cached page status (`refresh_status`), which nothing else ever sets; the one exception is
`insert_entry`, which stores a new entry already in its final state, its status derived by
the same rule (`derive_page_status`; tests/core/entries pins it to the step-by-step path).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import asyncpg

from hub.core.entries import events, queries, write_queries
from hub.core.entries import properties as entry_properties
from hub.core.entries.lifecycle import (
    ARCHIVED,
    BLOCKED,
    DRAFT,
    PUBLISHED,
    REVIEW,
    SCHEDULED,
    approval_target,
    derive_page_status,
)
from hub.core.entries.model import Entry, entry_from_row, load_entry
from hub.core.errors import Conflict
from hub.core.plans import can_schedule
from hub.core.queue import StagedJob, stage_jobs

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
            conn, entry.id, language, dict(content), credential_id, source
        )
        return "revision"
    await queries.update_translation_content(
        conn, entry.id, language, dict(content), source, credential_id
    )
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
    involved. Callers check the primary-first rule before calling. The entry row is locked
    (FOR UPDATE) as it is read."""
    entry = await load_entry(conn, entry_id, lock=True)
    return await request_entry_statuses(
        conn, entry, targets, resubmit=resubmit, policy=policy, now=now
    )


async def request_entry_statuses(
    conn: asyncpg.Connection,
    entry: Entry,
    targets: Mapping[str, str],
    *,
    resubmit: frozenset[str] | set[str] = frozenset(),
    policy: str,
    now: datetime,
    fields: Mapping[str, object] | None = None,
    date: tuple[str, datetime | None] | None = None,
) -> bool:
    """`request_statuses` for an entry the caller locked and read after its last write of
    translation statuses, pending revisions, schedule or moderation (a stale Entry gives wrong
    results). `fields` are entry columns stored with the page status in the final UPDATE;
    `date` = (language, at) sets that translation's publication date first (approval keeps
    it), in the same statement as its status when it moves."""
    entry_id = entry.id
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
    pending_review = any(
        revision["status"] == REVIEW and language not in to_draft
        for language, revision in entry.pending.items()
    )
    translations_waiting = bool(to_review) or any(
        status == REVIEW and language not in to_draft
        for language, status in entry.statuses().items()
    )
    waiting = bool(to_review) or pending_review
    if date is not None and date[0] not in to_review:
        await entry_properties.set_publication_date(conn, entry_id, *date)
        date = None
    dated = date or (None, None)
    if waiting and policy == "auto":
        await _approve(
            conn, entry.row, now, requested=to_review, in_review=translations_waiting,
            pending=pending_review, fields=fields, dated=dated,
        )  # fmt: skip
        return waiting
    if to_review:
        await queries.set_translation_status(conn, entry_id, to_review, REVIEW, *dated)
    moderation = {"moderation": "manual_review", "moderation_reason": None} if waiting else {}
    await refresh_status(conn, entry_id, {**(fields or {}), **moderation})
    return waiting


async def insert_entry(
    conn: asyncpg.Connection,
    entry: Entry,
    contents: Mapping[str, Mapping],
    targets: Mapping[str, str],
    *,
    policy: str,
    now: datetime,
    schedule: datetime | None = None,
    tags: Sequence[str] = (),
    date: tuple[str, datetime | None] | None = None,
) -> Entry | None:
    """Insert a new entry (`model.new_entry`, not stored yet) with its translations
    (language -> content) already where the lifecycle takes them: saved as drafts, then moved
    toward `targets` under `policy` with the page schedule `schedule`, exactly as
    `request_entry_statuses` would move them, with the page status, version 1, the tags and
    the staged reactions; one statement (`write_queries.insert_new_entry`). Returns the entry
    as stored, or None when the slug was taken meanwhile (nothing is written). `date` =
    (language, at) gives that translation its publication date, as `request_entry_statuses`
    does (approval keeps it; published without one, it gets `now`)."""
    row, translations, jobs = _new_rows(entry, contents, targets, policy, now, schedule, date)
    stored = await write_queries.insert_new_entry(conn, row, translations, tags, jobs)
    return None if stored is None else entry_from_row(stored)


async def insert_entry_id(
    conn: asyncpg.Connection,
    entry: Entry,
    contents: Mapping[str, Mapping],
    targets: Mapping[str, str],
    *,
    policy: str,
    now: datetime,
    schedule: datetime | None = None,
    tags: Sequence[str] = (),
    date: tuple[str, datetime | None] | None = None,
) -> int | None:
    """`insert_entry` for a caller that needs only the new entry's id (None when the slug was
    taken meanwhile): the same statement, reading nothing else back."""
    row, translations, jobs = _new_rows(entry, contents, targets, policy, now, schedule, date)
    stored = await write_queries.insert_new_entry(conn, row, translations, tags, jobs, whole=False)
    return None if stored is None else stored["id"]


def _new_rows(
    entry: Entry,
    contents: Mapping[str, Mapping],
    targets: Mapping[str, str],
    policy: str,
    now: datetime,
    schedule: datetime | None,
    date: tuple[str, datetime | None] | None,
) -> tuple[dict, list[dict], list[StagedJob]]:
    """`insert_entry`'s entry row, translation rows and staged reactions."""
    approved_to = approval_target(schedule, now)
    statuses = {}
    for language in contents:
        target = targets.get(language, DRAFT)
        statuses[language] = (
            DRAFT if target == DRAFT else approved_to if policy == "auto" else REVIEW
        )
    waiting = any(status != DRAFT for status in statuses.values())
    dates = {lang: now if status == PUBLISHED else None for lang, status in statuses.items()}
    if date is not None:
        language, at = date
        dates[language] = (at or now) if statuses[language] == PUBLISHED else at
    row = {
        **entry.row,
        "status": derive_page_status(
            statuses[entry.primary], statuses.values(), pending_review=False
        ),
        "published_at": dates[entry.primary],
        "scheduled_at": schedule,
        "moderation": ("approved" if policy == "auto" else "manual_review") if waiting else None,
        "version": 1,
    }
    translations = [
        {**content, "language": lang, "status": statuses[lang], "published_at": dates[lang]}
        for lang, content in contents.items()
    ]
    jobs = events.reactions(entry.id)
    if schedule is not None:
        jobs.append(_publication_job(schedule))
    return row, translations, jobs


async def approve(conn: asyncpg.Connection, entry_id: int, *, now: datetime) -> str:
    """Approve everything waiting: translations in review go to `scheduled` (schedule still in
    the future) or `published` (published_at = now when the time passed, R-46); pending
    revisions are applied. Returns the resulting page status."""
    row = await queries.select_entry(conn, entry_id, lock=True)
    if row is None:
        raise Conflict("The entry does not exist.")
    return await _approve(conn, row, now)


async def _approve(
    conn: asyncpg.Connection,
    row: Mapping,
    now: datetime,
    *,
    requested: list[str] | None = None,
    in_review: bool = True,
    pending: bool = True,
    fields: Mapping[str, object] | None = None,
    dated: tuple[str | None, datetime | None] = (None, None),
) -> str:
    """`approve` for the locked, current `row`; `requested` languages go through review and
    approval in one step. `in_review=False` / `pending=False` when the caller knows that no
    translation / no revision waits in review (their statements are skipped)."""
    entry_id = row["id"]
    target = approval_target(row["scheduled_at"], now)
    moved: list[str] = []
    if in_review:
        moved = await queries.approve_translations(
            conn, entry_id, target, now, requested or [], *dated
        )
    applied = await queries.apply_pending_revisions(conn, entry_id) if pending else []
    if not moved and not applied and row["moderation"] != "manual_review":
        raise Conflict("Nothing is waiting for moderation.", code="nothing_to_moderate")
    if target == SCHEDULED and moved:
        await schedule_publication(conn, entry_id, row["scheduled_at"])
    approved = {**(fields or {}), "moderation": "approved", "moderation_reason": None}
    return await refresh_status(conn, entry_id, approved, bump=bool(moved or applied))


async def block(conn: asyncpg.Connection, entry_id: int, *, reason: str | None = None) -> str:
    """Refuse what waits: translations in review become `moderation_blocked`; a pending
    revision is blocked while the live version stays."""
    row = await queries.select_entry(conn, entry_id, lock=True)
    if row is None:
        raise Conflict("The entry does not exist.")
    if not await queries.block_pending(conn, entry_id, reason):
        raise Conflict("Nothing is waiting for moderation.", code="nothing_to_moderate")
    blocked = {"moderation": "blocked", "moderation_reason": reason}
    return await refresh_status(conn, entry_id, blocked, bump=True)


_NO_SCHEDULE = {"scheduled_at": None, "scheduled_paused": False, "scheduled_pause_reason": None}


async def unpublish(conn: asyncpg.Connection, entry_id: int) -> None:
    """Back to draft (R-36, I3): every translation draft, schedule and pause cleared, pending
    revisions discarded into history."""
    await queries.set_all_translation_status(conn, entry_id, DRAFT)
    await queries.discard_pending_revisions(conn, entry_id)
    await refresh_status(conn, entry_id, _NO_SCHEDULE)


async def archive(conn: asyncpg.Connection, entry_id: int) -> None:
    await queries.set_all_translation_status(conn, entry_id, ARCHIVED)
    await queries.discard_pending_revisions(conn, entry_id)
    await refresh_status(conn, entry_id, _NO_SCHEDULE)


async def delete_translation(conn: asyncpg.Connection, entry_id: int, language: str) -> None:
    """Remove a secondary translation (EXT): its row goes, its waiting revision is discarded
    into history; the page status is derived again. The caller refuses the primary."""
    await queries.discard_pending_revisions(conn, entry_id, [language])
    await queries.delete_translation(conn, entry_id, language)
    await refresh_status(conn, entry_id, bump=True)


async def refresh_status(
    conn: asyncpg.Connection,
    entry_id: int,
    fields: Mapping[str, object] | None = None,
    *,
    bump: bool = False,
) -> str:
    """Recompute and store the page status and published_at from the translations (R-20),
    in the same statement as the entry `fields` and the version step (`bump`) of the caller's
    step, and stage the reactions to the change."""
    return await write_queries.store_page_status(
        conn, entry_id, fields, bump=bump, jobs=events.reactions(entry_id)
    )


def publish_due_job_id(at: datetime) -> str:
    """One deferred publication job per second of the schedule, however many entries are due."""
    return f"publish_due:{int(at.timestamp())}"


def _publication_job(at: datetime) -> StagedJob:
    return (PUBLISH_JOB, [], publish_due_job_id(at), at)


async def schedule_publication(conn: asyncpg.Connection, entry_id: int, at: datetime) -> None:
    """Stage the deferred job that publishes at `at` (the cron sweep is the safety net)."""
    await stage_jobs(conn, [_publication_job(at)])


async def publish_due(conn: asyncpg.Connection, now: datetime, *, limit: int = 100) -> list[int]:
    """Publish every entry whose schedule has come, in the caller's transaction: scheduled
    translations become published with published_at = scheduled_at (R-46). Rows other workers
    hold are skipped; an author who lost scheduling gets the pause instead (safety net)."""
    published = []
    for row in await queries.claim_due_entries(conn, now, limit):
        if not can_schedule(row["plan"], owner=row["is_owner"]):
            await queries.update_entry_fields(
                conn, row["id"], bump=True,
                scheduled_paused=True, scheduled_pause_reason=PAUSE_ACCOUNT_PLAN,
            )  # fmt: skip
            continue
        await queries.publish_scheduled_translations(conn, row["id"], row["scheduled_at"])
        await refresh_status(conn, row["id"], bump=True)
        published.append(row["id"])
    return published


async def pause_for_plan(conn: asyncpg.Connection, author_id: int, now: datetime) -> list[int]:
    """The author lost scheduled publishing: their future schedules pause (status stays)."""
    return await queries.pause_scheduled(conn, author_id, now, PAUSE_ACCOUNT_PLAN)


async def unpause_for_plan(conn: asyncpg.Connection, author_id: int, now: datetime) -> list[int]:
    """The author regained it: schedules still in the future resume; past ones stay paused
    (never published retroactively)."""
    rows = await queries.unpause_scheduled(conn, author_id, now, PAUSE_ACCOUNT_PLAN)
    for row in rows:
        await schedule_publication(conn, row["id"], row["scheduled_at"])
    return [r["id"] for r in rows]


async def change_plan(conn: asyncpg.Connection, author_id: int, plan: str, now: datetime) -> None:
    """Set an author's plan and pause or resume their schedules in the same transaction (the
    owner's never pause: no plan limits the owner)."""
    owner = await conn.fetchval(
        "UPDATE authors SET plan = $2 WHERE id = $1 RETURNING is_owner", author_id, plan
    )
    if can_schedule(plan, owner=bool(owner)):
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
    "insert_entry",
    "moderation_policy",
    "pause_for_plan",
    "publish_due",
    "refresh_status",
    "request_entry_statuses",
    "request_statuses",
    "save_content",
    "schedule_publication",
    "unpause_for_plan",
    "unpublish",
]
