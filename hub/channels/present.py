"""Response shapes of the v1 API: Channel, Article, Media (publicasta-v1-resolved §1.3)."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.channels.schemas import warning
from hub.core.entries.lifecycle import (
    PUBLISHED,
    REVIEW,
    SCHEDULED,
    order_languages,
    translation_status_summary,
)
from hub.core.entries.model import Entry
from hub.core.urls import Urls


def iso(value: datetime | None) -> str | None:
    """UTC, second precision, `+00:00` (R-40)."""
    return None if value is None else value.astimezone(UTC).isoformat(timespec="seconds")


def channel(row, translations, media: tuple[str | None, str | None], *, read_only: bool,
            can_write: bool, urls: Urls) -> dict:  # fmt: skip
    cover, avatar = media
    ordered = sorted(
        translations, key=lambda t: (t["language"] != row.default_language, t["language"])
    )
    return {
        "id": row.id,
        "slug": row.slug,
        "status": row.status,
        "default_language": row.default_language,
        "read_only": read_only,
        "can_write": can_write,
        "url": urls.channel(row.slug, custom_domain=row.custom_domain),
        "cover_url": urls.media_file(cover) if cover else None,
        "avatar_url": urls.media_file(avatar) if avatar else None,
        "translations": [
            {"language": t["language"], "title": t["title"], "description": t["description"]}
            for t in ordered
        ],
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }


def _content(t: dict) -> dict:
    return {
        "title": t["title"],
        "excerpt": t["excerpt"],
        "content_html": t["content_html"],
        "content_markdown": t["body_source"] if t["body_format"] == "markdown" else None,
        "seo_title": t["seo_title"],
        "seo_description": t["seo_description"],
    }


def article(entry: Entry, channel_slug: str, urls: Urls, warnings: list[dict] | None = None,
            *, summary_only: bool = False) -> dict:  # fmt: skip
    row = entry.row
    statuses = entry.statuses()
    outdated = set(entry.outdated())
    warnings = list(warnings or [])
    if row["moderation"] == "blocked":
        reason = row["moderation_reason"]
        warnings.append(
            warning(
                "moderation_blocked",
                "Moderation blocked the last submission" + (f": {reason}" if reason else "."),
                None,
            )
        )
    translations = []
    for language in order_languages(statuses, entry.primary):
        t = entry.translations[language]
        item = {
            "language": language,
            "title": t["title"],
            "excerpt": t["excerpt"],
            "content_html": t["content_html"],
            "status": t["status"],
            "published_at": iso(t["published_at"]),
            "scheduled_at": iso(_translation_schedule(t, row["scheduled_at"])),
            "pending_revision": _revision(entry.pending.get(language)),
            "content_markdown": t["body_source"] if t["body_format"] == "markdown" else None,
            "seo_title": t["seo_title"],
            "seo_description": t["seo_description"],
            "url": urls.entry(channel_slug, row["slug"], language=language, primary=entry.primary),
            "updated_at": iso(t["updated_at"]),
            "outdated": language in outdated,
        }
        if summary_only:
            for key in ("excerpt", "content_html", "content_markdown"):
                item.pop(key)
            item["pending_revision"] = (
                {"status": entry.pending[language]["status"]} if language in entry.pending else None
            )
        translations.append(item)
    return {
        "id": row["id"],
        "project": channel_slug,
        "slug": row["slug"],
        "status": row["status"],
        "scheduled_paused": row["scheduled_paused"],
        "scheduled_pause_reason": row["scheduled_pause_reason"],
        "moderation": row["moderation"],
        "published_at": iso(row["published_at"]),
        "scheduled_at": iso(row["scheduled_at"]),
        "url": urls.entry(channel_slug, row["slug"]),
        "edit_url": urls.absolute(f"dashboard/channels/{row['channel_id']}/pages/{row['id']}/edit"),
        "translation_status_summary": translation_status_summary(
            statuses, entry.primary, row["status"], outdated
        ),
        "warnings": warnings,
        "translations": translations,
        "channel": channel_slug,
        "default_language": entry.primary,
        "tags": entry.tags,
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
        "version": row["version"],
    }


def _translation_schedule(t: dict, scheduled_at: datetime | None) -> datetime | None:
    """The page schedule for translations scheduled, in review with it, or published by it."""
    if scheduled_at is None:
        return None
    if t["status"] in (SCHEDULED, REVIEW):
        return scheduled_at
    if t["status"] == PUBLISHED and t["published_at"] == scheduled_at:
        return scheduled_at
    return None


def _revision(revision: dict | None) -> dict | None:
    if revision is None:
        return None
    return {
        "id": revision["id"],
        "status": revision["status"],
        **_content(revision),
        "submitted_at": iso(revision["submitted_at"]),
    }


def revision_history(rows) -> list[dict]:
    return [
        {
            "id": r["id"],
            "language": r["language"],
            "status": r["status"],
            "title": r["title"],
            "credential_id": r["credential_id"],
            "reason": r["reason"],
            "submitted_at": iso(r["submitted_at"]),
            "decided_at": iso(r["decided_at"]),
        }
        for r in rows
    ]
