"""E7 PATCH /channels/{c}/pages/{p}/status: status and schedule without content (R-12 to
R-13c, R-36 to R-38, R-41)."""

from __future__ import annotations

from hub.channels.access import channel_for
from hub.channels.pages.apply import apply
from hub.channels.pages.common import (
    Outcome,
    check_if_match,
    entry_or_404,
    finish,
    now,
    one_version_step,
)
from hub.channels.pages.rules import (
    check_primary_first,
    effective_status,
    page_schedule,
    require_bodies,
)
from hub.channels.schemas import MISSING, Problems, parse_json_object, parse_status, warning
from hub.core.auth import Principal
from hub.core.entries import publishing
from hub.core.entries.lifecycle import DRAFT, PUBLISHED
from hub.core.entries.model import load_entry
from hub.core.resources import Resources
from hub.core.writes import Tx


async def patch_status(
    tx: Tx,
    resources: Resources,
    principal: Principal,
    channel_slug: str,
    slug: str,
    raw: bytes,
    *,
    if_match: str | None = None,
) -> Outcome:
    at = now()
    conn = tx.conn
    channel = await channel_for(
        conn, resources.settings, principal, channel_slug, write_scope="update"
    )
    entry = await entry_or_404(conn, channel, slug, lock=True)
    check_if_match(if_match, entry)
    before = entry.row["version"]
    request = parse_status(parse_json_object(raw))
    warnings = list(request.warnings)
    problems = Problems()
    status = effective_status(request.status, request.scheduled_at, at)
    primary = entry.primary
    current = entry.statuses()
    if status in (DRAFT, "archived"):
        if request.scheduled_at is not MISSING:
            warnings.append(
                warning("scheduled_at_ignored", "scheduled_at is ignored here.", "scheduled_at")
            )
        if status == DRAFT:
            changed = (
                entry.row["status"] != DRAFT
                or any(s != DRAFT for s in current.values())
                or entry.scheduled_at is not None
            )
            if changed:
                await publishing.unpublish(conn, entry.id)
        else:
            changed = entry.row["status"] != "archived"
            if changed:
                await publishing.archive(conn, entry.id)
        await one_version_step(conn, entry.id, before, changed=changed)
        entry = await load_entry(conn, entry.id)
        return Outcome(finish(entry, channel, resources, warnings), entry=entry)
    archived = entry.row["status"] == "archived"
    if archived:  # leaving the archive: as from draft
        await publishing.unpublish(conn, entry.id)
        entry = await load_entry(conn, entry.id)
        current = entry.statuses()
    multi = len(current) > 1
    if multi and request.publish_translations is MISSING:
        problems.add(
            "publish_translations",
            "The publish_translations field is required for multilingual articles.",
        )
    elif not multi and request.publish_translations is not MISSING:
        warnings.append(
            warning(
                "publish_translations_ignored",
                "The article has a single translation.",
                "publish_translations",
            )
        )
    schedule = page_schedule(
        status, request.scheduled_at, entry, principal, resources, at, problems
    )
    targets = {primary: status}
    publish_all = request.publish_translations is True or not multi
    for language, s in current.items():
        if language == primary or s == "moderation_blocked":
            continue
        if publish_all:
            targets[language] = status
        elif s != PUBLISHED:
            targets[language] = DRAFT
    new_schedule = entry.scheduled_at if schedule is MISSING else schedule
    check_primary_first(current, targets, primary, new_schedule, at, {}, problems)
    require_bodies(targets, {}, entry, problems)
    problems.raise_if_any()
    changed = await apply(conn, resources, principal, entry, {}, targets, at, schedule=schedule)
    await one_version_step(conn, entry.id, before, changed=changed or archived)
    entry = await load_entry(conn, entry.id)
    article = finish(entry, channel, resources, warnings)
    return Outcome(article, entry=entry)
