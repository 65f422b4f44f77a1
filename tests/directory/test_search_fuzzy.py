"""Fuzzy terms (`word~`) go through the site_words vocabulary: it must follow the sites'
writes, honour each term's own threshold and survive any word a site may contain."""

from __future__ import annotations

from hub.directory.queries import sites as site_queries
from tests.directory.test_search_api import A, S, T, seed
from tests.factories import make_site


async def titles(client, q: str) -> set[str]:
    response = await client.get("/api/sites/search", params={"q": q})
    assert response.status_code == 200, response.text
    return {r["title"] for r in response.json()["results"]}


async def test_200_a_renamed_site_is_found_by_a_misspelling_of_its_new_title(client, db):
    ids = await seed(db)
    assert await titles(client, "gooseberrie~") == set()  # (responses are cached per query)
    async with db.acquire() as conn:
        await site_queries.update_site_metadata(
            conn, ids[T], title="Gooseberry Thoughts", description=None, icon=None, language=None
        )
    assert await titles(client, "gooseberies~") == {"Gooseberry Thoughts"}
    assert await titles(client, "title:gooseberies~") == {"Gooseberry Thoughts"}


async def test_200_each_fuzzy_term_keeps_its_own_threshold(client, db):
    await seed(db)
    # word_similarity('gardn', 'garden') = 0.67: a match at ~ (0.5), none at ~1 (0.7), even
    # when another term of the query lowers pg_trgm's threshold to 0.5
    assert await titles(client, "gardn~") == {A}
    assert await titles(client, "sesme~ OR gardn~1") == {S}
    assert await titles(client, "apple -gardn~") == {T}


async def test_200_quotes_and_backslashes_in_site_words_do_not_break_fuzzy_search(client, db):
    await seed(db)
    await make_site(
        db,
        "https://obrien.example/",
        link_key="obrien.example",
        title="O'Brien\\Garden's 'quoted' \\\\ words",
        description="back\\slash it''s",
    )
    assert await titles(client, "obrien~") == {"O'Brien\\Garden's 'quoted' \\\\ words"}
    assert await titles(client, "quotd~") == {"O'Brien\\Garden's 'quoted' \\\\ words"}
    assert A in await titles(client, "gardn~")


async def test_200_a_fuzzy_term_close_to_many_words_finds_the_same_sites(client, db, monkeypatch):
    # past FUZZY_NEAR words within the threshold the expansion takes the nearest words from
    # the GiST index instead of the GIN one: the same words, so the same sites
    from hub.directory.search import sql

    await seed(db)
    for k in range(12):
        await make_site(db, f"https://gardener{k}.example/", title=f"Gardener {k}")
    seen = {q: await titles(client, q) for q in ("gardn~", "gardener~", "title:gardenr~")}
    assert A in seen["gardn~"] and "Gardener 3" in seen["gardener~"]
    monkeypatch.setattr(sql, "FUZZY_NEAR", 3)
    for q, expected in seen.items():
        assert await titles(client, q + " OR nothingatall") == expected


async def test_the_search_after_its_expansions_plans_with_the_servers_settings(db):
    # the expansions are planned without sequential scans; the search itself is not
    from hub.directory.search import parser as q
    from hub.directory.search.sql import compile_query

    await seed(db)
    compiled = compile_query(q.parse("gardn~ OR app*").ast)
    async with db.acquire() as conn, conn.transaction():
        prepared = await site_queries.prepare_search(conn, compiled)
        assert await conn.fetchval("SELECT current_setting('enable_seqscan')") == "on"
        page = await site_queries.search_sites(
            conn, compiled, ordering="relevance", author_id=None, limit=25, offset=0
        )
    assert {r["title"] for r in page.rows} >= {A}
    assert all(isinstance(p, (str, type(None))) for p in prepared.params)
