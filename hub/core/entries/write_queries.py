"""The lifecycle's fused write statements: a new entry with its first translation and tags in
one INSERT; a new entry with its translations already moved through the lifecycle (statuses,
page status, tags and staged jobs) in one INSERT; and the page status derived and stored in
one UPDATE (with the entry columns the same step changes and its version step), so a write
costs one round trip per step.

`PAGE_STATUS_SQL` is `lifecycle.derive_page_status` in SQL; tests/core/entries pins the two to
each other over every combination of inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import asyncpg

from hub.core import queue
from hub.core.entries.queries import CONTENT_FIELDS, ENTRY_COLUMNS, TRANSLATION_COLUMNS
from hub.core.long_texts import STAGED_TEXTS_SQL, are_long, stage_texts
from hub.core.queue import StagedJob

# `e`: the entry; `p`: its primary translation (LEFT JOIN, NULL when missing).
PAGE_STATUS_SQL = """
    CASE
        WHEN e.deleted_at IS NOT NULL THEN 'deleted'
        WHEN p.status = 'archived' THEN 'archived'
        WHEN EXISTS (SELECT 1 FROM entry_translations t
                     WHERE t.entry_id = e.id AND t.status = 'moderation_review')
          OR EXISTS (SELECT 1 FROM entry_revisions r
                     WHERE r.entry_id = e.id AND r.status = 'moderation_review')
            THEN 'moderation_review'
        WHEN p.status IN ('published', 'scheduled') THEN p.status
        ELSE 'draft'
    END
