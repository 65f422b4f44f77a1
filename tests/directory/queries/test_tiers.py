"""A relevance search that reads its matches tier by tier of recommendations finds exactly
the window the whole query finds, whether the tiers read fill the window or not; tiers are
read only where they pay."""

from __future__ import annotations

import pytest

from hub.directory.queries import sites as site_queries
from hub.directory.queries import tiers
from hub.directory.queries.sites import WINDOW
from hub.directory.queries.tiers import TIERS, estimate_matches, tier_sizes, tiers_to_read
from hub.directory.search import parser as q
from hub.directory.search.sql import compile_query
from tests.factories import make_site, make_sites

MANY = WINDOW + 200


@pytest.fixture
async def many(db):
    # MANY sites with "apple" (site n has n % 100 recommendations); those whose number ends
    # in 0 or 7 say "pear" too
    await make_sites(db, MANY, title="Site {n}", description="apple notes {n}",
                     link="https://site{n}.example.org/")  # fmt: skip
    await db.execute("UPDATE sites SET description = description || ' pear'"
                     " WHERE title ~ '^Site [0-9]*[07]$'")  # fmt: skip
    await make_site(db, "https://best.example/", title="Apple Apple", description="apple",
                    total_recommendations=99)  # fmt: skip
    return db


async def search(db, text: str, tiers, offset: int = 0):
    compiled = compile_query(q.parse(text).ast)
    async with db.acquire() as conn, conn.transaction():
        page = await site_queries.search_sites(
            conn, compiled, ordering="relevance", author_id=None, limit=100, offset=offset,
            tiers=tiers,
        )  # fmt: skip
    return [r["id"] for r in page.rows], [r["score"] for r in page.rows], page.counts, page.capped


@pytest.mark.parametrize(
    "text", ["apple", "pear", "apple -pear", "notes 12*", "title:apple", '"apple notes"',
             "apple type:blog", "notes~ pear"],
)  # fmt: skip
@pytest.mark.parametrize("tiers", [1, 2, 3, 6, len(TIERS)])
async def test_tiers_read_first_find_the_same_window(many, text, tiers):
    # site n has n % 100 recommendations: up to 6 tiers hold fewer than a window of the
    # matches of "apple" (the rest is read too), all of them more (the rest is never read)
    for offset in (0, 900):
        whole = await search(many, text, 0, offset)
        assert await search(many, text, tiers, offset) == whole
        assert await search(many, text, site_queries.AUTO, offset) == whole


async def test_a_tiered_search_is_planned_once_per_connection(many):
    # the words' tsqueries are parameters of one generic plan, made by the first search and
    # used by the next, whatever its words; the same pages as the whole statement's
    plans = (
        "SELECT coalesce(sum(generic_plans), 0) AS generic, coalesce(sum(custom_plans), 0)"
        " AS custom FROM pg_prepared_statements WHERE statement LIKE '%tier1 AS MATERIALIZED%'"
    )
    async with many.acquire() as conn:
        before = await conn.fetchrow(plans)
        for text in ("apple", "pear", "notes"):
            compiled = compile_query(q.parse(text).ast)
            async with conn.transaction():
                page = await site_queries.search_sites(
                    conn, compiled, ordering="relevance", author_id=None, limit=50, offset=0,
                    tiers=2,
                )  # fmt: skip
            ids, _, counts, capped = await search(many, text, 0)
            assert ([r["id"] for r in page.rows], page.counts, page.capped) == (
                ids[:50],
                counts,
                capped,
            )
        after = await conn.fetchrow(plans)
    assert after["generic"] - before["generic"] >= 3 and after["custom"] == before["custom"]


async def test_a_tiered_search_with_a_type_term_is_planned_for_its_words(many):
    # with a type term the plan depends on how common the words are: custom plans
    compiled = compile_query(q.parse("apple type:blog").ast)
    assert not compiled.text_only
    assert compile_query(q.parse('title:apple "open source" gard* pear~').ast).text_only
    async with many.acquire() as conn:
        async with conn.transaction():
            await site_queries.search_sites(
                conn, compiled, ordering="relevance", author_id=None, limit=25, offset=0,
                tiers=2,
            )  # fmt: skip
            assert await conn.fetchval("SHOW plan_cache_mode") == "force_custom_plan"


async def test_a_site_moves_between_tiers_when_its_recommendations_change(many):
    worst = await many.fetchval(
        "SELECT id FROM sites WHERE total_recommendations = 0 AND description LIKE '%pear%'"
        " ORDER BY id LIMIT 1"
    )
    await many.execute("UPDATE sites SET total_recommendations = 200 WHERE id = $1", worst)
    ids, _, counts, capped = await search(many, "pear", 1)
    assert worst in ids and await search(many, "pear", 0) == (ids, _, counts, capped)
    await many.execute("UPDATE sites SET total_recommendations = 0 WHERE id = $1", worst)
    assert await search(many, "pear", len(TIERS)) == await search(many, "pear", 0)


async def test_the_most_recommended_matches_come_first_with_tiers(many):
    ids, scores, counts, capped = await search(many, "apple", 4)
    assert capped and sum(counts.values()) == WINDOW
    assert scores == sorted(scores, reverse=True)
    best = await many.fetchval("SELECT id FROM sites WHERE title = 'Apple Apple'")
    assert ids[0] == best


