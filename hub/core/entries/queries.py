"""SQL over `entries` and the tables that hang off it."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg


async def taken_entry_slugs(
    conn: asyncpg.Connection, channel_id: int, base: str, separator: str
) -> set[str]:
    """Slugs of the channel equal to `base` or starting with `base` + separator (deleted
    entries included: their slugs stay reserved)."""
    rows = await conn.fetch(
        """
        SELECT slug FROM entries
        WHERE channel_id = $1 AND (slug = $2 OR starts_with(slug, $2 || $3))
        """,
        channel_id,
        base,
        separator,
    )
    return {r["slug"] for r in rows}


ENTRY_COLUMNS = (
    "id, channel_id, author_id, slug, default_language, status, kind, visibility, properties,"
    " published_at,"
    " scheduled_at, scheduled_paused, scheduled_pause_reason, moderation, moderation_reason,"
    " version, created_via, credential_id, deleted_at, created_at, updated_at"
)
TRANSLATION_COLUMNS = (
    "id, language, status, title, excerpt, body_format, body_source, content_html, seo_title,"
    " seo_description, published_at, content_updated_at, source_updated_at, created_at,"
    " updated_at"
)
REVISION_COLUMNS = (
    "id, language, status, title, excerpt, body_format, body_source, content_html, seo_title,"
    " seo_description, credential_id, reason, submitted_at, decided_at"
)
CONTENT_FIELDS = (
    "title", "excerpt", "body_format", "body_source", "content_html", "seo_title",
    "seo_description",
)  # fmt: skip


async def select_entry(
    conn: asyncpg.Connection, entry_id: int, *, lock: bool = False
) -> asyncpg.Record | None:
    suffix = " FOR UPDATE" if lock else ""
    return await conn.fetchrow(
        f"SELECT {ENTRY_COLUMNS} FROM entries WHERE id = $1{suffix}", entry_id
    )


async def select_entry_by_slug(
    conn: asyncpg.Connection, channel_id: int, slug: str, *, lock: bool = False
) -> asyncpg.Record | None:
    suffix = " FOR UPDATE" if lock else ""
    return await conn.fetchrow(
        f"SELECT {ENTRY_COLUMNS} FROM entries WHERE channel_id = $1 AND slug = $2{suffix}",
        channel_id,
        slug,
    )


async def select_translations(conn: asyncpg.Connection, entry_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {TRANSLATION_COLUMNS} FROM entry_translations WHERE entry_id = $1", entry_id
    )


async def select_pending_revisions(conn: asyncpg.Connection, entry_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""
        SELECT {REVISION_COLUMNS} FROM entry_revisions
        WHERE entry_id = $1 AND status IN ('moderation_review', 'moderation_blocked')
        """,
        entry_id,
    )


async def select_revisions(conn: asyncpg.Connection, entry_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {REVISION_COLUMNS} FROM entry_revisions WHERE entry_id = $1"
        " ORDER BY submitted_at DESC, id DESC",
        entry_id,
    )


async def select_categories(conn: asyncpg.Connection, entry_id: int) -> list[str]:
    rows = await conn.fetch(
        "SELECT name FROM entry_categories WHERE entry_id = $1 ORDER BY position, key", entry_id
    )
    return [r["name"] for r in rows]


async def replace_categories(conn: asyncpg.Connection, entry_id: int, names: list[str]) -> None:
    await conn.execute("DELETE FROM entry_categories WHERE entry_id = $1", entry_id)
    await insert_categories(conn, entry_id, names)


async def insert_categories(conn: asyncpg.Connection, entry_id: int, names: list[str]) -> None:
    """Tags of an entry that has none yet (a new one)."""
    if not names:
        return
    await conn.executemany(
        "INSERT INTO entry_categories (entry_id, name, position) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING",
        [(entry_id, name, i) for i, name in enumerate(names)],
    )


async def update_entry_fields(
    conn: asyncpg.Connection, entry_id: int, *, bump: bool = False, **fields: object
) -> None:
    """UPDATE entries SET the named columns (names come from code, never from input), with
    a version step when `bump`."""
    names = list(fields)
    sets = ", ".join(
        [f"{name} = ${i + 2}" for i, name in enumerate(names)] + ["version = version + 1"] * bump
    )
    await conn.execute(
        f"UPDATE entries SET {sets} WHERE id = $1", entry_id, *(fields[n] for n in names)
    )


async def bump_version(conn: asyncpg.Connection, entry_id: int) -> None:
    await conn.execute("UPDATE entries SET version = version + 1 WHERE id = $1", entry_id)


