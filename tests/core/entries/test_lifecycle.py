"""The pure lifecycle rules: page status derivation, primary first, the status summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.core.entries.lifecycle import (
    approval_target,
    derive_page_status,
    primary_first_violations,
    translation_status_summary,
)

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def test_derive_page_status():
    assert (
        derive_page_status("published", ["published", "draft"], pending_review=False) == "published"
    )
    assert (
        derive_page_status("published", ["published"], pending_review=True) == "moderation_review"
    )
    assert (
        derive_page_status("draft", ["draft", "moderation_review"], pending_review=False)
        == "moderation_review"
    )
    assert (
        derive_page_status("moderation_blocked", ["moderation_blocked"], pending_review=False)
        == "draft"
    )
    assert derive_page_status("scheduled", ["scheduled"], pending_review=False) == "scheduled"
    assert derive_page_status("archived", ["archived"], pending_review=False) == "archived"


def test_primary_first():
    assert primary_first_violations("draft", {"en": "draft", "ru": "published"}, "en") == ["ru"]
    assert primary_first_violations("published", {"en": "published", "ru": "scheduled"}, "en") == [
        "ru"
    ]
    assert primary_first_violations("scheduled", {"en": "scheduled", "ru": "scheduled"}, "en") == []
    assert primary_first_violations("published", {"en": "published", "ru": "draft"}, "en") == []
    assert primary_first_violations("draft", {"en": "draft", "ru": "moderation_review"}, "en") == [
        "ru"
    ]


def test_approval_target():
    assert approval_target(None, NOW) == "published"
    assert approval_target(NOW + timedelta(hours=1), NOW) == "scheduled"
    assert approval_target(NOW - timedelta(hours=1), NOW) == "published"


def test_summary():
    summary = translation_status_summary(
        {"ru": "draft", "en": "published", "de": "moderation_blocked"}, "en", "published", ["ru"]
    )
    assert summary["published"] == ["en"] and summary["draft"] == ["ru"]
    assert summary["moderation_blocked"] == ["de"]
    assert summary["draft_translation_languages"] == ["ru"]
    assert summary["all_translations_public_or_pending"] is False
    assert summary["outdated_translation_languages"] == ["ru"]
    draft = translation_status_summary({"en": "draft", "ru": "draft"}, "en", "draft")
    assert draft["draft_translation_languages"] == []