async def test_tier_sizes_count_the_visible_sites_of_each_tier(many, monkeypatch):
    monkeypatch.setattr(tiers, "_sizes", {})
    await many.execute("UPDATE sites SET hidden_at = now() WHERE title = 'Site 99'")
    async with many.acquire() as conn:
        sizes = await tier_sizes(conn, "d", 1.0)
    assert len(sizes) == len(TIERS) + 1 and sum(sizes) == MANY  # MANY + 1 sites, one hidden
    assert sizes[0] == 0  # 128 and more: none
    assert sizes[1] == 9 * MANY // 100 + 1 - 1  # 91-99, the best site in, Site 99 hidden
    assert sizes[-1] == MANY // 100  # none: sites 100, 200, ...


@pytest.mark.parametrize(
    ("expected", "tiers_read"),
    [
        (1_500, 0),  # few matches: the full-text index reads them all
        (50_000, 0),  # half the sites: the walk in recommendation order reads 2,000 rows
        (20_000, 0),  # the walk reads 5,000 rows, the first tier holds 8,000 matches
        (10_000, 1),  # the first tier (40 % of the sites) holds 4,000 matches
        (4_000, 2),  # 1,600, then 1,200 in the second tier
        (2_300, 3),  # 920, 690, 460
        (2_100, 0),  # 1,890 in every tier: fewer than two windows
    ],
)
def test_the_tiers_read_hold_about_two_windows_of_expected_matches(expected, tiers_read):
    sizes = [40_000, 30_000, 20_000] + [0] * (len(TIERS) - 3) + [10_000]
    assert tiers_to_read(expected, sizes, 1000) == tiers_read


def test_a_small_first_tier_serves_a_common_conjunction():
    # as `apple pear` in the benchmark: 15 % of 100,000 sites; the walk reads 6,600 rows,
    # the sites with 91-127 recommendations hold 1,350 matches (none has 128)
    sizes = [0, 9_000, 27_000, 19_000] + [0] * (len(TIERS) - 4) + [45_000]
    assert tiers_to_read(15_000, sizes, 1000) == 3


def test_no_tiers_in_a_small_directory_or_without_enough_recommended_sites():
    assert tiers_to_read(2_000, [3_000, 2_000, 2_000], 1000) == 0  # 7,000 sites
    assert tiers_to_read(4_000, [1_000] + [0] * (len(TIERS) - 1) + [99_000], 1000) == 0


async def test_the_planners_estimate_is_kept_for_the_same_statement(many, monkeypatch):
    monkeypatch.setattr(tiers, "_estimates", {})
    monkeypatch.setattr(tiers, "ESTIMATES", 2)
    compiled = compile_query(q.parse("pear").ast)
    params = compiled.params[: compiled.where_params]
    async with many.acquire() as conn:
        await conn.execute("ANALYZE sites")
        first = await estimate_matches(conn, compiled.where, params, database="d")
        assert first > 100  # "pear" is on one site in five
        await conn.execute("UPDATE sites SET hidden_at = now()")
        await conn.execute("ANALYZE sites")
        # kept: the same statement and parameters are not planned again within the minute
        assert await estimate_matches(conn, compiled.where, params, database="d") == first
        assert await estimate_matches(conn, compiled.where, params, database="e") < first
        await estimate_matches(conn, compiled.where, ["apple"], database="d")
        # another size of the directory (after ANALYZE): asked again
        assert await estimate_matches(conn, compiled.where, params, database="d", sites=9) < first
    assert len(tiers._estimates) == 2  # at most ESTIMATES, the oldest out first
    assert ("d", -1, compiled.where, *params) not in tiers._estimates


@pytest.mark.slow
async def test_200_a_large_directory_reads_tiers_and_answers_the_same(db, client):
    # 80,000 sites, "kiwi" on one in nine: the planner expects ~8,900 matches, the first
    # tiers (91-99 and 64-90 recommendations: 36 % of the sites) about 3,200 of them
    await make_sites(db, 80_000, title="Site {n}", description="plain words {n}",
                     link="https://site{n}.example.org/")  # fmt: skip
    await db.execute("UPDATE sites SET description = description || ' kiwi'"
                     " WHERE substring(title FROM 6)::integer % 9 = 0")  # fmt: skip
    await db.execute("ANALYZE sites")
    compiled = compile_query(q.parse("kiwi").ast)
    async with db.acquire() as conn, conn.transaction():
        prepared = await site_queries.prepare_search(conn, compiled)
        assert await site_queries.plan_window(conn, compiled, "relevance", prepared)
    whole = await search(db, "kiwi", 0)
    assert await search(db, "kiwi", site_queries.AUTO) == whole
    response = await client.get("/api/sites/search", params={"q": "kiwi", "page_size": "100"})
    body = response.json()
    assert response.status_code == 200 and body["statistics"]["capped"] is True
    assert [r["id"] for r in body["results"]] == [str(i) for i in whole[0]]


async def test_each_tier_has_its_own_full_text_index(db):
    # the statements write each tier's range as its index's predicate (migration 0028)
    rows = await db.fetch(
        "SELECT indexname, indexdef FROM pg_indexes"
        " WHERE tablename = 'sites' AND indexname LIKE 'sites_search_tier%'"
    )
    assert {r["indexname"] for r in rows} == {f"sites_search_tier{t}_idx" for t in TIERS}
    for r in rows:
        low = int(r["indexname"].removeprefix("sites_search_tier").removesuffix("_idx"))
        assert f"(total_recommendations >= {low})" in r["indexdef"]
