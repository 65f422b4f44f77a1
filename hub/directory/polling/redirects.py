"""Which redirects a feed poll went through, and what they do to the stored `feed_url` (R-D23).

Rule: a 301/308 chain (every hop permanent) that ends in a feed that parses moves `feed_url`
after 2 consecutive polls saw the same target. A temporary hop (302/303/307) anywhere in the
chain resets the count. When the target is already another known feed, the two are merged
under the older id (`queries.feeds.merge_feeds`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PERMANENT = frozenset({301, 308})
MOVE_AFTER = 2  # consecutive polls redirected permanently to the same target


@dataclass(frozen=True)
class RedirectStep:
    redirect_url: str | None  # the pending permanent target (None: no pending move)
    redirect_count: int
    move_to: str | None  # set when feed_url changes now


def next_step(
    *,
    statuses: Sequence[int],
    chain: Sequence[str],
    final_url: str,
    pending: str | None,
    count: int,
) -> RedirectStep:
    """What this poll's redirects mean. `statuses` are the redirect hops' statuses
    (`FetchResult.redirect_statuses`); `chain` the URLs redirected through. Pure."""
    if not chain:
        return RedirectStep(None, 0, None)
    hops = statuses[: len(chain)]
    if len(hops) != len(chain) or any(status not in PERMANENT for status in hops):
        return RedirectStep(None, 0, None)  # temporary: followed, never stored
    seen = count + 1 if pending == final_url else 1
    if seen >= MOVE_AFTER:
        return RedirectStep(None, 0, final_url)
    return RedirectStep(final_url, seen, None)
