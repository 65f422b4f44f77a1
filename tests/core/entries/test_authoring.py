"""Moving an entry through the lifecycle with `move_entry`: publication dates kept through
moderation, schedules set and cleared with the page status, versions stepping once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.core.channels import default_channel
from hub.core.entries import authoring, publishing
from hub.core.entries.model import load_entry
from tests.factories import make_author

NOW = datetime.now(UTC).replace(microsecond=0)
PAST = datetime(2020, 2, 2, 12, 0, tzinfo=UTC)
FUTURE = NOW + timedelta(days=30)


@pytest.fixture
async def channel(db):
    author = await make_author(db, "Ada", plan="premium", channel_slug=None)
    async with db.acquire() as conn:
        return await default_channel(conn, author.author_id)


async def _draft(conn, channel) -> int:
    values = authoring.EntryValues(
        title="", body_format="markdown", body_source="Hi", content_html="<p>Hi</p>", kind="note"
    )
    entry_id, _ = await authoring.create_entry(
        conn, values, channel_id=channel.id, author_id=channel.author_id, language="en",
        slug_text="hi", created_via="micropub", credential_id=None,
    )  # fmt: skip
    return entry_id


async def test_manual_review_keeps_the_requested_date_through_approval(db, channel):
    async with db.acquire() as conn, conn.transaction():
        entry_id = await _draft(conn, channel)
        assert await authoring.move_entry(
            conn, entry_id, "published", PAST, policy="manual", now=NOW
        )
        entry = await load_entry(conn, entry_id)
        assert entry.row["status"] == "moderation_review"
        assert entry.row["moderation"] == "manual_review"
        assert entry.translations["en"]["status"] == "moderation_review"
        assert entry.translations["en"]["published_at"] == PAST
        assert await publishing.approve(conn, entry_id, now=NOW) == "published"
        entry = await load_entry(conn, entry_id)
    assert entry.row["published_at"] == entry.translations["en"]["published_at"] == PAST
    assert entry.row["moderation"] == "approved" and entry.row["version"] == 2


async def test_auto_publish_without_date_is_published_now(db, channel):
    async with db.acquire() as conn, conn.transaction():
        entry_id = await _draft(conn, channel)
        await authoring.move_entry(conn, entry_id, "published", None, policy="auto", now=NOW)
        entry = await load_entry(conn, entry_id)
    assert entry.row["status"] == "published" and entry.row["published_at"] == NOW
    assert entry.row["moderation"] == "approved" and entry.row["version"] == 2


async def test_schedule_then_publish_clears_the_schedule(db, channel):
    async with db.acquire() as conn, conn.transaction():
        entry_id = await _draft(conn, channel)
        await authoring.move_entry(conn, entry_id, "scheduled", FUTURE, policy="auto", now=NOW)
        entry = await load_entry(conn, entry_id)
        assert entry.row["status"] == "scheduled" and entry.row["scheduled_at"] == FUTURE
        assert entry.translations["en"]["published_at"] is None
        staged = await conn.fetchval(
            "SELECT array_agg(DISTINCT job_id) FROM job_outbox"
            " WHERE function = 'publish_due_entries'"
        )
        assert staged == [f"publish_due:{int(FUTURE.timestamp())}"]
        # the schedule moves: stored with the page status, the status stays scheduled
        later = FUTURE + timedelta(days=1)
        assert await authoring.move_entry(
            conn, entry_id, "scheduled", later, policy="auto", now=NOW
        )
        entry = await load_entry(conn, entry_id)
        assert (entry.row["status"], entry.row["scheduled_at"]) == ("scheduled", later)
        await authoring.move_entry(conn, entry_id, "published", PAST, policy="auto", now=NOW)
        entry = await load_entry(conn, entry_id)
    assert entry.row["status"] == "published" and entry.row["scheduled_at"] is None
    assert entry.row["published_at"] == PAST and not entry.row["scheduled_paused"]


async def test_unpublish_and_delete_derive_the_status_again(db, channel):
    async with db.acquire() as conn, conn.transaction():
        entry_id = await _draft(conn, channel)
        await authoring.move_entry(conn, entry_id, "scheduled", FUTURE, policy="auto", now=NOW)
        assert await authoring.move_entry(conn, entry_id, "draft", None, policy="auto", now=NOW)
        entry = await load_entry(conn, entry_id)
        assert (entry.row["status"], entry.row["scheduled_at"]) == ("draft", None)
        version = entry.row["version"]
        assert await authoring.delete_entry(conn, entry_id, NOW)
        entry = await load_entry(conn, entry_id)
        assert (entry.row["status"], entry.row["version"]) == ("deleted", version + 1)
        assert await authoring.restore_entry(conn, entry_id)
        entry = await load_entry(conn, entry_id)
    assert (entry.row["status"], entry.row["version"]) == ("draft", version + 2)
