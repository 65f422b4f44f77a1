"""The entry lifecycle as pure rules: page status derived from translation statuses, the
primary-first invariant, and the translation status summary. No I/O here; `publishing.py`
applies these rules inside each write transaction (publicasta-v1-resolved §1.5).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

DRAFT = "draft"
REVIEW = "moderation_review"
BLOCKED = "moderation_blocked"
SCHEDULED = "scheduled"
PUBLISHED = "published"
ARCHIVED = "archived"

TRANSLATION_STATUSES = (DRAFT, REVIEW, BLOCKED, SCHEDULED, PUBLISHED, ARCHIVED)
PUBLIC = frozenset({PUBLISHED})
# Rank for the primary-first rule: a secondary may never rank above its primary.
RANK = {DRAFT: 0, BLOCKED: 0, ARCHIVED: 0, REVIEW: 1, SCHEDULED: 2, PUBLISHED: 3}

# A soft-deleted entry keeps its slug (and can be restored) this long; then it is purged.
DELETED_RETENTION = timedelta(days=30)

PRIMARY_FIRST_MESSAGE = (
    "A translation cannot be published before the primary language is published. Save it as "
    "draft, or publish it together with the primary language using publish_translations=true."
)


def approval_target(scheduled_at: datetime | None, now: datetime) -> str:
    """Where a translation waiting for moderation goes when approved: `scheduled` while the
    page's schedule is in the future, `published` otherwise (R-46)."""
    return SCHEDULED if scheduled_at is not None and scheduled_at > now else PUBLISHED


def intended_status(status: str, scheduled_at: datetime | None, now: datetime) -> str:
    """The status a translation is heading for: a translation in review is judged by where
    approval would take it."""
    return approval_target(scheduled_at, now) if status == REVIEW else status


def primary_first_violations(
    primary: str, statuses: Mapping[str, str], primary_language: str
) -> list[str]:
    """Secondary languages whose (intended) status outranks the primary's (I1), and scheduled
    secondaries while the primary is not scheduled (a secondary shares the page schedule)."""
    bad = []
    for language, status in statuses.items():
        if language == primary_language:
            continue
        if RANK[status] > RANK[primary] or (status == SCHEDULED and primary != SCHEDULED):
            bad.append(language)
    return bad


def derive_page_status(
    primary: str, statuses: Iterable[str], *, pending_review: bool, deleted: bool = False
) -> str:
    """The page status from its translations (R-20); never stored independently."""
    if deleted:
        return "deleted"
    if primary == ARCHIVED:
        return ARCHIVED
    if pending_review or any(s == REVIEW for s in statuses):
        return REVIEW
    if primary in (PUBLISHED, SCHEDULED):
        return primary
    return DRAFT


def order_languages(languages: Iterable[str], primary: str) -> list[str]:
    """Primary first, then by language code (R-23)."""
    return sorted(set(languages), key=lambda lang: (lang != primary, lang))


def translation_status_summary(
    statuses: Mapping[str, str],
    primary: str,
    page_status: str,
    outdated: Iterable[str] = (),
) -> dict:
    """The DOC `translation_status_summary` (R-50), plus `outdated_translation_languages`."""
    ordered = order_languages(statuses, primary)
    buckets = {s: [] for s in (PUBLISHED, SCHEDULED, DRAFT, REVIEW, BLOCKED)}
    for language in ordered:
        bucket = buckets.get(statuses[language])
        if bucket is not None:
            bucket.append(language)
    values = [statuses[lang] for lang in ordered]
    left_behind = page_status in (PUBLISHED, SCHEDULED, REVIEW)
    outdated_set = set(outdated)
    return {
        **buckets,
        "draft_translation_languages": [
            lang for lang in buckets[DRAFT] if lang != primary and left_behind
        ],
        "all_translations_published": bool(values) and all(v == PUBLISHED for v in values),
        "all_translations_scheduled": bool(values) and all(v == SCHEDULED for v in values),
        "all_translations_public_or_pending": bool(values)
        and all(v in (PUBLISHED, SCHEDULED, REVIEW) for v in values),
        "outdated_translation_languages": [lang for lang in ordered if lang in outdated_set],
    }
