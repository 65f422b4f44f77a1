"""Polite sending (webmention-site-feeds §2.4): at most 2 concurrent webmention requests per
host (the discovery GET of a target, the POST to an endpoint), across every worker process.

It is the core host slot (`hub.core.hosts.host_slot`) in the `webmention` family. A send
waits for a free slot (a slow receiver makes the others queue behind it, which is the point);
after `SLOT_WAIT` seconds it gives up with `HostBusy`, which the sender retries like a network
error. A send whose endpoint is on the target's host keeps the one slot for both its requests
(`same_host`), which are one after the other.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from hub.core.hosts import HostBusy, host_slot
from hub.core.resources import Resources
from hub.core.urls import BadURL, split

__all__ = ["SEND_HOST_CONCURRENCY", "HostBusy", "request_slot", "same_host"]

SEND_HOST_CONCURRENCY = 2
SLOT_WAIT = 30.0  # seconds a request waits for its host's slot


@asynccontextmanager
async def request_slot(
    resources: Resources, url: str, *, wait: float = SLOT_WAIT
) -> AsyncIterator[None]:
    """Hold one of the 2 request slots of `url`'s host for the length of the block."""
    try:
        host = split(url)[1]
    except BadURL:  # the fetch itself refuses it
        yield
        return
    async with host_slot(
        resources, host, family="webmention", limit=SEND_HOST_CONCURRENCY, wait=wait
    ):
        yield


def same_host(a: str, b: str) -> bool:
    """Whether two URLs are on one host (one slot covers requests to both, one after the
    other: a target page and its endpoint)."""
    try:
        return split(a)[1] == split(b)[1]
    except BadURL:
        return False
