"""Polite sending (webmention-site-feeds §2.4): at most 2 concurrent webmention requests per
host (the discovery GET of a target, the POST to an endpoint), across every worker process.

It is the core host slot (`hub.core.hosts.host_slot`) in the `webmention` family, held by a
sender (`HeldSlot`) one host at a time: a sender keeps its slot across its requests to one
host (a target page and an endpoint on the same host, or the next send of a batched run's
lane to that host, issue 20: two Redis round trips a send were ~5% of the worker) and gives it
up before it asks for another host's, so no sender ever holds one slot while waiting for
another. It keeps a slot at most `HOLD_SECONDS` in a row, then takes it again, so other
processes' senders get their turn and a held slot never outlives its Redis counter
(`hub.core.hosts.SLOT_TTL`). A request waits for a free slot (a slow receiver makes the others
queue behind it, which is the point); after `SLOT_WAIT` seconds it gives up with `HostBusy`,
which the sender retries like a network error.
"""

from __future__ import annotations

import time

from hub.core.hosts import HostBusy, host_slot
from hub.core.resources import Resources
from hub.core.urls import BadURL, split

__all__ = ["SEND_HOST_CONCURRENCY", "HeldSlot", "HostBusy"]

SEND_HOST_CONCURRENCY = 2
SLOT_WAIT = 30.0  # seconds a request waits for its host's slot
HOLD_SECONDS = 10.0  # a sender keeps a host's slot this long at most, then takes it again


class HeldSlot:
    """The host slot one sender holds: `hold(url)` before each request, `release()` when the
    sender is done (also after a failure)."""

    def __init__(self, resources: Resources, *, wait: float = SLOT_WAIT) -> None:
        self.resources = resources
        self.wait = wait
        self.host: str | None = None
        self._slot: host_slot | None = None
        self._until = 0.0

    async def hold(self, url: str) -> None:
        """Hold one of the 2 request slots of `url`'s host (kept when it is already held);
        raises HostBusy after waiting `wait` seconds for it."""
        try:
            host = split(url)[1]
        except BadURL:  # the fetch itself refuses it
            await self.release()
            return
        if host == self.host and time.monotonic() < self._until:
            return
        await self.release()
        slot = host_slot(
            self.resources, host, family="webmention", limit=SEND_HOST_CONCURRENCY,
            wait=self.wait,
        )  # fmt: skip
        await slot.__aenter__()
        self._slot, self.host, self._until = slot, host, time.monotonic() + HOLD_SECONDS

    async def release(self) -> None:
        """Give the slot up, if one is held."""
        slot, self._slot, self.host = self._slot, None, None
        if slot is not None:
            await slot.__aexit__(None, None, None)
