"""Hand a checked update of an article to the core: save content, set the schedule, request
statuses under the moderation policy. Whether anything changed is returned: the caller moves
the version by one step (`common.one_version_step`, R-29). (A new article is stored in one
statement by `publishing.insert_entry` instead.)"""

from __future__ import annotations

import asyncpg

from hub.channels.schemas import (
    MAX_TRANSLATIONS,
    MISSING,
    MSG_TOO_MANY_TRANSLATIONS,
    TranslationInput,
)
from hub.core.auth import Principal
from hub.core.entries import publishing
from hub.core.entries import queries as entry_queries
from hub.core.entries.lifecycle import DRAFT, SCHEDULED
from hub.core.entries.model import Entry, load_entry
from hub.core.errors import Invalid
from hub.core.resources import Resources


async def apply(
    conn: asyncpg.Connection, resources: Resources, principal: Principal, entry: Entry,
    contents: dict[str, tuple[TranslationInput, dict]], targets: dict[str, str], now,
    *, schedule: object = MISSING, unpublish: bool = False,
) -> bool:  # fmt: skip
    """Save content, schedule and statuses; True when anything changed (R-29). `entry` is
    locked by the caller and read after its last write (it is read again only when a step
    here makes it stale). More languages than an article may have: 422 before anything here is
    written (the write unit rolls back what the caller wrote)."""
    if len(entry.translations.keys() | contents.keys()) > MAX_TRANSLATIONS:
        raise Invalid.field("translations", MSG_TOO_MANY_TRANSLATIONS)
    changed = False
    resubmit: set[str] = set()
    order = sorted(contents, key=lambda lang: lang != entry.primary)
    for language in order:
        content = contents[language][1]
        result = await publishing.save_content(
            conn, entry, language, content, credential_id=principal.credential_id
        )
        if result == "unchanged":
            continue
        changed = True
        stored = entry.translations.get(language)
        if result == "revision" or (result == "updated" and stored["status"] == SCHEDULED):
            resubmit.add(language)
        if language == entry.primary and len(order) > 1:
            entry = await load_entry(conn, entry.id)  # secondaries record the primary's clock
    if changed:
        entry = await load_entry(conn, entry.id)
    # `entry` is what is stored now (the caller locked its row); a step below makes it stale
    stale = False
    if unpublish:
        if entry.row["status"] != DRAFT or any(s != DRAFT for s in entry.statuses().values()):
            await publishing.unpublish(conn, entry.id)
            changed = stale = True
    if schedule is not MISSING and (
        schedule != entry.scheduled_at or entry.row["scheduled_paused"]
    ):
        cached = entry.row["status"]
        if schedule is None and cached == SCHEDULED:
            cached = DRAFT  # the CHECK needs a schedule; refresh_status recomputes it below
        await entry_queries.update_entry_fields(
            conn,
            entry.id,
            status=cached,
            scheduled_at=schedule,
            scheduled_paused=False,
            scheduled_pause_reason=None,
        )
        if schedule is not None:
            await publishing.schedule_publication(conn, entry.id, schedule)
        changed = stale = True
    statuses = entry.statuses()
    moving = {lang: s for lang, s in targets.items() if statuses.get(lang) != s} or resubmit
    if moving or resubmit:
        if entry.row["author_id"] == principal.author_id:
            policy = principal.moderation or resources.settings.moderation
        else:
            policy = await publishing.moderation_policy(
                conn, entry.row["author_id"], resources.settings.moderation
            )
        if stale:
            entry = await load_entry(conn, entry.id, lock=True)
        await publishing.request_entry_statuses(
            conn, entry, targets, resubmit=resubmit, policy=policy, now=now
        )
        changed = True
    else:
        await publishing.refresh_status(conn, entry.id)
    return changed
