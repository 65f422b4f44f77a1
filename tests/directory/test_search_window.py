"""GET /api/sites/search over more matches than the search window (1,000): the most
recommended matches are ranked, counted and paged, the best of them first; `capped` says so."""

from __future__ import annotations

import pytest

from hub.directory.queries.sites import WINDOW
from tests.factories import make_site, make_sites

MANY = WINDOW + 200


@pytest.fixture
async def many(db):
    # MANY sites say "apple" in their description only; two more have it in the title
    await make_sites(db, MANY, title="Site {n}", description="apple notes {n}",
                     link="https://site{n}.example.org/")  # fmt: skip
    await make_site(db, "https://best.example/", title="Apple Apple", description="apple",
                    type="blog", total_recommendations=99)  # fmt: skip
    await make_site(db, "https://example.org/", link_key="example.org", title="Apple corner",
                    total_recommendations=0)  # fmt: skip
    return db


async def search(client, **params):
    response = await client.get("/api/sites/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_200_a_broad_word_ranks_the_best_match_first_and_counts_the_window(client, many):
    body = await search(client, q="apple")
    assert body["results"][0]["title"] == "Apple Apple"
    assert body["count"] == WINDOW == body["statistics"]["total"]
    assert body["statistics"]["capped"] is True
    assert sum(body["statistics"]["types"].values()) == WINDOW
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    # the window holds the most recommended matches
    assert min(r["total_recommendations"] for r in body["results"]) >= 98


async def test_200_pages_through_the_window_in_one_stable_order(client, many):
    seen: list[str] = []
    last_score = None
    for page in range(1, WINDOW // 100 + 1):
        body = await search(client, q="apple", page=str(page), page_size="100")
        assert body["count"] == WINDOW
        seen += [r["id"] for r in body["results"]]
        if last_score is not None:
            assert body["results"][0]["score"] <= last_score
        last_score = body["results"][-1]["score"]
    assert body["next"] is None
    assert len(seen) == len(set(seen)) == WINDOW
    again = await search(client, q="apple", page="3", page_size="100")
    assert [r["id"] for r in again["results"]] == seen[200:300]
    past = await client.get("/api/sites/search", params={"q": "apple", "page": "11",
                                                         "page_size": "100"})  # fmt: skip
    assert past.status_code == 404 and past.json() == {"detail": "Invalid page."}


async def test_200_other_orderings_choose_their_window_in_their_own_order(client, many):
    body = await search(client, q="apple", ordering="title")
    titles = [r["title"] for r in body["results"]]
    assert titles[:2] == ["Apple Apple", "Apple corner"] and titles == sorted(titles)
    low = await search(client, q="apple", ordering="total_recommendations")
    counts = [r["total_recommendations"] for r in low["results"]]
    assert counts[0] == 0 and counts == sorted(counts)


async def test_200_an_exact_url_ranks_first_however_many_sites_match(client, many):
    body = await search(client, q="example.org")
    assert body["statistics"]["capped"] is True
    assert body["results"][0]["link"] == "https://example.org/"


async def test_200_a_narrow_query_is_exact_and_not_capped(client, many):
    body = await search(client, q="title:apple")
    assert [r["title"] for r in body["results"]] == ["Apple Apple", "Apple corner"]
    assert body["count"] == 2 and body["statistics"]["capped"] is False


async def test_200_a_wildcard_over_many_sites_finds_the_words_it_expands_to(client, many):
    body = await search(client, q="appl?")
    assert body["results"][0]["title"] == "Apple Apple"
    assert body["count"] == WINDOW and body["statistics"]["capped"] is True
    hosts = await search(client, q="site12?")  # inside the link's host, site120.example.org
    assert {r["link"] for r in hosts["results"]} == {
        f"https://site12{d}.example.org/" for d in range(10)
    }
