"""The sends of a batched run, in lanes per host (webmention-site-feeds §2.4: at most 2
requests at once to a host).

A run's planned sends are grouped by their target's origin; each group gets up to
`SEND_HOST_CONCURRENCY` lanes, and every lane sends its group's sends one after the other,
keeping its host slot from one send to the next (`politeness.HeldSlot`), so a host's slot is
taken about once a run instead of once a send (issue 20). At most `SEND_LANES` lanes go at
once. Whether the origin is this node (R-W16: told in process) is asked once a group. Each
finished send goes to the run's `Records`, written in batches.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from hub.core.outages import is_outage
from hub.core.resources import Resources
from hub.core.urls import BadURL, split
from hub.webmentions.node_urls import is_node_url
from hub.webmentions.send.politeness import SEND_HOST_CONCURRENCY, HeldSlot
from hub.webmentions.send.records import Records
from hub.webmentions.send.sender import deliver, keep_context

SEND_LANES = 32  # lanes one run sends through at once


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        scheme, host, port, _, _ = split(url)
    except BadURL:
        return None
    return scheme, host, port


async def send_rows(resources: Resources, rows: list[Any], records: Records) -> list[BaseException]:
    """Send every planned send (`get_send`'s rows), each attempt kept in `records`; the
    failures that were not the target's (a send's own error, logged by the caller), or the
    first outage raised (the run gives its rows back)."""
    groups: dict[tuple[str, str, int | None] | None, deque[Any]] = {}
    for row in rows:
        groups.setdefault(_origin(row["target"]), deque()).append(row)
    lanes = asyncio.Semaphore(SEND_LANES)
    tasks: list[asyncio.Task[list[BaseException]]] = []
    try:
        for queue in groups.values():
            node = await is_node_url(resources, queue[0]["target"])
            for _ in range(min(SEND_HOST_CONCURRENCY, len(queue))):
                lane = _lane(resources, lanes, queue, node, records)
                tasks.append(asyncio.create_task(lane))
        results = await asyncio.gather(*tasks, return_exceptions=True)
    except BaseException:
        for task in tasks:
            task.cancel()
        raise
    failures: list[BaseException] = []
    for result in results:
        if isinstance(result, BaseException):
            if is_outage(result) or not isinstance(result, Exception):
                raise result
            failures.append(result)
        else:
            failures += result
    return failures


async def _lane(
    resources: Resources, lanes: asyncio.Semaphore, queue: deque[Any], node: bool,
    records: Records,
) -> list[BaseException]:  # fmt: skip
    failures: list[BaseException] = []
    slot = HeldSlot(resources)
    async with lanes:
        try:
            while queue:
                row = queue.popleft()
                try:
                    delivery = await deliver(resources, row, row["attempts"] + 1, slot, node=node)
                    await records.add(row, delivery)
                    if delivery.context:
                        await keep_context(resources, row, delivery.context)
                except Exception as exc:
                    if is_outage(exc):
                        raise
                    failures.append(exc)
        finally:
            await slot.release()
    return failures
