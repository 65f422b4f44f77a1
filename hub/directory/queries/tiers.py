"""Where a relevance search may stop reading: a tier of the most recommended sites (issue 20).

A relevance search's window is its 1,000 most recommended matches (`sites.WINDOW`). A word
on 5 % of a 100,000-site directory has 5,000 matches: read from the full-text index, every
one is fetched and sorted to keep 1,000; walked in recommendation order, 20,000 sites are read
to find 1,000. Both grow with the directory. When the planner expects many matches, but too
few for the walk to stop early (at most an eighth of the sites), the search first reads only
the matches among the first M sites in recommendation order, M chosen so that about 1.5
windows of matches fall there (a bitmap of the full-text index ANDed with one of
`sites_recommended_idx`) and at most a quarter of the directory, and reads the other matches
only when that tier holds no more than a window. Either way the window is exactly the one
the whole query chooses: every site of the tier comes before every other site in the
window's order.

A tier's bound is the (total_recommendations, id) key at a position of that order; the keys
at positions 2,000 x sqrt(2)^k are read at most once a minute per process, database and size. A
stale key changes how much a search reads, never what it finds. So does a stale estimate:
the planner's estimate of a search's matches is kept a minute per process for the same
statement and parameters (ESTIMATES of them at most), so a repeated search does not ask the
planner again (one round trip, 0.25-0.5 ms at 100,000 sites).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from uuid import UUID

import asyncpg

FIRST_BOUND = 2  # windows: the smallest tier
TIER_MATCHES = 1.5  # windows of matches a tier is meant to hold
WALK_SHARE = 8  # a query on more than 1/8 of the sites walks the index and stops early
BOUNDS_SECONDS = 60.0  # how long a process keeps a database's bound keys
ESTIMATES = 1024  # planner estimates a process keeps (BOUNDS_SECONDS each), oldest out first


@dataclass(frozen=True)
class Tier:
    """The sites up to this key in recommendation order (most first, then by id)."""

    total_recommendations: int
    site_id: UUID


def bound_positions(sites: float, window: int) -> list[int]:
    """The positions whose keys are kept: FIRST_BOUND windows, growing by sqrt(2), up to a
    quarter of the directory (past it, reading the tier's part of `sites_recommended_idx`
    costs about what it saves: measured with a word on 4 % of 100,000 sites)."""
    positions, k = [], 0
    while (position := int(FIRST_BOUND * window * math.sqrt(2) ** k)) <= sites / 4:
        positions.append(position)
        k += 1
    return positions


def tier_position(expected: float, sites: float, window: int) -> int | None:
    """The smallest kept position holding about TIER_MATCHES windows of `expected` matches
    spread over `sites` sites, or None when a tier does not pay: few matches (the index reads
    them all cheaply) or very many (walking the order stops after a few windows)."""
    if expected < FIRST_BOUND * window or expected > sites / WALK_SHARE:
        return None
    wanted = TIER_MATCHES * window * sites / expected
    return next((p for p in bound_positions(sites, window) if p >= wanted), None)


_bounds: dict[tuple[str, float], tuple[float, dict[int, Tier]]] = {}


async def _bound_keys(
    conn: asyncpg.Connection, database: str, sites: float, window: int
) -> dict[int, Tier]:
    """The keys at `bound_positions`, read through `sites_recommended_idx` (cached per
    database and size: a directory analysed at another size has other positions)."""
    now = time.monotonic()
    cached = _bounds.get((database, sites))
    if cached is not None and cached[0] > now:
        return cached[1]
    positions = bound_positions(sites, window)
    rows = await conn.fetch(
        "SELECT n, total_recommendations, id FROM (SELECT total_recommendations, id,"
        " row_number() OVER (ORDER BY total_recommendations DESC, id) AS n"
        " FROM sites WHERE hidden_at IS NULL"
        " ORDER BY total_recommendations DESC, id LIMIT $2) o WHERE n = ANY ($1::bigint[])",
        positions,
        max(positions, default=0),
    )
    keys = {r["n"]: Tier(r["total_recommendations"], r["id"]) for r in rows}
    _bounds[(database, sites)] = (now + BOUNDS_SECONDS, keys)
    return keys


async def choose_tier(
    conn: asyncpg.Connection,
    where: str,
    params: list,
    *,
    database: str,
    sites: float,
    window: int,
) -> Tier | None:
    """The tier a relevance search over `where` (its `params`) should read first, or None.
    Asks the planner how many sites match (only for a directory large enough to need it)."""
    if sites < 4 * FIRST_BOUND * window:
        return None
    expected = await estimate_matches(conn, where, params, database=database, sites=sites)
    position = tier_position(expected, sites, window)
    if position is None:
        return None
    return (await _bound_keys(conn, database, sites, window)).get(position)


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
