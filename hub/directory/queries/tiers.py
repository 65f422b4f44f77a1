"""Where a relevance search may stop reading: tiers of recommendations (issue 20).

A relevance search's window is its 1,000 most recommended matches (`sites.WINDOW`). A word
on 5 % of a 100,000-site directory has 5,000 matches: read from the full-text index, every
one is fetched and sorted to keep 1,000; walked in recommendation order, 20,000 sites are read
to find 1,000. Both grow with the directory.

A tier is a range of total_recommendations (`TIERS`: 128 and more, 91-127, ... 2, 1) with a
full-text index of its own (migration 0028, its predicate the range). When the planner
expects many matches, but too few for the walk in recommendation order to find a window in
fewer rows than the tiers would read, the search reads the matches of the most recommended
tier from its index, then the next tier's only while the window is not full, and so on for
the tiers that should hold about two windows of its matches (`tiers_to_read`, from the
tiers' sizes, counted once a minute), then the rest of the sites only if the window is still
not full (`sites.window_sql`). Either way the window is exactly the one the whole query
chooses: every site of a tier comes before every site of the next in the window's order, so
results, counts and `capped` do not change. The indexes' predicates are the tiers, so the
write that changes a site's recommendations moves it between them: no column, trigger or
job keeps them.

The planner's estimate of a search's matches is kept a minute per process for the same
statement and parameters (ESTIMATES of them at most), so a repeated search does not ask the
planner again (one round trip, 0.25-0.5 ms at 100,000 sites). A stale estimate changes how
much a search reads, never what it finds.
"""

from __future__ import annotations

import json
import time

import asyncpg

# lower bounds of the indexed tiers (migration 0028), most recommended first: about sqrt(2)
# apart, so a tier holds sites of about the same standing whatever the directory's spread
TIERS = (128, 91, 64, 45, 32, 23, 16, 11, 8, 6, 4, 3, 2, 1)
SMALLEST = 8  # windows: a smaller directory reads its matches without tiers
FIRST_TIER = 2  # windows of expected matches from which the tiers pay
TIER_MATCHES = 2.0  # windows of expected matches the tiers read are meant to hold
TIER_COST = 1.5  # a row read from a tier costs about this many rows of the walk (the sort)
BOUNDS_SECONDS = 60.0  # how long a process keeps tier sizes and estimates
ESTIMATES = 1024  # planner estimates a process keeps (BOUNDS_SECONDS each), oldest out first
_COLUMN = "s.total_recommendations"


def tier_condition(k: int) -> str:
    """Tier `k`'s condition, as the index's predicate (the planner matches it as text)."""
    upper = f" AND {_COLUMN} < {TIERS[k - 1]}" if k else ""
    return f"{_COLUMN} >= {TIERS[k]}{upper}"


def rest_condition(end: int) -> str:
    """The sites after the first `end` tiers (read through sites_search_idx)."""
    return f"{_COLUMN} < {TIERS[end - 1]}"


def tiers_to_read(expected: float, sizes: list[int], window: int) -> int:
    """How many tiers a search expecting `expected` matches reads before the rest: the
    fewest whose sites (`sizes`, per tier, then the rest) hold about TIER_MATCHES windows of
    them, taking the matches as spread evenly; 0 (no tiers) when tiers do not pay: few
    matches (the index reads them all cheaply), so many that walking the recommendation
    order finds a window in fewer rows than the tiers read (TIER_COST each), or too few
    recommended sites to hold them."""
    sites = sum(sizes)
    if sites < SMALLEST * window or expected < FIRST_TIER * window:
        return 0
    share = min(1.0, expected / sites)
    walk = window / share  # the rows a walk in recommendation order reads for a window
    held = 0
    for k, size in enumerate(sizes[: len(TIERS)]):
        fills = held * share < window <= (held + size) * share
        held += size
        if fills and held * share * TIER_COST > walk:
            return 0  # the tiers read until one fills the window read more than the walk
        if held * share >= TIER_MATCHES * window:
            return k + 1
    return 0


_sizes: dict[tuple[str, float], tuple[float, list[int]]] = {}


async def tier_sizes(conn: asyncpg.Connection, database: str, sites: float) -> list[int]:
    """The visible sites of each tier, then of the rest: counted through
    sites_recommended_idx at most once a minute per process, database and planner's count
    of sites (stale sizes change what a search reads, never what it finds)."""
    now = time.monotonic()
    cached = _sizes.get((database, sites))
    if cached is not None and cached[0] > now:
        return cached[1]
    counts = ", ".join(f"count(*) FILTER (WHERE {tier_condition(k)})" for k in range(len(TIERS)))
    row = await conn.fetchrow(
        f"SELECT {counts}, count(*) FILTER (WHERE {rest_condition(len(TIERS))})"
        " FROM sites s WHERE s.hidden_at IS NULL"
    )
    sizes = list(row)
    _sizes[(database, sites)] = (now + BOUNDS_SECONDS, sizes)
    return sizes


async def choose_tiers(
    conn: asyncpg.Connection,
    where: str,
    params: list,
    *,
    database: str,
    sites: float,
    window: int,
) -> int:
    """How many tiers a relevance search over `where` (its `params`) reads first
    (`tiers_to_read`), 0 for none. Asks the planner how many sites match (only for a
    directory large enough)."""
    if sites < SMALLEST * window:
        return 0
    expected = await estimate_matches(conn, where, params, database=database, sites=sites)
    if expected < FIRST_TIER * window:
        return 0
    return tiers_to_read(expected, await tier_sizes(conn, database, sites), window)


_estimates: dict[tuple, tuple[float, float]] = {}


async def estimate_matches(
    conn: asyncpg.Connection, where: str, params: list, *, database: str, sites: float = -1
) -> float:
    """The planner's estimate of the visible sites matching `where` (its `params`): asked
    with `EXPLAIN`, then kept BOUNDS_SECONDS for the same statement and parameters while
    the planner's count of sites (`sites`, changed by each ANALYZE) stays the same."""
    key = (database, sites, where, *params)
    now = time.monotonic()
    try:
        cached = _estimates.get(key)
    except TypeError:  # an unhashable parameter: not kept
        key, cached = None, None
    if cached is not None and cached[0] > now:
        return cached[1]
    plan = await conn.fetchval(
        f"EXPLAIN (FORMAT JSON) SELECT 1 FROM sites s WHERE s.hidden_at IS NULL AND {where}",
        *params,
    )
    if isinstance(plan, str):  # a connection without the pool's json codec
        plan = json.loads(plan)
    expected = float(plan[0]["Plan"]["Plan Rows"])
    if key is None:
        return expected
    _estimates.pop(key, None)
    while len(_estimates) >= ESTIMATES:
        del _estimates[next(iter(_estimates))]
    _estimates[key] = (now + BOUNDS_SECONDS, expected)
    return expected
