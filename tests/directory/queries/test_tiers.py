"""A relevance search that reads a tier of the most recommended sites first finds exactly
the window the whole query finds, whether the tier fills the window or not; the tier is
chosen only where it pays."""

from __future__ import annotations

import pytest

from hub.directory.queries import sites as site_queries
from hub.directory.queries import tiers
from hub.directory.queries.sites import WINDOW
from hub.directory.queries.tiers import Tier, bound_positions, estimate_matches, tier_position
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


async def key_at(db, position: int) -> Tier:
    row = await db.fetchrow(
        "SELECT total_recommendations, id FROM sites WHERE hidden_at IS NULL"
        " ORDER BY total_recommendations DESC, id OFFSET $1 LIMIT 1",
        position - 1,
    )
    return Tier(row["total_recommendations"], row["id"])


async def search(db, text: str, tier, offset: int = 0):
    compiled = compile_query(q.parse(text).ast)
    async with db.acquire() as conn, conn.transaction():
        page = await site_queries.search_sites(
            conn, compiled, ordering="relevance", author_id=None, limit=100, offset=offset,
            tier=tier,
        )  # fmt: skip
    return [r["id"] for r in page.rows], [r["score"] for r in page.rows], page.counts, page.capped


@pytest.mark.parametrize("text", ["apple", "pear", "apple -pear", "notes 12*", "title:apple"])
@pytest.mark.parametrize("position", [1, 150, 1100, MANY])
async def test_a_tier_read_first_finds_the_same_window(many, text, position):
    tier = await key_at(many, position)
    for offset in (0, 900):
        whole = await search(many, text, None, offset)
        assert await search(many, text, tier, offset) == whole
        assert await search(many, text, site_queries.AUTO, offset) == whole


async def test_the_most_recommended_matches_come_first_with_a_tier(many):
    ids, scores, counts, capped = await search(many, "apple", await key_at(many, 1100))
    assert capped and sum(counts.values()) == WINDOW
    assert scores == sorted(scores, reverse=True)
    best = await many.fetchval("SELECT id FROM sites WHERE title = 'Apple Apple'")
    assert ids[0] == best


def test_bounds_start_at_two_windows_and_stop_at_a_quarter_of_the_directory():
    assert bound_positions(7_000, 1000) == []
    assert bound_positions(100_000, 1000) == [2000, 2828, 4000, 5656, 8000, 11313, 16000,
                                              22627]  # fmt: skip


@pytest.mark.parametrize(
    ("expected", "position"),
    [
        (1_500, None),  # few matches: the full-text index reads them all
        (50_000, None),  # half the sites: the walk in recommendation order stops early
        (10_000, 16_000),  # 1.5 windows of matches among the first 15,000 sites
        (7_000, 22_627),
        (4_000, None),  # 1.5 windows need more than a quarter of the directory
    ],
)
def test_a_tier_holds_about_one_and_a_half_windows_of_expected_matches(expected, position):
    assert tier_position(expected, 100_000, 1000) == position


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
async def test_200_a_large_directory_reads_a_tier_and_answers_the_same(db, client):
    # 80,000 sites, "kiwi" on one in nine: the planner expects ~8,900 matches, a tier of
    # the 16,000 most recommended sites holds about 1,800 of them
    await make_sites(db, 80_000, title="Site {n}", description="plain words {n}",
                     link="https://site{n}.example.org/")  # fmt: skip
    await db.execute("UPDATE sites SET description = description || ' kiwi'"
                     " WHERE substring(title FROM 6)::integer % 9 = 0")  # fmt: skip
    await db.execute("ANALYZE sites")
    compiled = compile_query(q.parse("kiwi").ast)
    async with db.acquire() as conn, conn.transaction():
        prepared = await site_queries.prepare_search(conn, compiled)
        tier = await site_queries.plan_window(conn, compiled, "relevance", prepared)
    assert tier is not None
    whole = await search(db, "kiwi", None)
    assert await search(db, "kiwi", site_queries.AUTO) == whole
    response = await client.get("/api/sites/search", params={"q": "kiwi", "page_size": "100"})
    body = response.json()
    assert response.status_code == 200 and body["statistics"]["capped"] is True
    assert [r["id"] for r in body["results"]] == [str(i) for i in whole[0]]
