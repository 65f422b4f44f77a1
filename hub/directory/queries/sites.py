"""Sites: reads for the API (with the caller's flags), search, writes from the poller."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from hub.directory.queries.tiers import choose_tiers, rest_condition, tier_condition
from hub.directory.search.sql import ORDERINGS, Compiled, Expansion, text_tsquery


def site_select(author: str) -> str:
    """Columns of a Site; `author` is the placeholder (e.g. `$3`) of the caller's author id,
    NULL for anonymous callers. Only code-chosen placeholders are interpolated."""
    return f"""
SELECT s.id, s.link, s.title, s.description, s.type, s.total_recommendations, s.icon,
       s.language, s.created_at, s.last_post_at,
       mf.id AS main_feed_id, mf.feed_url AS main_feed_url, mf.title AS main_feed_title,
       mf.format AS main_feed_format,
       ARRAY(SELECT t.name FROM site_tags t WHERE t.site_id = s.id
             ORDER BY t.uses DESC, t.name LIMIT 10) AS tags,
       ({author}::bigint IS NOT NULL AND EXISTS (
            SELECT 1 FROM site_recommendations r
            WHERE r.site_id = s.id AND r.author_id = {author}::bigint)) AS is_recommended,
       ({author}::bigint IS NOT NULL AND EXISTS (
            SELECT 1 FROM subscriptions sub JOIN feeds sf ON sf.id = sub.feed_id
            WHERE sf.site_id = s.id AND sub.author_id = {author}::bigint)) AS is_subscribed
"""


_FROM = "FROM sites s LEFT JOIN feeds mf ON mf.site_id = s.id AND mf.is_main"


async def get_site(conn: asyncpg.Connection, site_id: UUID, author_id: int | None):
    return await conn.fetchrow(
        site_select("$2") + _FROM + " WHERE s.id = $1 AND s.hidden_at IS NULL",
        site_id,
        author_id,
    )


async def list_sites(
    conn: asyncpg.Connection,
    *,
    types: list[str] | None,
    tag: str | None,
    ordering: str,
    author_id: int | None,
    limit: int,
    offset: int,
) -> tuple[int, list[asyncpg.Record]]:
    where = """
WHERE s.hidden_at IS NULL AND ($1::text[] IS NULL OR s.type = ANY($1::text[]))
  AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM site_tags st
                                   WHERE st.site_id = s.id AND st.name = $2))
"""
    total = await conn.fetchval("SELECT count(*) FROM sites s " + where, types, tag)
    rows = await conn.fetch(
        site_select("$3")
        + _FROM
        + where
        + f" ORDER BY {ORDERINGS[ordering]}, s.id LIMIT $4 OFFSET $5",
        types,
        tag,
        author_id,
        limit,
        offset,
    )
    return total, rows


@dataclass(frozen=True)
class Prepared:
    """A search's parameters, with what choosing its plan needs."""

    params: list  # the statement's parameters, each `Expansion` replaced by its tsquery
    database: str
    sites: float  # PostgreSQL's estimate of the sites table's rows (-1: not analysed yet)


async def prepare_search(
    conn: asyncpg.Connection, compiled: Compiled, statement_timeout: str = "3s"
) -> Prepared:
    """This transaction's statement timeout, pg_trgm's threshold for the fuzzy terms' `<%`
    over the vocabulary (the lowest of the query; 0.3, pg_trgm's default, without fuzzy
    terms), and plans made for each search's own words: a prepared statement's generic plan
    cannot tell a word on half the sites from a rare one, and the window needs that to choose
    between walking `sites_recommended_idx` and reading the full-text index. Then the words
    the query's wildcard and fuzzy terms expand to (a second round trip, only for those).
    The same round trip reads the database's name and its estimate of the sites' number
    (for `tiers`)."""
    threshold = compiled.fuzzy_threshold if compiled.fuzzy_threshold is not None else 0.3
    expansions = [(k, p) for k, p in enumerate(compiled.params) if isinstance(p, Expansion)]
    # the expansions are planned without sequential scans (restored in their own round
    # trip, after planning them): the planner prices pg_trgm's word_similarity like a
    # comparison and scans a small vocabulary whole (2,545 words at 1,000 sites: 3 ms for
    # `gardn~`, against 0.1 ms through the GIN index)
    seqscan = ", set_config('enable_seqscan', 'off', true)" if expansions else ""
    settings = await conn.fetchrow(
        "SELECT current_setting('enable_seqscan') AS seqscan,"
        " set_config('statement_timeout', $1, true),"
        " set_config('pg_trgm.word_similarity_threshold', $2, true),"
        " set_config('plan_cache_mode', 'force_custom_plan', true),"
        " current_database() AS database,"
        f" (SELECT reltuples FROM pg_class WHERE oid = 'sites'::regclass) AS sites{seqscan}",
        statement_timeout,
        str(threshold),
    )
    params = list(compiled.params)
    if expansions:
        parts, values = [], []
        for _, expansion in expansions:
            parts.append(expansion.sql(len(values) + 1))
            values.extend(expansion.values)
        restore = f"set_config('enable_seqscan', ${len(values) + 1}, true)"
        row = await conn.fetchrow(
            "SELECT " + ", ".join(parts) + ", " + restore, *values, settings["seqscan"]
        )
        for (k, _), tsquery in zip(expansions, row[: len(expansions)], strict=True):
            params[k] = tsquery
    return Prepared(params, settings["database"], settings["sites"])


