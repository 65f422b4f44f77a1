"""E6 PUT /channels/{c}/pages/{p}/translations/{language}: one translation (R-28, R-34, R-35)."""

from __future__ import annotations

from hub.channels.access import channel_for
from hub.channels.media.drafts import rewrite_drafts
from hub.channels.pages.apply import apply
from hub.channels.pages.common import (
    Outcome,
    check_if_match,
    entry_or_404,
    finish,
    now,
    one_version_step,
    saved_as_draft,
)
from hub.channels.pages.rules import check_primary_first, merge_off_loop, require_bodies
from hub.channels.schemas import (
    MISSING,
    Problems,
    parse_json_object,
    parse_translation,
)
from hub.core.auth import Principal
from hub.core.entries.lifecycle import DRAFT, PUBLISHED, REVIEW, SCHEDULED
from hub.core.entries.model import load_entry
from hub.core.errors import Invalid
from hub.core.languages import normalise_language
from hub.core.resources import Resources
from hub.core.writes import Tx


async def put_translation(
    tx: Tx,
    resources: Resources,
    principal: Principal,
    channel_slug: str,
    slug: str,
    path_language: str,
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
    language = normalise_language(path_language)
    if language is None:
        raise Invalid.field(
            "language", "The language must be a language code such as en, ru or pt-BR."
        )
    problems = Problems()
    warnings: list[dict] = []
    t = parse_translation(parse_json_object(raw), "", problems, warnings, language=language)
    problems.raise_if_any()
    assert t is not None
    created = language not in entry.translations
    contents = await merge_off_loop([(t, entry.current_content(language))], problems, warnings)
    problems.raise_if_any()
    assert language in contents
    await rewrite_drafts(tx, resources.urls, channel.id, entry.id, contents, warnings)
    targets: dict[str, str] = {}
    primary = language == entry.primary
    page_status = entry.row["status"]
    if t.status is not MISSING:
        if primary:
            current = entry.translations[language]["status"]
            if t.status not in (page_status, current):
                problems.add(
                    "status",
                    "Change the status of the primary language with the status endpoint.",
                )
        elif t.status == SCHEDULED:
            if entry.translations[entry.primary]["status"] != SCHEDULED:
                problems.add(
                    "status",
                    "A translation can be scheduled only when the article is scheduled.",
                )
            targets[language] = SCHEDULED
        else:
            targets[language] = t.status
    statuses = entry.statuses()
    statuses.setdefault(language, DRAFT)
    check_primary_first(
        statuses,
        targets,
        entry.primary,
        entry.scheduled_at,
        at,
        {language: "status"},
        problems,
    )
    require_bodies(targets, contents, entry, problems)
    problems.raise_if_any()
    changed = await apply(conn, resources, principal, entry, contents, targets, at)
    await one_version_step(conn, entry.id, entry.row["version"], changed=changed)
    entry = await load_entry(conn, entry.id)
    if (
        not primary
        and t.status is MISSING
        and entry.translations[language]["status"] == DRAFT
        and entry.row["status"] in (PUBLISHED, SCHEDULED, REVIEW)
    ):
        warnings.append(saved_as_draft(t))
    article = finish(entry, channel, resources, warnings)
    return Outcome(article, created=created, entry=entry)
