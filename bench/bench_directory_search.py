"""Site search over a generated directory (issue 6, benchmark 1; scaling, issue 20).

Data: a scaling table over 1,000, 10,000 and 100,000 sites (one main feed each, 10 posts per
site: 1,000,000 posts at the top; `--scale` multiplies the sizes, `--scale 1` being these),
generated inside Postgres with generate_series from a fixed vocabulary (a few words common,
most rare), never row by row, in batches of 10,000 sites on a connection of its own without
a command timeout (the pool's must not decide whether the benchmark runs on a busy machine).
Each row adds the sites it lacks to the same directory. Queries: 20 typical ones, every
operator of the language.

hub: `GET /api/sites/search` through the whole app in-process (parse, compile, counts per type,
the page with every Site field, related searches, JSON), anonymous, with the response cache and
the throttle switched off. Also the SQL layer alone (`search_sites`: counts + page).
Ceiling: the same compiled statement run bare: the search window (the matches hub ranks, at
most 1,000, the most recommended first, read through the same tiers hub chooses) with its
score, then `SELECT id … ORDER BY score LIMIT 25` (no counts, no Site columns, no related
searches, no JSON).
Prints p50/p99 per layer and the ratio of p50s at each size (targets, at the top row: hub
<= 1.5x bare, p99 < 50 ms; and the endpoint's p50 within 1.5x of the bottom row's).
Latencies are sequential (one request at a time), so they are not queueing delays.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import asyncpg
import httpx
from _services import bench_settings
from _targets import flat, target

from hub.app import create_app
from hub.core.resources import open_resources
from hub.directory.queries import sites as site_queries
from hub.directory.search import parser as q
from hub.directory.search.sql import compile_query

COMMON = ["apple", "pear", "garden", "news", "coffee", "photo", "open", "source", "spain",
          "italy", "france", "england", "politics", "travel", "notes", "daily", "journal",
          "micro", "stream", "kitchen"]  # fmt: skip
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "qui", "bro", "dre",
             "fla", "gno", "hyl", "jor", "kle", "mur", "nix"]  # fmt: skip
QUERIES = [
    "apple",
    "apple pear",
    "apple OR pear",
    '"open source"',
    "title:garden",
    "description:coffee",
    "apple type:microblog or title:(open sesame)",
    '("current events" or news) and (spain or italy or france or england)',
    "gard*",
    "pho?o",
    "gardn~",
    "link:site42",
    "total_recommendations:>50",
    "total_recommendations:[10 TO 20] apple",
    "-politics travel",
    "notes NOT daily",
    "kitchen type:blog",
    "journal^2 stream",
    "kalomi",
    "micro stream photo",
]

SITES_SQL = """
INSERT INTO sites (link, link_key, title, description, type, total_recommendations, created_at,
                   last_post_at)
SELECT 'https://site' || g || '.example/', 'site' || g || '.example',
       initcap(w[1 + (abs(hashtext(g || 'a')) % n)]) || ' ' || w[1 + (abs(hashtext(g || 'b')) % n)]
           || ' ' || w[1 + floor(n * power((abs(hashtext(g || 'c')) % 1000) / 1000.0, 3))::int],
       (SELECT string_agg(w[1 + floor(n * power((abs(hashtext(g || 'd' || k)) % 1000) / 1000.0,
                                                3))::int], ' ')
        FROM generate_series(1, 12) k),
       (ARRAY['blog', 'microblog', 'photoblog'])[1 + abs(hashtext(g || 't')) % 3],
       abs(hashtext(g || 'r')) % 100,
       now() - make_interval(days => g % 1000),
       now() - make_interval(hours => g % 5000)
FROM generate_series($1::int, $2::int) g,
     (SELECT $3::text[] AS w, array_length($3::text[], 1) AS n) v
RETURNING id
"""
FEEDS_SQL = """
INSERT INTO feeds (site_id, feed_url, feed_key, format, title, is_main)
SELECT id, link || 'feed.xml', link_key || '/feed.xml', 'rss', title, true FROM sites
WHERE id = ANY($1::uuid[])
"""
POSTS_SQL = """
INSERT INTO posts (feed_id, site_id, identity, link, title, content, content_text, content_hash,
                   published_at, updated_at)
SELECT f.id, f.site_id, 'p' || k, f.feed_url || '#' || k, 'Post ' || k,
       '<p>' || f.title || ' post ' || k || '</p>', f.title || ' post ' || k,
       sha256(convert_to(f.id::text || k, 'UTF8')), now() - make_interval(days => k),
       now() - make_interval(days => k)