async def insert_translation(
    conn: asyncpg.Connection, entry_id: int, language: str, content: dict, source_updated_at
) -> None:
    await conn.execute(
        """
        INSERT INTO entry_translations
            (entry_id, language, title, excerpt, body_format, body_source, content_html,
             seo_title, seo_description, source_updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        """,
        entry_id, language, *(content[f] for f in CONTENT_FIELDS), source_updated_at,
    )  # fmt: skip


async def update_translation_content(
    conn: asyncpg.Connection,
    entry_id: int,
    language: str,
    content: dict,
    source_updated_at,
    credential_id: int | None,
) -> None:
    """Change a translation's content in place and keep the change as an applied revision
    (history of drafts and scheduled content), in one statement."""
    await conn.execute(
        """
        WITH changed AS (
            UPDATE entry_translations
            SET title = $3, excerpt = $4, body_format = $5, body_source = $6, content_html = $7,
                seo_title = $8, seo_description = $9, content_updated_at = now(),
                source_updated_at = $10
            WHERE entry_id = $1 AND language = $2
        )
        INSERT INTO entry_revisions
            (entry_id, language, status, title, excerpt, body_format, body_source, content_html,
             seo_title, seo_description, credential_id, decided_at)
        VALUES ($1, $2, 'applied', $3, $4, $5, $6, $7, $8, $9, $11, now())
        """,
        entry_id, language, *(content[f] for f in CONTENT_FIELDS), source_updated_at,
        credential_id,
    )  # fmt: skip


async def set_translation_status(
    conn: asyncpg.Connection,
    entry_id: int,
    languages: list[str],
    status: str,
    dated: str | None = None,
    published_at=None,
) -> None:
    """Set the status of `languages`; the `dated` one (one of them) also gets `published_at`."""
    await conn.execute(
        """
        UPDATE entry_translations
        SET status = $3,
            published_at = CASE WHEN language = $4::text THEN $5::timestamptz
                                ELSE published_at END
        WHERE entry_id = $1 AND language = ANY($2)
        """,
        entry_id,
        languages,
        status,
        dated,
        published_at,
    )


async def set_all_translation_status(conn: asyncpg.Connection, entry_id: int, status: str) -> None:
    await conn.execute(
        "UPDATE entry_translations SET status = $2 WHERE entry_id = $1", entry_id, status
    )


async def delete_translation(conn: asyncpg.Connection, entry_id: int, language: str) -> None:
    await conn.execute(
        "DELETE FROM entry_translations WHERE entry_id = $1 AND language = $2", entry_id, language
    )


async def upsert_pending_revision(
    conn: asyncpg.Connection,
    entry_id: int,
    language: str,
    content: dict,
    credential_id: int | None,
    source_updated_at,
) -> None:
    """The one pending revision of (entry, language): a newer edit replaces it (I5). The
    translation records the primary clock the edit was based on (`source_updated_at`), in the
    same statement."""
    await conn.execute(
        """
        WITH touched AS (
            UPDATE entry_translations SET source_updated_at = $11
            WHERE entry_id = $1 AND language = $2
        )
        INSERT INTO entry_revisions
            (entry_id, language, status, title, excerpt, body_format, body_source, content_html,
             seo_title, seo_description, credential_id)
        VALUES ($1, $2, 'moderation_review', $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (entry_id, language) WHERE status IN ('moderation_review', 'moderation_blocked')
        DO UPDATE SET status = 'moderation_review', title = $3, excerpt = $4, body_format = $5,
            body_source = $6, content_html = $7, seo_title = $8, seo_description = $9,
            credential_id = $10, reason = NULL, submitted_at = now()
        """,
        entry_id, language, *(content[f] for f in CONTENT_FIELDS), credential_id,
        source_updated_at,
    )  # fmt: skip


async def discard_pending_revisions(
    conn: asyncpg.Connection, entry_id: int, languages: list[str] | None = None
) -> None:
    await conn.execute(
        """
        UPDATE entry_revisions SET status = 'discarded', decided_at = now()
        WHERE entry_id = $1 AND status IN ('moderation_review', 'moderation_blocked')
          AND ($2::text[] IS NULL OR language = ANY($2))
        """,
        entry_id,
        languages,
    )


async def approve_translations(
    conn: asyncpg.Connection,
    entry_id: int,
    target: str,
    now,
    requested: Sequence[str] = (),
    dated: str | None = None,
    published_at=None,
) -> list[str]:
    """Move the translations in review, and the `requested` ones (a publishing request
    approved at once: review and approval in one step), to `target`; a translation that
    goes public keeps its publication date, else gets `now`. The `dated` one (requested)
    first gets `published_at` as its publication date."""
    rows = await conn.fetch(
        """
        UPDATE entry_translations
        SET status = $2,
            published_at = CASE
                WHEN language = $5::text THEN
                    CASE WHEN $2 = 'published' THEN coalesce($6::timestamptz, $3) ELSE $6 END
                WHEN $2 = 'published' THEN coalesce(published_at, $3)
                ELSE published_at END
        WHERE entry_id = $1 AND (status = 'moderation_review' OR language = ANY($4::text[]))
        RETURNING language
        """,
        entry_id,
        target,
        now,
        list(requested),
        dated,
        published_at,
    )
    return [r["language"] for r in rows]


