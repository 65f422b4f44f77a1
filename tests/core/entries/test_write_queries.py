"""The fused write statements: the page status derived in SQL agrees with the Python rule over
every combination of inputs, a refresh that changes nothing leaves the row alone, a new entry
with its translation and tags is one INSERT, and a new entry inserted in its final state is
what the step-by-step lifecycle stores."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from hub.core.channels import default_channel
from hub.core.entries import authoring, publishing, queries, write_queries
from hub.core.entries.lifecycle import (
    DRAFT,
    PUBLISHED,
    SCHEDULED,
    TRANSLATION_STATUSES,
    derive_page_status,
)
from hub.core.entries.model import load_entry, new_entry
from tests.factories import make_author

SCHEDULE = datetime(2999, 1, 1, tzinfo=UTC)
PUBLISHED_AT = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.fixture
async def channel(db):
    author = await make_author(db, "Ada", channel_slug=None)
    async with db.acquire() as conn:
        return await default_channel(conn, author.author_id)


async def _entry(conn, channel, slug: str) -> int:
    return await conn.fetchval(
        "INSERT INTO entries (channel_id, author_id, slug, default_language, created_via,"
        " scheduled_at) VALUES ($1, $2, $3, 'en', 'cli', $4) RETURNING id",
        channel.id, channel.author_id, slug, SCHEDULE,
    )  # fmt: skip


async def test_sql_page_status_matches_derive_page_status(db, channel):
    """Every primary status (or none), a secondary in every status (or none), a revision in
    review, blocked or none, deleted or not: the stored status is the rule's."""
    secondaries = (None, *TRANSLATION_STATUSES)
    revisions = (None, "moderation_review", "moderation_blocked")
    checked = 0
    async with db.acquire() as conn:
        entry_id = await _entry(conn, channel, "matrix")
        for primary, secondary, revision, deleted in itertools.product(
            (None, *TRANSLATION_STATUSES), secondaries, revisions, (False, True)
        ):
            async with conn.transaction():
                for language, status in (("en", primary), ("ru", secondary)):
                    if status is not None:
                        await conn.execute(
                            "INSERT INTO entry_translations (entry_id, language, status,"
                            " published_at) VALUES ($1, $2, $3, $4)",
                            entry_id, language, status, PUBLISHED_AT,
                        )  # fmt: skip
                if revision is not None:
                    await conn.execute(
                        "INSERT INTO entry_revisions (entry_id, language, status)"
                        " VALUES ($1, 'en', $2)",
                        entry_id,
                        revision,
                    )
                if deleted:
                    await conn.execute(
                        "UPDATE entries SET deleted_at = now() WHERE id = $1", entry_id
                    )
                stored = await write_queries.store_page_status(conn, entry_id)
                row = await conn.fetchrow(
                    "SELECT status, published_at FROM entries WHERE id = $1", entry_id
                )
                statuses = [s for s in (primary, secondary) if s is not None]
                expected = derive_page_status(
                    primary or "draft",
                    statuses,
                    pending_review=revision == "moderation_review",
                    deleted=deleted,
                )
                assert stored == row["status"] == expected, (primary, secondary, revision)
                assert row["published_at"] == (PUBLISHED_AT if primary else None)
                checked += 1
                # undo this combination (the savepoint cannot: the row must stay for the next)
                await conn.execute("DELETE FROM entry_translations WHERE entry_id = $1", entry_id)
                await conn.execute("DELETE FROM entry_revisions WHERE entry_id = $1", entry_id)
                await conn.execute(
                    "UPDATE entries SET deleted_at = NULL, status = 'draft' WHERE id = $1",
                    entry_id,
                )
    assert checked == 7 * 7 * 3 * 2


async def test_unchanged_status_leaves_the_row_alone(db, channel):
    async with db.acquire() as conn:
        entry_id = await _entry(conn, channel, "still")
        await conn.execute(
            "INSERT INTO entry_translations (entry_id, language) VALUES ($1, 'en')", entry_id
        )
        before = await conn.fetchval("SELECT updated_at FROM entries WHERE id = $1", entry_id)
        # each statement commits on its own: a write would move updated_at to a later now()
        assert await write_queries.store_page_status(conn, entry_id) == "draft"
        row = await conn.fetchrow("SELECT updated_at, version FROM entries WHERE id = $1", entry_id)
        assert row["updated_at"] == before and row["version"] == 1
        await write_queries.store_page_status(conn, entry_id, {"moderation": "approved"}, bump=True)
        row = await conn.fetchrow(
            "SELECT updated_at, version, moderation FROM entries WHERE id = $1", entry_id
        )
        assert row["updated_at"] > before
        assert (row["version"], row["moderation"]) == (2, "approved")


async def test_create_entry_stores_translation_and_tags_in_order(db, channel):
    values = authoring.EntryValues(
        title="Hello",
        body_format="markdown",
        body_source="Hi *there*",
        content_html="<p>Hi <em>there</em></p>",
        kind="note",
        categories=["Zeta", "alpha", "ZETA", "beta"],
        properties={"content": ["Hi *there*"]},
    )
    async with db.acquire() as conn:
        first = await authoring.create_entry(
            conn, values, channel_id=channel.id, author_id=channel.author_id, language="en",
            slug_text="Hello", created_via="micropub", credential_id=None,
        )  # fmt: skip
        second = await authoring.create_entry(
            conn, values, channel_id=channel.id, author_id=channel.author_id, language="en",
            slug_text="Hello", created_via="micropub", credential_id=None,
        )  # fmt: skip
        entry = await load_entry(conn, first[0])
    assert first[1] == "hello" and second[1] == "hello-2"
    assert entry.tags == ["Zeta", "alpha", "beta"]  # a repeated tag keeps its first place
    assert entry.row["status"] == "draft" and entry.row["properties"] == values.properties
    en = entry.translations["en"]
    assert en["status"] == "draft" and en["content_html"] == "<p>Hi <em>there</em></p>"
    assert en["source_updated_at"] is None and list(entry.translations) == ["en"]


NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
DATED = ("en", datetime(2026, 4, 1, 9, tzinfo=UTC))  # a publication date the client gave
ENTRY_FIELDS = ("status", "published_at", "scheduled_at", "moderation", "version")


def _content(title: str) -> dict:
    return {"title": title, "excerpt": None, "body_format": "markdown", "body_source": title,
            "content_html": f"<p>{title}</p>", "seo_title": None,
            "seo_description": None}  # fmt: skip


async def _staged(conn, entry_id: int) -> set[tuple[str, object]]:
    rows = await conn.fetch("SELECT function, defer_until, args FROM job_outbox")
    return {(r["function"], r["defer_until"] if r["function"] == "publish_due_entries"
             else None) for r in rows if r["args"] in ([], [entry_id])}  # fmt: skip


async def test_inserted_entry_is_where_the_lifecycle_takes_it(db, channel):
    """`publishing.insert_entry` (and `insert_entry_id`, which reads back only the id) stores
    in one statement what saving draft translations and then requesting their statuses
    stores, for every target of the primary and a secondary, both moderation policies, with
    and without a schedule, with and without a publication date given for the primary
    (Micropub's `published`): the entry's status, publication date, schedule, moderation and
    version, each translation's status and date, the tags and the staged jobs."""
    targets_of = (None, DRAFT, PUBLISHED, SCHEDULED)
    contents = {"en": _content("Hello"), "ru": _content("Привет")}
    checked = 0
    async with db.acquire() as conn:
        for n, (en, ru, policy, date) in enumerate(
            itertools.product(targets_of, targets_of, ("auto", "manual"), (None, DATED))
        ):
            targets = {lang: t for lang, t in (("en", en), ("ru", ru)) if t is not None}
            schedule = SCHEDULE if SCHEDULED in targets.values() else None
            async with conn.transaction():
                fused = new_entry(
                    await write_queries.next_entry_id(conn), channel_id=channel.id,
                    author_id=channel.author_id, slug=f"fused-{n}", default_language="en",
                    kind="article", created_via="v1", credential_id=None, properties={},
                    now=NOW,
                )  # fmt: skip
                stored = await publishing.insert_entry(
                    conn, fused, contents, targets, policy=policy, now=NOW, schedule=schedule,
                    tags=["b", "A", "a"], date=date,
                )  # fmt: skip
                assert stored is not None
                fused_jobs = await _staged(conn, stored.id)
                lean = new_entry(
                    await write_queries.next_entry_id(conn), channel_id=channel.id,
                    author_id=channel.author_id, slug=f"lean-{n}", default_language="en",
                    kind="article", created_via="v1", credential_id=None, properties={},
                    now=NOW,
                )  # fmt: skip
                lean_id = await publishing.insert_entry_id(  # the same, reading back the id
                    conn, lean, contents, targets, policy=policy, now=NOW, schedule=schedule,
                    tags=["b", "A", "a"], date=date,
                )  # fmt: skip
                assert lean_id == lean.id
                lean_jobs = await _staged(conn, lean_id)
                stepwise_id = await _stepwise(
                    conn, channel, n, contents, targets, policy, schedule, date
                )
                stepwise = await load_entry(conn, stepwise_id)
                stepwise_jobs = await _staged(conn, stepwise_id)
                reread = await load_entry(conn, stored.id)
                case = (en, ru, policy, date)
                for entry in (stored, reread, await load_entry(conn, lean_id)):
                    for name in ENTRY_FIELDS:
                        assert entry.row[name] == stepwise.row[name], (case, name)
                    assert entry.statuses() == stepwise.statuses(), case
                    for lang in contents:
                        got, want = entry.translations[lang], stepwise.translations[lang]
                        assert got["published_at"] == want["published_at"], (case, lang)
                        assert got["content_html"] == want["content_html"]
                    assert entry.tags == ["b", "A"]
                assert fused_jobs == stepwise_jobs == lean_jobs and fused_jobs, case
                checked += 1
            await conn.execute("DELETE FROM job_outbox")  # each case compares its own jobs
    assert checked == 4 * 4 * 2 * 2


async def _stepwise(conn, channel, n, contents, targets, policy, schedule, date) -> int:
    """The step-by-step path: a draft entry, its translations saved as drafts, the schedule,
    the publishing requests."""
    entry_id = await conn.fetchval(
        "INSERT INTO entries (channel_id, author_id, slug, default_language, created_via)"
        " VALUES ($1, $2, $3, 'en', 'v1') RETURNING id",
        channel.id, channel.author_id, f"stepwise-{n}",
    )  # fmt: skip
    for language in contents:  # primary first, as an update saves them
        entry = await load_entry(conn, entry_id)
        await publishing.save_content(conn, entry, language, contents[language], credential_id=None)
    await queries.insert_categories(conn, entry_id, ["b", "A"])
    if schedule is not None:
        await queries.update_entry_fields(conn, entry_id, scheduled_at=schedule)
        await publishing.schedule_publication(conn, entry_id, schedule)
    entry = await load_entry(conn, entry_id, lock=True)
    await publishing.request_entry_statuses(conn, entry, targets, policy=policy, now=NOW, date=date)
    await queries.cap_version(conn, entry_id, 1)
    return entry_id