WINDOW = 1000  # a search ranks, counts and pages through at most this many matches


class AUTO:
    """`search_sites(tiers=AUTO)`: the search chooses its tiers itself (`plan_window`)."""


@dataclass(frozen=True)
class SearchPage:
    counts: dict[str, int]  # matches per type, within the window
    capped: bool  # more matches than WINDOW: the counts hold the window's only
    rows: list[asyncpg.Record]


def window_order(compiled: Compiled, ordering: str) -> str:
    """The order that chooses a search's window of matches: the requested one, or for
    relevance the most recommended first (`sites_recommended_idx` holds that order), after
    the exact matches of a URL query, which rank first."""
    if ordering != "relevance":
        return ORDERINGS[ordering]
    order = ORDERINGS["-total_recommendations"]
    return f"{compiled.exact} DESC, {order}" if compiled.exact else order


async def plan_window(
    conn: asyncpg.Connection, compiled: Compiled, ordering: str, prepared: Prepared
) -> int:
    """How many tiers a search reads first (`tiers`; 0: none): only for relevance,
    without an exact URL match (which ranks first whatever its recommendations) or a term
    on the recommendations (the planner's estimate takes it for independent of the tiers,
    which it is not)."""
    if ordering != "relevance" or compiled.exact or compiled.recommendations:
        return 0
    return await choose_tiers(
        conn,
        compiled.where,
        prepared.params[: compiled.where_params],
        database=prepared.database,
        sites=prepared.sites,
        window=WINDOW,
    )


async def plan_once(
    conn: asyncpg.Connection, compiled: Compiled, params: list
) -> tuple[Compiled, list]:
    """A tiered search's statement, planned once per connection: `compiled` and `params`
    with its words' and phrases' tsqueries computed here and given as parameters, and
    generic plans for the rest of this transaction (`plan_cache_mode`). Planning a statement
    of several tiers costs 0.25-1 ms a tier, and each search planned it again (custom plans,
    `prepare_search`); a tier's part reads its own index whatever the words, so one plan
    serves every search of the same shape and number of tiers (for text terms only,
    `Compiled.text_only`: with a type term the planner ANDs the type's index into a tier's
    bitmap or not depending on the words). The tsqueries must be
    values, not expressions, for that: in a generic plan `plainto_tsquery(...)` of a
    parameter is computed again for every row it is compared with or ranked."""
    values = [params[k] for k, _, _ in compiled.texts]
    tsqueries = "".join(
        f", {text_tsquery(function, f'${n + 1}')}::text"
        for n, (_, function, _) in enumerate(compiled.texts)
    )
    row = await conn.fetchrow(
        f"SELECT set_config('plan_cache_mode', 'force_generic_plan', true){tsqueries}", *values
    )
    params, where, score = list(params), compiled.where, compiled.score
    for n, (k, function, placeholder) in enumerate(compiled.texts):
        params[k] = row[n + 1]
        written, given = text_tsquery(function, placeholder), f"{placeholder}::tsquery"
        where, score = where.replace(written, given), score.replace(written, given)
    return dataclasses.replace(compiled, where=where, score=score, texts=[]), params


