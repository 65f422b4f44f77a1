"""Which redirects a feed poll went through, and what they do to the stored `feed_url` (R-D23).

`FetchResult.redirects` lists the URLs a fetch was redirected through, not their statuses, and
the guarded client lives in core. `watching()` records the status of every response the client
receives during one poll through httpx's public response hook (a context variable scopes it to
the current task, so other users of the shared client record nothing).

Rule: a 301/308 chain (every hop permanent) that ends in a feed that parses moves `feed_url`
after 2 consecutive polls saw the same target. A temporary hop (302/303/307) anywhere in the
chain resets the count. When the target is already another known feed, the two are merged
under the older id (`queries.feeds.merge_feeds`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpx

PERMANENT = frozenset({301, 308})
MOVE_AFTER = 2  # consecutive polls redirected permanently to the same target

_hops: ContextVar[list[int] | None] = ContextVar("hub_directory_redirect_hops", default=None)


async def _record(response: httpx.Response) -> None:
    hops = _hops.get()
    if hops is not None:
        hops.append(response.status_code)


def install(fetcher: Any) -> None:
    """Add the recording hook to a GuardedClient's httpx client (once)."""
    client = getattr(fetcher, "_client", None)
    if not isinstance(client, httpx.AsyncClient):
        return
    hooks = client.event_hooks
    if _record not in hooks.get("response", []):
        hooks["response"] = [*hooks.get("response", []), _record]
        client.event_hooks = hooks


@contextlib.contextmanager
def watching(fetcher: Any) -> Iterator[list[int]]:
    """Statuses of the responses received inside the block, in order."""
    install(fetcher)
    hops: list[int] = []
    token = _hops.set(hops)
    try:
        yield hops
    finally:
        _hops.reset(token)


@dataclass(frozen=True)
class RedirectStep:
    redirect_url: str | None  # the pending permanent target (None: no pending move)
    redirect_count: int
    move_to: str | None  # set when feed_url changes now


def next_step(
    *, statuses: list[int], chain: tuple[str, ...], final_url: str, pending: str | None, count: int
) -> RedirectStep:
    """What this poll's redirects mean. `statuses` are every response's status (redirects,
    then the final one); `chain` the URLs redirected through. Pure."""
    if not chain:
        return RedirectStep(None, 0, None)
    hops = statuses[: len(chain)]
    if len(hops) != len(chain) or any(status not in PERMANENT for status in hops):
        return RedirectStep(None, 0, None)  # temporary: followed, never stored
    seen = count + 1 if pending == final_url else 1
    if seen >= MOVE_AFTER:
        return RedirectStep(None, 0, final_url)
    return RedirectStep(final_url, seen, None)