FROM feeds f, generate_series(1, $1) k
WHERE f.site_id = ANY($2::uuid[])
"""
BATCH = 10_000


def vocabulary() -> list[str]:
    words = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES[:5]]
    return COMMON + words  # the common words first: the cubed index favours them


async def generate(database_url: str, sites: int, posts_per_site: int) -> float:
    """Grow the directory to `sites` generated sites (with their feeds and posts), in batches
    on a connection of its own without a command timeout; seconds taken."""
    started = time.perf_counter()
    conn = await asyncpg.connect(database_url, command_timeout=None)
    try:
        have = await conn.fetchval("SELECT count(*) FROM sites")
        for first in range(have + 1, sites + 1, BATCH):
            async with conn.transaction():
                rows = await conn.fetch(
                    SITES_SQL, first, min(first + BATCH - 1, sites), vocabulary()
                )
                ids = [r["id"] for r in rows]
                await conn.execute(FEEDS_SQL, ids)
                await conn.execute(POSTS_SQL, posts_per_site, ids)
        await conn.execute("ANALYZE sites; ANALYZE feeds; ANALYZE posts")
    finally:
        await conn.close()
    return time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


SIZES = (1_000, 10_000, 100_000)


async def main(base, scale: float, rounds: int, per_query: bool) -> None:
    settings = dataclasses.replace(base, directory_cache_seconds=0, rate_directory_anon=0)
    sizes = sorted({max(100, int(n * scale)) for n in SIZES})
    endpoint_p50: list[float] = []
    bare_p50s: list[float] = []
    async with open_resources(settings) as resources:
        app = create_app(settings, resources)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for sites in sizes:
                took = await generate(settings.database_url, sites, 10)
                print(f"\n{sites:,} sites, {sites * 10:,} posts (generated in {took:.1f} s)")
                timings = await measure(resources.pool, http, rounds, per_query)
                endpoint_p50.append(percentile(timings[ENDPOINT], 0.5))
                bare_p50s.append(percentile(timings[BARE], 0.5))
    p99 = percentile(timings[ENDPOINT], 0.99)
    bare_p50 = percentile(timings[BARE], 0.5)
    top = f"{sizes[-1]:,} sites"
    target(f"directory search p99 at {top}", f"{p99:.1f} ms", p99, 50, at_most=True)
    figure = f"{endpoint_p50[-1]:.2f} ms vs {bare_p50:.2f} ms bare (p50)"
    ratio = endpoint_p50[-1] / bare_p50
    target(f"directory search endpoint/bare at {top}", figure, ratio, 1.5, at_most=True)
    ends = (f"{sizes[0]:,} sites", top)
    flat("directory search endpoint p50 scaling", endpoint_p50[0], endpoint_p50[-1], ends)
    # for reading the line above: how much of the growth the bare query has itself
    flat("directory search bare query p50 scaling", bare_p50s[0], bare_p50s[-1], ends)


BARE, SQL_LAYER, ENDPOINT = "bare SQL (ceiling)", "hub search_sites", "hub GET /api/sites/search"


async def measure(pool, http, rounds: int, per_query: bool) -> dict[str, list[float]]:
    """Each layer's latencies (ms) over `rounds` passes of the queries; prints the row."""
    compiled = {text: compile_query(q.parse(text).ast) for text in QUERIES}

    async def bare(text: str) -> None:
        c = compiled[text]
        async with pool.acquire() as conn, conn.transaction():
            # the statement's settings and parameters, as hub: custom plans (the window's plan
            # depends on how common the words are), pg_trgm's threshold for the fuzzy terms,
            # the words the wildcard and fuzzy terms expand to, the tiers of the most
            # recommended sites read first when the planner expects many matches (a generic
            # plan for those, kept per connection)
            prepared = await site_queries.prepare_search(conn, c)
            tiers = await site_queries.plan_window(conn, c, "relevance", prepared)
            statement, params = c, prepared.params
            if tiers and c.text_only:  # planned once per connection, as hub plans it
                statement, params = await site_queries.plan_once(conn, c, params)
            await conn.fetch(
                site_queries.window_sql(statement, "relevance", tiers)
                + " SELECT s.id FROM matched s ORDER BY s.score DESC, s.id LIMIT 25",
                *params,
            )

    async def sql_layer(text: str) -> None:
        c = compile_query(q.parse(text).ast)
        async with pool.acquire() as conn, conn.transaction():
            await site_queries.search_sites(
                conn, c, ordering="relevance", author_id=None, limit=25, offset=0
            )

    async def endpoint(text: str) -> None:
        r = await http.get("/api/sites/search", params={"q": text})
        assert r.status_code == 200, r.text

    layers = {BARE: bare, SQL_LAYER: sql_layer, ENDPOINT: endpoint}
    timings: dict[str, list[float]] = {name: [] for name in layers}
    by_query: dict[tuple[str, str], list[float]] = {}
    for text in QUERIES:  # warm up plans and caches
        for call in layers.values():
            await call(text)
    for _ in range(rounds):  # interleave the layers: fair under noise
        for text in QUERIES:
            for name, call in layers.items():
                start = time.perf_counter()
                await call(text)
                took = (time.perf_counter() - start) * 1000
                timings[name].append(took)
                by_query.setdefault((text, name), []).append(took)
    for name, values in timings.items():
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        mean = statistics.mean(values)
        print(f"  {name:28s} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   mean {mean:7.2f}")
    if per_query:
        for text in QUERIES:
            row = "  ".join(f"{statistics.median(by_query[(text, n)]):7.2f}" for n in layers)
            print(f"    {text[:50]:50s} {row}")
    bare_p50 = percentile(timings[BARE], 0.5)
    for name in (SQL_LAYER, ENDPOINT):
        ratio = percentile(timings[name], 0.5) / bare_p50
        print(f"  ratio {name} / bare (p50)   {ratio:5.2f}x   (target <= 1.5x)")
    return timings


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sizes = "multiplies the rows' sizes: 1 = 1,000, 10,000, 100,000 sites"
    parser.add_argument("--scale", type=float, default=1.0, help=sizes)
    parser.add_argument("--rounds", type=int, default=10, help="passes over the 20 queries")
    parser.add_argument("--per-query", action="store_true", help="median ms of each query")
    args = parser.parse_args()
    with bench_settings() as base:
        asyncio.run(main(base, args.scale, args.rounds, args.per_query))