def window_sql(compiled: Compiled, ordering: str, tiers: int = 0) -> str:
    """`candidates` (at most WINDOW + 1 matches, chosen by `window_order`, with what ranking
    needs) and `matched` (the first WINDOW of them with their `score`): the CTEs every search
    statement starts with. Only the matches in the window are scored.

    `tiers`: the matches of the first `tiers` tiers of recommendations (`tiers`) are read
    each from its own index, most recommended first, then those of the rest of the sites,
    each part only while the ones before it hold no more than WINDOW: the same candidates."""
    columns = "s.id, s.type, s.total_recommendations, s.title, s.last_post_at, s.created_at"
    order = window_order(compiled, ordering)
    select = f"""SELECT {columns}, s.link_key, s.search_vector
    FROM sites s WHERE s.hidden_at IS NULL AND {compiled.where}"""
    if not tiers:
        candidates = f"""{select}
    ORDER BY {order}, s.id LIMIT {WINDOW + 1}"""
    else:
        if order != ORDERINGS["-total_recommendations"]:
            raise ValueError("tiers hold ranges of the recommendation order only")
        conditions = [tier_condition(k) for k in range(tiers)] + [rest_condition(tiers)]
        parts = []
        for k, condition in enumerate(conditions):
            # a later part runs only while the earlier ones hold no more than the window (a
            # one-time filter: its scan never starts otherwise); `seen{k}` counts them
            gate = f"\n        AND (SELECT n FROM seen{k - 1}) <= {WINDOW}" if k else ""
            parts.append(f"""tier{k} AS MATERIALIZED (
        {select}
        AND {condition}{gate}
        ORDER BY {order}, s.id LIMIT {WINDOW + 1}
    )""")
            if k < tiers:
                before = f"(SELECT n FROM seen{k - 1}) + " if k else ""
                parts.append(f"seen{k} AS (SELECT {before}(SELECT count(*) FROM tier{k}) AS n)")
        union = " UNION ALL ".join(f"SELECT * FROM tier{k}" for k in range(len(conditions)))
        candidates = f"""WITH {", ".join(parts)}
    SELECT * FROM ({union}) s
    ORDER BY {order}, s.id LIMIT {WINDOW + 1}"""
    return f"""
WITH candidates AS MATERIALIZED (
    {candidates}
), matched AS MATERIALIZED (
    SELECT {columns}, {compiled.score} AS score
    FROM candidates s ORDER BY {order}, s.id LIMIT {WINDOW}
)"""


async def search_sites(
    conn: asyncpg.Connection,
    compiled: Compiled,
    *,
    ordering: str,
    author_id: int | None,
    limit: int,
    offset: int,
    tiers: int | type[AUTO] = AUTO,
) -> SearchPage:
    """Counts per type and one page of sites with `score`. Runs in the caller's transaction,
    with a 3 s statement timeout and the fuzzy threshold set for it.

    One statement. The matches are read in the window's order and only the first WINDOW are
    kept (an index walk stops there; a rare query reads its few matches from the full-text
    index): they are ranked, counted per type and paged, so ranking and counting cost no more
    than the window however many sites match. With more matches than that, `capped` says
    the counts are the window's. Only the page's rows get the full Site columns. An empty
    page has no counts: it is past the end of the window (or nothing matched).

    A large directory's relevance search may read its matches tier by tier of recommendations
    (`plan_window`; `tiers` says how many, 0 for none, instead of choosing); that statement
    is planned once per connection when it has text terms only (`plan_once`: generic plans
    for the rest of the transaction)."""
    prepared = await prepare_search(conn, compiled)
    if tiers is AUTO:
        tiers = await plan_window(conn, compiled, ordering, prepared)
    params = prepared.params
    if tiers and compiled.text_only:
        compiled, params = await plan_once(conn, compiled, params)
    n = len(params)
    order = ORDERINGS[ordering]
    rows = await conn.fetch(
        f"""{window_sql(compiled, ordering, tiers)}, page AS (
    SELECT s.id, s.score FROM matched s ORDER BY {order}, s.id LIMIT ${n + 2} OFFSET ${n + 3}
)
{site_select(f"${n + 1}")}, page.score AS score,
       (SELECT json_object_agg(t.type, t.n) FROM (SELECT type, count(*) AS n FROM matched
                                                 GROUP BY type) t)::text AS type_counts,
       (SELECT count(*) > {WINDOW} FROM candidates) AS capped
FROM page JOIN sites s ON s.id = page.id
LEFT JOIN feeds mf ON mf.site_id = s.id AND mf.is_main
ORDER BY {order}, s.id
""",
        *params,
        author_id,
        limit,
        offset,
    )
    if not rows:
        return SearchPage({}, False, rows)
    counts = {k: int(v) for k, v in json.loads(rows[0]["type_counts"] or "{}").items()}
    return SearchPage(counts, rows[0]["capped"], rows)


async def count_matches(conn: asyncpg.Connection, compiled: Compiled) -> int | None:
    """The number of matches, or None when there are more than WINDOW (not cheap)."""
    params = (await prepare_search(conn, compiled, "1s")).params
    count = await conn.fetchval(
        f"SELECT count(*) FROM (SELECT 1 FROM sites s WHERE s.hidden_at IS NULL"
        f" AND {compiled.where} LIMIT {WINDOW + 1}) m",
        *params[: compiled.where_params],
    )
    return None if count > WINDOW else count