async def apply_pending_revisions(conn: asyncpg.Connection, entry_id: int) -> list[str]:
    """Copy each revision waiting for review into its translation and mark it applied."""
    rows = await conn.fetch(
        """
        WITH applied AS (
            UPDATE entry_revisions SET status = 'applied', decided_at = now()
            WHERE entry_id = $1 AND status = 'moderation_review'
            RETURNING language, title, excerpt, body_format, body_source, content_html,
                      seo_title, seo_description
        )
        UPDATE entry_translations t
        SET title = a.title, excerpt = a.excerpt, body_format = a.body_format,
            body_source = a.body_source, content_html = a.content_html,
            seo_title = a.seo_title, seo_description = a.seo_description,
            content_updated_at = now()
        FROM applied a
        WHERE t.entry_id = $1 AND t.language = a.language
        RETURNING t.language
        """,
        entry_id,
    )
    return [r["language"] for r in rows]


async def block_pending(conn: asyncpg.Connection, entry_id: int, reason: str | None) -> int:
    translations = await conn.execute(
        "UPDATE entry_translations SET status = 'moderation_blocked'"
        " WHERE entry_id = $1 AND status = 'moderation_review'",
        entry_id,
    )
    revisions = await conn.execute(
        """
        UPDATE entry_revisions SET status = 'moderation_blocked', reason = $2, decided_at = now()
        WHERE entry_id = $1 AND status = 'moderation_review'
        """,
        entry_id,
        reason,
    )
    return int(translations.split()[-1]) + int(revisions.split()[-1])


async def publish_scheduled_translations(conn: asyncpg.Connection, entry_id: int, at) -> None:
    await conn.execute(
        """
        UPDATE entry_translations
        SET status = 'published', published_at = coalesce(published_at, $2)
        WHERE entry_id = $1 AND status = 'scheduled'
        """,
        entry_id,
        at,
    )


async def claim_due_entries(conn: asyncpg.Connection, now, limit: int) -> list[asyncpg.Record]:
    """Entries whose primary is scheduled at or before `now`, locked; rows another worker
    holds are skipped (FOR UPDATE SKIP LOCKED), so no entry is published twice."""
    return await conn.fetch(
        """
        SELECT e.id, e.author_id, e.scheduled_at, a.plan, a.is_owner
        FROM entries e JOIN authors a ON a.id = e.author_id
        WHERE e.scheduled_at <= $1 AND NOT e.scheduled_paused AND e.deleted_at IS NULL
          AND EXISTS (SELECT 1 FROM entry_translations t WHERE t.entry_id = e.id
                      AND t.language = e.default_language AND t.status = 'scheduled')
        ORDER BY e.scheduled_at, e.id
        LIMIT $2
        FOR UPDATE OF e SKIP LOCKED
        """,
        now,
        limit,
    )


async def pause_scheduled(conn: asyncpg.Connection, author_id: int, now, reason: str) -> list[int]:
    """Pause the author's future schedules (a version step each); returns their ids."""
    rows = await conn.fetch(
        """
        UPDATE entries SET scheduled_paused = true, scheduled_pause_reason = $3,
            version = version + 1
        WHERE author_id = $1 AND scheduled_at > $2 AND NOT scheduled_paused
          AND status IN ('scheduled', 'moderation_review')
        RETURNING id
        """,
        author_id,
        now,
        reason,
    )
    return [r["id"] for r in rows]


async def unpause_scheduled(conn: asyncpg.Connection, author_id: int, now, reason: str) -> list:
    """Resume the author's paused schedules still in the future (a version step each)."""
    return await conn.fetch(
        """
        UPDATE entries SET scheduled_paused = false, scheduled_pause_reason = NULL,
            version = version + 1
        WHERE author_id = $1 AND scheduled_paused AND scheduled_pause_reason = $3
          AND scheduled_at > $2
        RETURNING id, scheduled_at
        """,
        author_id,
        now,
        reason,
    )


async def author_moderation(conn: asyncpg.Connection, author_id: int) -> str | None:
    return await conn.fetchval("SELECT moderation FROM authors WHERE id = $1", author_id)


async def author_plan(conn: asyncpg.Connection, author_id: int) -> str:
    return await conn.fetchval("SELECT plan FROM authors WHERE id = $1", author_id)