"""


async def store_page_status(
    conn: asyncpg.Connection,
    entry_id: int,
    fields: Mapping[str, object] | None = None,
    *,
    bump: bool = False,
    jobs: list[StagedJob] | None = None,
) -> str | None:
    """Derive the page status and published_at (the primary's) from the translations and
    store them, with `fields` (column names from code, never from input), a version step
    when `bump` (unless `fields` sets the version itself) and the staging of `jobs` (the
    reactions to the change, `hub.core.queue` rules), in one statement. Without fields or
    bump the row is only written when the status or date changed (so `updated_at` stays).
    Returns the derived status (None when the entry does not exist). The derivation reads the
    state before this statement, so `fields` must not name `deleted_at` or
    `default_language`."""
    fields = dict(fields or {})
    assert not {"deleted_at", "default_language", "status", "published_at"} & set(fields)
    sets = "".join(f", {name} = ${i + 2}" for i, name in enumerate(fields))
    if bump and "version" not in fields:  # a version the caller sets wins over the step
        sets += ", version = e.version + 1"
    changed = "true"
    if not fields and not bump:
        changed = "(e.status, e.published_at) IS DISTINCT FROM (d.status, d.published_at)"
    staged, staged_ids, job_params = "", "NULL::bigint[]", []
    if jobs:
        staged = f", staged AS ({queue.outbox_insert_sql(len(fields) + 2)})"
        staged_ids = "ARRAY(SELECT id FROM staged)"
        job_params = queue.outbox_params(jobs)
    row = await conn.fetchrow(
        f"""
        WITH d AS (
            SELECT {PAGE_STATUS_SQL} AS status, p.published_at
            FROM entries e
            LEFT JOIN entry_translations p
                   ON p.entry_id = e.id AND p.language = e.default_language
            WHERE e.id = $1
        ), stored AS (
            UPDATE entries e SET status = d.status, published_at = d.published_at{sets}
            FROM d WHERE e.id = $1 AND {changed}
        ){staged}
        SELECT (SELECT status FROM d) AS status, {staged_ids} AS staged
        """,  # noqa: S608 (column names come from code)
        entry_id,
        *fields.values(),
        *job_params,
    )
    if jobs:
        queue.note_staged(row["staged"], jobs)
    return row["status"]


async def insert_entry_with_content(
    conn: asyncpg.Connection,
    *,
    channel_id: int,
    author_id: int,
    slug: str,
    default_language: str,
    kind: str,
    visibility: str,
    created_via: str,
    credential_id: int | None,
    properties: dict,
    content: Mapping,
    categories: Sequence[str],
) -> int | None:
    """Insert a draft entry, its draft translation in `default_language` and its tags (in
    order; a repeated tag keeps its first place) in one statement; None when the slug was
    taken meanwhile (nothing is written then, and the transaction needs no savepoint)."""
    return await conn.fetchval(
        """
        WITH e AS (
            INSERT INTO entries (channel_id, author_id, slug, default_language, kind,
                                 visibility, created_via, credential_id, properties)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (channel_id, slug) DO NOTHING
            RETURNING id
        ), t AS (
            INSERT INTO entry_translations
                (entry_id, language, title, excerpt, body_format, body_source, content_html,
                 seo_title, seo_description)
            SELECT id, $4, $10, $11, $12, $13, $14, $15, $16 FROM e
        ), c AS (
            INSERT INTO entry_categories (entry_id, name, position)
            SELECT e.id, n.name, n.ord - 1
            FROM e, unnest($17::text[]) WITH ORDINALITY AS n (name, ord)
            ORDER BY n.ord
            ON CONFLICT DO NOTHING
        )
        SELECT id FROM e
        """,
        channel_id, author_id, slug, default_language, kind, visibility, created_via,
        credential_id, properties, *(content[f] for f in CONTENT_FIELDS), list(categories),
    )  # fmt: skip


# The entry columns a new entry is inserted with (the others keep their defaults).
NEW_ENTRY_COLUMNS = (
    "id", "channel_id", "author_id", "slug", "default_language", "status", "kind", "visibility",
    "properties", "published_at", "scheduled_at", "moderation", "version", "created_via",
    "credential_id",
)  # fmt: skip


def _insert_new_entry_sql(*, whole: bool) -> str:
    """`insert_new_entry`'s statement, made once: its text depends only on the columns.
    `whole`: it returns the stored row with its translations and tags; else only the id."""
    columns = ", ".join(NEW_ENTRY_COLUMNS)
    values = ", ".join(f"${i + 1}" for i in range(len(NEW_ENTRY_COLUMNS)))
    n = len(NEW_ENTRY_COLUMNS)
    translations_at = n + 1
    tags_at = n + 2
    staged = queue.outbox_insert_sql(tags_at + 1, only_if="EXISTS (SELECT 1 FROM e)")
    # without `whole`, the translations' and tags' CTEs return nothing: a data-modifying CTE
    # runs whether or not its rows are read
    returned, t_returning, c_returning, result = "id, default_language", "", "", "id,"
    if whole:
        returned = ENTRY_COLUMNS
        t_returning, c_returning = f"RETURNING {TRANSLATION_COLUMNS}", "RETURNING name, position"
        result = f"""{ENTRY_COLUMNS},
               ARRAY(SELECT ROW({_WITHOUT_BODIES}) FROM t) AS _translations,
               ARRAY(SELECT name FROM c ORDER BY position) AS _tags,"""  # noqa: S608 (code)
    return f"""
        WITH e AS (
            INSERT INTO entries ({columns}) OVERRIDING SYSTEM VALUE VALUES ({values})
            ON CONFLICT (channel_id, slug) DO NOTHING
            RETURNING {returned}
        ), t AS (
            INSERT INTO entry_translations
                (entry_id, language, status, published_at, title, excerpt, body_format,
                 body_source, content_html, seo_title, seo_description, source_updated_at)
            SELECT e.id, t.language, t.status, t.published_at, t.title, t.excerpt,
                   t.body_format, t.body_source, t.content_html, t.seo_title,
                   t.seo_description,
                   CASE WHEN t.language = e.default_language THEN NULL ELSE now() END
            FROM e, jsonb_to_recordset(${translations_at}::jsonb)
                    AS t(language text, status text, published_at timestamptz, title text,
                         excerpt text, body_format text, body_source text, content_html text,
                         seo_title text, seo_description text)
            {t_returning}
        ), c AS (
            INSERT INTO entry_categories (entry_id, name, position)
            SELECT e.id, n.name, n.ord - 1
            FROM e, unnest(${tags_at}::text[]) WITH ORDINALITY AS n (name, ord)
            ORDER BY n.ord
            ON CONFLICT DO NOTHING
            {c_returning}
        ), staged AS ({staged})
        SELECT {result}
               ARRAY(SELECT id FROM staged) AS _staged
        FROM e
        """  # noqa: S608 (column names come from code)


async def insert_new_entry(
    conn: asyncpg.Connection,
    row: Mapping[str, object],
    translations: Sequence[Mapping[str, object]],
    tags: Sequence[str],
    jobs: list[StagedJob],
    *,
    whole: bool = True,
) -> dict | None:
    """A new entry in its final state, in one statement: its row (NEW_ENTRY_COLUMNS of `row`,
    the id allocated beforehand by `next_entry_id`), its translations (CONTENT_FIELDS plus
    `language`, `status` and `published_at`; each secondary based on the primary's content as
    of now), its tags (in order; a repeated tag keeps its first place) and the staging of
    `jobs`. Returns the entry row (ENTRY_COLUMNS) with `_translations` (TRANSLATION_COLUMNS
    rows) and `_tags`, or without `whole` only `{"id": ...}` (nothing else is read back,
    for a caller that needs no more: decoding the row was a few per cent of a Micropub
    create); None when the slug was taken meanwhile: nothing is written then.

    The bodies are not read back (the row holds what was sent), and long ones go in slices
    (`hub.core.long_texts`): the entry is inserted with empty bodies, then they are stored,
    in one transaction."""
    bodies = {tr["language"]: (tr["body_source"], tr["content_html"]) for tr in translations}
    long = are_long([text for pair in bodies.values() for text in pair])
    if long:
        if not conn.is_in_transaction():
            async with conn.transaction():
                return await insert_new_entry(conn, row, translations, tags, jobs, whole=whole)
        translations = [{**tr, "body_source": "", "content_html": ""} for tr in translations]
    record = await conn.fetchrow(
        _INSERT_NEW_ENTRY if whole else _INSERT_NEW_ENTRY_ID,
        *(row[c] for c in NEW_ENTRY_COLUMNS),
        [{f: tr[f] for f in _TRANSLATION_FIELDS} for tr in translations],
        list(tags),
        *queue.outbox_params(jobs),
    )
    if record is None:
        return None
    stored = dict(record)
    queue.note_staged(stored.pop("_staged"), jobs)
    if long:
        await store_new_bodies(conn, row["id"], bodies)
    if whole:
        stored["_translations"] = [_with_bodies(t, bodies) for t in stored["_translations"]]
    return stored


_TRANSLATION_NAMES = [c.strip() for c in TRANSLATION_COLUMNS.split(",")]
_SOURCE_AT = _TRANSLATION_NAMES.index("body_source")
_HTML_AT = _TRANSLATION_NAMES.index("content_html")
_LANGUAGE_AT = _TRANSLATION_NAMES.index("language")
# TRANSLATION_COLUMNS with NULL for the bodies (the caller has them)
_WITHOUT_BODIES = ", ".join(
    "NULL::text" if name in ("body_source", "content_html") else name for name in _TRANSLATION_NAMES
)
_INSERT_NEW_ENTRY = _insert_new_entry_sql(whole=True)
_INSERT_NEW_ENTRY_ID = _insert_new_entry_sql(whole=False)
# A new entry's translations go as one JSON document (`jsonb_to_recordset`), not as ten
# arrays: asyncpg checks every array and element it encodes against the collection ABCs
# (about 90 isinstance calls a create).
_TRANSLATION_FIELDS = ("language", "status", "published_at", *CONTENT_FIELDS)


def _with_bodies(values: Sequence, bodies: Mapping[str, tuple[str, str]]) -> tuple:
    out = list(values)
    out[_SOURCE_AT], out[_HTML_AT] = bodies[out[_LANGUAGE_AT]]
    return tuple(out)


# An id for an entry about to be inserted, as an SQL expression (for a statement that reads
# something else too, such as the token's: `hub.micropub.service`).
NEXT_ENTRY_ID = "nextval(pg_get_serial_sequence('entries', 'id'))"


async def next_entry_id(conn: asyncpg.Connection) -> int:
    """An id for an entry about to be inserted with `insert_new_entry`."""
    return await conn.fetchval(f"SELECT {NEXT_ENTRY_ID}")


async def store_new_bodies(
    conn: asyncpg.Connection, entry_id: int, bodies: Mapping[str, tuple[str, str]]
) -> None:
    """Replace the bodies (language -> (source, HTML)) of translations the caller's
    transaction inserted (a new entry's, its draft media URLs rewritten), in one statement
    (long bodies staged in slices first, `hub.core.long_texts`)."""
    texts = [text for pair in bodies.values() for text in pair]
    if are_long(texts):
        await stage_texts(conn, texts)
        await conn.execute(
            f"""
            WITH {STAGED_TEXTS_SQL}
            UPDATE entry_translations t SET body_source = source.text, content_html = html.text
            FROM unnest($2::text[]) WITH ORDINALITY AS b(language, n)
            JOIN texts AS source ON source.text_id = 2 * (b.n - 1)
            JOIN texts AS html ON html.text_id = 2 * (b.n - 1) + 1
            WHERE t.entry_id = $1 AND t.language = b.language
            """,  # noqa: S608 (no input in the SQL)
            entry_id,
            list(bodies),
        )
        return
    await conn.execute(
        """
        UPDATE entry_translations t SET body_source = b.source, content_html = b.html
        FROM unnest($2::text[], $3::text[], $4::text[]) AS b(language, source, html)
        WHERE t.entry_id = $1 AND t.language = b.language
        """,
        entry_id,
        list(bodies),
        [source for source, _ in bodies.values()],
        [html for _, html in bodies.values()],
    )