async def find_site_by_key(conn: asyncpg.Connection, link_key: str):
    return await conn.fetchrow("SELECT id, hidden_at FROM sites WHERE link_key = $1", link_key)


async def insert_site(
    conn: asyncpg.Connection, *, link: str, link_key: str, added_by: int | None
) -> UUID:
    return await conn.fetchval(
        """
        INSERT INTO sites (link, link_key, added_by) VALUES ($1, $2, $3)
        ON CONFLICT (link_key) DO UPDATE SET link_key = EXCLUDED.link_key
        RETURNING id
        """,
        link,
        link_key,
        added_by,
    )


async def update_site_metadata(
    conn: asyncpg.Connection,
    site_id: UUID,
    *,
    title: str,
    description: str | None,
    icon: str | None,
    language: str | None,
) -> None:
    await conn.execute(
        "UPDATE sites SET title = $2, description = $3, icon = $4, language = $5 WHERE id = $1"
        " AND (title, description, icon, language) IS DISTINCT FROM ($2, $3, $4, $5)",
        site_id,
        title[:1000],
        description[:1000] if description else None,
        icon,
        language,
    )


async def refresh_site_after_posts(conn: asyncpg.Connection, site_id: UUID, added: int) -> int:
    """Newest post time and the count of posts since the last classification."""
    return await conn.fetchval(
        """
        UPDATE sites SET
            last_post_at = (SELECT max(published_at) FROM posts WHERE site_id = $1),
            posts_since_classified = posts_since_classified + $2
        WHERE id = $1
        RETURNING posts_since_classified
        """,
        site_id,
        added,
    )


async def set_site_type(conn: asyncpg.Connection, site_id: UUID, kind: str) -> None:
    await conn.execute(
        """
        UPDATE sites SET type = CASE WHEN type_locked THEN type ELSE $2 END,
                         posts_since_classified = 0
        WHERE id = $1
        """,
        site_id,
        kind,
    )


async def recompute_tags(conn: asyncpg.Connection, site_id: UUID) -> None:
    """The 10 most used categories over the newest 100 posts, each used at least twice: one
    statement (tags no longer among them go, the others are written or kept)."""
    await conn.execute(
        """
        WITH fresh AS (
            SELECT tag, count(*)::integer AS uses FROM (
                SELECT unnest(tags) AS tag FROM (
                    SELECT tags FROM posts WHERE site_id = $1
                    ORDER BY published_at DESC, id DESC LIMIT 100
                ) newest
            ) t
            WHERE tag ~ '^[a-z0-9-]{1,64}$'
            GROUP BY tag HAVING count(*) >= 2
            ORDER BY count(*) DESC, tag LIMIT 10
        ), gone AS (
            DELETE FROM site_tags WHERE site_id = $1 AND name NOT IN (SELECT tag FROM fresh)
        )
        INSERT INTO site_tags (site_id, name, uses) SELECT $1, tag, uses FROM fresh
        ON CONFLICT (site_id, name) DO UPDATE SET uses = EXCLUDED.uses
        WHERE site_tags.uses <> EXCLUDED.uses
        """,
        site_id,
    )


async def visible(conn: asyncpg.Connection, site_id: UUID) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM sites WHERE id = $1 AND hidden_at IS NULL)", site_id
        )
    )


async def add_recommendation(conn: asyncpg.Connection, author_id: int, site_id: UUID) -> bool:
    """Recommend (idempotent); the counter moves in the same transaction. True if new."""
    if not await visible(conn, site_id):
        from hub.core.errors import NotFound

        raise NotFound("Not found.")
    status = await conn.execute(
        "INSERT INTO site_recommendations (author_id, site_id) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING",
        author_id,
        site_id,
    )
    created = status.endswith(" 1")
    if created:
        await conn.execute(
            "UPDATE sites SET total_recommendations = total_recommendations + 1 WHERE id = $1",
            site_id,
        )
    return created


async def remove_recommendation(conn: asyncpg.Connection, author_id: int, site_id: UUID) -> None:
    status = await conn.execute(
        "DELETE FROM site_recommendations WHERE author_id = $1 AND site_id = $2",
        author_id,
        site_id,
    )
    if status.endswith(" 1"):
        await conn.execute(
            "UPDATE sites SET total_recommendations = greatest(total_recommendations - 1, 0)"
            " WHERE id = $1",
            site_id,
        )