# -- listing, batches and purging (v1 page list, DELETE) ----------------------------------------


async def list_channel_entry_ids(
    conn: asyncpg.Connection,
    channel_id: int,
    *,
    status: str | None,
    language: str | None,
    title_pattern: str | None,
    updated_since,
    after: tuple | None,
    descending: bool,
    limit: int,
) -> list[asyncpg.Record]:
    """A keyset page of the channel's live entries on (updated_at, id): `after` is the
    (updated_at, id) of the last row of the previous page. `title_pattern` is an ILIKE
    pattern (escaped by the caller) matched against the slug and every translation title."""
    after_at, after_id = after if after is not None else (None, None)
    order = "DESC" if descending else "ASC"
    compare = "<" if descending else ">"
    return await conn.fetch(
        f"""
        SELECT e.id, e.updated_at FROM entries e
        WHERE e.channel_id = $1 AND e.deleted_at IS NULL
          AND ($2::text IS NULL OR e.status = $2)
          AND ($3::text IS NULL OR EXISTS (
              SELECT 1 FROM entry_translations t WHERE t.entry_id = e.id AND t.language = $3))
          AND ($4::text IS NULL OR e.slug ILIKE $4 OR EXISTS (
              SELECT 1 FROM entry_translations t WHERE t.entry_id = e.id AND t.title ILIKE $4))
          AND ($5::timestamptz IS NULL OR e.updated_at >= $5)
          AND ($6::timestamptz IS NULL OR (e.updated_at, e.id) {compare} ($6, $7::bigint))
        ORDER BY e.updated_at {order}, e.id {order}
        LIMIT $8
        """,
        channel_id, status, language, title_pattern, updated_since, after_at, after_id, limit,
    )  # fmt: skip


async def purge_entry(conn: asyncpg.Connection, entry_id: int) -> None:
    """Remove a soft-deleted entry for good (its translations, revisions and attachments go
    with it); its slug becomes free."""
    await conn.execute("DELETE FROM entries WHERE id = $1 AND deleted_at IS NOT NULL", entry_id)


async def purge_deleted_entries(conn: asyncpg.Connection, before, limit: int) -> list[int]:
    rows = await conn.fetch(
        """
        DELETE FROM entries WHERE id IN (
            SELECT id FROM entries WHERE deleted_at < $1 ORDER BY deleted_at LIMIT $2
            FOR UPDATE SKIP LOCKED
        )
        RETURNING id
        """,
        before,
        limit,
    )
    return [r["id"] for r in rows]


async def set_version(conn: asyncpg.Connection, entry_id: int, version: int) -> None:
    """The version a request that changed something leaves (one step past what it saw,
    however many steps the core took)."""
    await conn.execute(
        "UPDATE entries SET version = $2 WHERE id = $1 AND version <> $2", entry_id, version
    )


async def cap_version(conn: asyncpg.Connection, entry_id: int, highest: int) -> None:
    """Fold several version steps taken by one request into one (a create stays at 1)."""
    await conn.execute(
        "UPDATE entries SET version = $2 WHERE id = $1 AND version > $2", entry_id, highest
    )


def full_entry_sql(where: str, lock: bool = False) -> str:
    """One statement for an entry with its translations, waiting revisions and tags (arrays
    of anonymous rows, in TRANSLATION_COLUMNS / REVISION_COLUMNS order)."""
    return f"""
        SELECT {ENTRY_COLUMNS},
            ARRAY(SELECT ROW({TRANSLATION_COLUMNS}) FROM entry_translations
                  WHERE entry_id = e.id) AS _translations,
            ARRAY(SELECT ROW({REVISION_COLUMNS}) FROM entry_revisions
                  WHERE entry_id = e.id
                    AND status IN ('moderation_review', 'moderation_blocked')) AS _pending,
            ARRAY(SELECT name FROM entry_categories WHERE entry_id = e.id
                  ORDER BY position, key) AS _tags
        FROM entries e WHERE {where}{" FOR UPDATE OF e" if lock else ""}
    """


async def select_full_entry(
    conn: asyncpg.Connection, entry_id: int, *, lock: bool = False
) -> asyncpg.Record | None:
    return await conn.fetchrow(full_entry_sql("e.id = $1", lock), entry_id)


async def select_full_entries(conn: asyncpg.Connection, ids: list[int]) -> list[asyncpg.Record]:
    return await conn.fetch(full_entry_sql("e.id = ANY($1)", False), ids)


async def select_full_entry_by_slug(
    conn: asyncpg.Connection, channel_id: int, slug: str, *, lock: bool = False
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        full_entry_sql("e.channel_id = $1 AND e.slug = $2", lock), channel_id, slug
    )
