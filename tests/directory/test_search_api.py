"""GET /api/sites/search: a table of queries → expected sites, every operator, hostile input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.factories import make_feed, make_site

SITES = [
    # title, description, link, type, recommendations, feed URL
    ("Apple Orchard Notes", "Growing apples and pears in a small garden.",
     "https://orchard.example/", "blog", 5, "https://orchard.example/feed.xml"),
    ("Tiny Thoughts", "Short notes about apple pie and coffee.",
     "https://tiny.example/", "microblog", 0, "https://feeds.example.net/tiny.json"),
    ("Open Sesame", "Pictures of current events in Spain.",
     "https://sesame.example/", "photoblog", 12, "https://sesame.example/rss"),
    ("Café Zoé", "Écrits sur la cuisine et le pain.",
     "https://zoe.example/", "blog", 1, "https://zoe.example/atom.xml"),
    ("News from Italy", "Current events and news, daily.",
     "https://italy.example/news", "blog", 2, "https://italy.example/news/feed"),
    ("Apple Spam", "Hidden apple spam site.",
     "https://spam.example/", "blog", 99, "https://spam.example/feed"),
]  # fmt: skip

A, T, S, Z, N = "Apple Orchard Notes", "Tiny Thoughts", "Open Sesame", "Café Zoé", "News from Italy"


async def seed(db):
    ids = {}
    for title, description, link, kind, recs, feed_url in SITES:
        hidden_at = datetime.now(UTC) if title == "Apple Spam" else None
        site_id = await make_site(
            db,
            link,
            title=title,
            description=description,
            type=kind,
            total_recommendations=recs,
            hidden_at=hidden_at,
        )
        await make_feed(db, site_id, feed_url, is_main=True, title=title)
        ids[title] = site_id
    return ids


@pytest.fixture
async def sites(db):
    return await seed(db)


QUERIES = [
    ("apple", {A, T}),  # the hidden site never shows
    ("APPLE", {A, T}),
    ("apple pie", {T}),  # AND by default
    ("apple AND pie", {T}),
    ("apple && pie", {T}),
    ("apple OR sesame", {A, T, S}),
    ("apple or sesame", {A, T, S}),
    ("apple || sesame", {A, T, S}),
    ("apple -pie", {A}),
    ("apple NOT pie", {A}),
    ("apple !pie", {A}),
    ("-apple", {S, Z, N}),  # only negative: everything else
    ('"current events"', {S, N}),
    ('"events current"', set()),
    ('("current events" or news) and (spain or italy)', {S, N}),
    ("(apple or coffee) (pie or pears)", {A, T}),
    ("title:apple", {A}),
    ("description:apple", {T}),
    ("title:(open sesame)", {S}),
    ("apple type:microblog or title:(open sesame)", {T, S}),
    ('title:"apple orchard"', {A}),
    ("type:blog", {A, Z, N}),
    ("type:micro*", {T}),
    ("type:*blog", {A, T, S, Z, N}),
    ("total_recommendations:>2", {A, S}),
    ("total_recommendations:>=2", {A, S, N}),
    ("total_recommendations:<2", {T, Z}),
    ("total_recommendations:<=1", {T, Z}),
    ("total_recommendations:12", {S}),
    ("total_recommendations:[1 TO 5]", {A, Z, N}),
    ("total_recommendations:{1 TO 5}", {N}),
    ("total_recommendations:{1 TO *}", {A, S, N}),
    ("app*", {A, T}),
    ("ap?le", {A, T}),
    ("pict*", {S}),
    ("title:ses*", {S}),
    ("zo?", {Z}),  # unaccented: Zoé
    ("exampl?", {A, T, S, Z, N}),  # a whole word inside each link's host
    ("description:exampl?", set()),
    ("zzq*", set()),  # no word of the vocabulary holds it
    ("apple -zzq*", {A, T}),
    ("appel~", {A, T}),
    ("sesmae~1", set()),
    ("orchard~", {A}),
    ("cafe", {Z}),  # unaccented
    ("ecrits", {Z}),
    ("link:orchard", {A}),
    ("link:feeds.example.net", {T}),  # a feed URL finds its site
    ("link:*example.net*", {T}),
    ("https://orchard.example/feed.xml", {A}),
    ("orchard.example", {A}),
    ("description:*", {A, T, S, Z, N}),
    ("apple^2", {A, T}),
    ("'; DROP TABLE sites; --", set()),
    ("' OR 1=1 --", set()),
    ("%", set()),
    ("\\*\\*", set()),
    ("news type:blog", {N}),
]


@pytest.mark.parametrize(("q", "expected"), QUERIES)
async def test_200_search_table(client, sites, q, expected):
    response = await client.get("/api/sites/search", params={"q": q})
    assert response.status_code == 200, response.text
    body = response.json()
    assert {r["title"] for r in body["results"]} == expected
    assert body["count"] == len(expected) == body["statistics"]["total"]


async def test_200_search_shape_statistics_and_related(client, sites):
    response = await client.get(
        "/api/sites/search", params={"q": "apple type:microblog or title:(open sesame)"}
    )
    body = response.json()
    assert list(body) == ["count", "next", "previous", "statistics", "related_searches",
                          "results"]  # fmt: skip
    stats = body["statistics"]
    assert stats["parsed"] == "(apple AND type:microblog) OR (title:open AND title:sesame)"
    assert stats["types"] == {"blog": 0, "microblog": 1, "photoblog": 1}
    assert stats["ordering"] == "relevance" and stats["ignored"] == []
    assert [r["label"] for r in body["related_searches"]] == ["Most recommended first"]
    result = body["results"][0]
    assert set(result) >= {"id", "url", "title", "description", "link", "type", "score",
                           "total_recommendations", "main_feed", "feeds", "tags", "icon",
                           "language", "created_at", "updated_at"}  # fmt: skip
    assert "is_recommended" not in result and "is_subscribed" not in result
    assert result["url"] == f"http://hub.test/api/sites/{result['id']}"
    broad = (await client.get("/api/sites/search", params={"q": "apple"})).json()
    labels = [r["label"] for r in broad["related_searches"]]
    assert labels == ["Only blogs", "Only microblogs", "Most recommended first"]
    narrowed = await client.get(
        "/api/sites/search", params={"q": broad["related_searches"][1]["q"]}
    )
    assert [r["title"] for r in narrowed.json()["results"]] == [T]


async def test_200_empty_results_suggest_fuzzy_and_or(client, sites):
    body = (await client.get("/api/sites/search", params={"q": "appel sesme"})).json()
    assert body["count"] == 0
    related = {r["label"]: r for r in body["related_searches"]}
    assert related["Similar spellings"]["q"] == "appel~ sesme~"
    assert related["Any of the words"]["q"] == "appel OR sesme"
    assert related["Similar spellings"]["count"] >= 0


async def test_200_relevance_ranks_title_over_description_and_exact_url_first(client, sites):
    body = (await client.get("/api/sites/search", params={"q": "apple"})).json()
    assert [r["title"] for r in body["results"]] == [A, T]
    url = (await client.get("/api/sites/search", params={"q": "orchard.example"})).json()
    assert url["results"][0]["title"] == A


@pytest.mark.parametrize(
    ("ordering", "titles"),
    [
        ("-total_recommendations", [S, A, N, Z, T]),
        ("total_recommendations", [T, Z, N, A, S]),
        ("title", [A, Z, N, S, T]),
        ("-title", [T, S, N, Z, A]),
    ],
)
async def test_200_ordering(client, sites, ordering, titles):
    response = await client.get(
        "/api/sites/search", params={"q": "description:*", "ordering": ordering}
    )
    assert [r["title"] for r in response.json()["results"]] == titles


async def test_200_type_shortcut_and_pagination(client, sites):
    response = await client.get(
        "/api/sites/search",
        params={"q": "description:*", "type": "blog", "page_size": "2", "ordering": "title"},
    )
    body = response.json()
    assert body["count"] == 3 and [r["title"] for r in body["results"]] == [A, Z]
    assert body["previous"] is None
    assert body["next"] == (
        "http://hub.test/api/sites/search?ordering=title&page=2&page_size=2"
        "&q=description%3A%2A&type=blog"
    )
    second = (await client.get(body["next"])).json()
    assert [r["title"] for r in second["results"]] == [N] and second["next"] is None
    assert second["previous"].endswith("page=1&page_size=2&q=description%3A%2A&type=blog")
    past = await client.get(body["next"].replace("page=2", "page=3"))
    assert past.status_code == 404 and past.json() == {"detail": "Invalid page."}


@pytest.mark.parametrize(
    ("params", "detail", "position"),
    [
        ({}, "q is required.", None),
        ({"q": "   "}, "q is required.", None),
        ({"q": "(apple"}, "Unbalanced parenthesis.", 0),
        ({"q": "apple)"}, "Unbalanced parenthesis.", 5),
        ({"q": '"open'}, "Unterminated quoted phrase.", 0),
        ({"q": "type:podcast"}, "type must be one of blog, microblog, photoblog.", 5),
        ({"q": "title:(link:x)"}, "A field filter cannot be used inside a field group.", 7),
        ({"q": "a*"}, "A wildcard term needs at least 2 other characters.", 0),
        ({"q": "x" * 513}, "q is longer than 512 characters.", 512),
        ({"q": "apple", "ordering": "score"}, None, None),
        ({"q": "apple", "type": "podcast"}, "type must be one of blog, microblog, photoblog.",
         None),
        ({"q": "apple", "page": "0"}, "page must be a positive integer.", None),
        ({"q": "apple", "page": "x"}, "page must be a positive integer.", None),
    ],
)  # fmt: skip
async def test_400_bad_queries(client, sites, params, detail, position):
    response = await client.get("/api/sites/search", params=params)
    assert response.status_code == 400
    body = response.json()
    if detail:
        assert body["detail"] == detail
    assert body.get("position") == position
    assert set(body) <= {"detail", "position"}


async def test_200_hostile_queries_leave_the_tables_alone(client, sites, db):
    for q in ["'; DROP TABLE sites; --", "title:\"'; DELETE FROM sites; --\"",
              "link:%' OR '1'='1", "x\\' OR 1=1", "$1", "ab* ) OR (1=1"]:  # fmt: skip
        response = await client.get("/api/sites/search", params={"q": q})
        assert response.status_code in (200, 400)
    assert await db.fetchval("SELECT count(*) FROM sites") == len(SITES)
