"""One run of the batched `send_webmentions` job (issue 20): every entry whose send row is
due, planned and sent together.

The entries core stages the job with the batch's id, due 30 s after the change
(`hub.core.entries.events`, R-W15). A run takes the rows that are due
(`hub.core.batches.take_due_batch`) in a transaction it holds until its sends are over, and
queues the next run for the rows still waiting; at most `SEND_RUNS` runs go on at once (a
run that finds no slot comes back a second later). A run reads only the rows it takes: the
entry id its job carries is one of them, or was taken by another run. Each entry's sends are
planned and committed (`plan_sends`: `webmention_sends` rows marked `pending`), then made,
each attempt recorded as it ends; a send to retry gets its `send_webmention` job
(`send_first`). The outbox rows go only when every send of the run has ended: a crash or an
outage mid-run rolls them back, and the run that takes them again plans again, which sends
only what is still pending (a send recorded as sent for the entry's current version is not
planned twice).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime

from hub.core.batches import (
    open_batch,
    queue_next_run,
    take_due_batch,
    take_run_slot,
)
from hub.core.entries.events import SEND_WEBMENTIONS
from hub.core.outages import is_outage
from hub.core.resources import Resources
from hub.webmentions.send.sender import Delivery, plan_sends, send_first

log = logging.getLogger("hub.webmentions")

SEND_BATCH = 250  # entries one run takes
SEND_LANES = 32  # sends one run makes at once (each host's politeness slots still apply)
SEND_RUNS = 2  # runs at once, across processes (each holds a connection while it sends)


async def send_due(resources: Resources) -> Counter[str]:
    """Plan and send the webmentions of every entry whose row is due; how the sends went, by
    status."""
    began = datetime.now(UTC)
    await open_batch(resources.redis, SEND_WEBMENTIONS)
    lanes = asyncio.Semaphore(SEND_LANES)
    sending: list[asyncio.Task[Delivery | None]] = []
    try:
        async with resources.pool.acquire() as conn, conn.transaction():
            if not await take_run_slot(conn, SEND_WEBMENTIONS, SEND_RUNS):
                # the runs under way leave the rows they do not take: come back for them
                await queue_next_run(resources.redis, SEND_WEBMENTIONS, began, began=began)
                return Counter()
            taken, next_due = await take_due_batch(conn, SEND_WEBMENTIONS, SEND_BATCH)
            await queue_next_run(resources.redis, SEND_WEBMENTIONS, next_due, began=began)
            for entry_id in dict.fromkeys(args[0] for args in taken):
                for send_id in await _plan(resources, entry_id):
                    sending.append(asyncio.create_task(_send(resources, lanes, send_id)))
            results = await asyncio.gather(*sending, return_exceptions=True)
            _raise_outage(results)  # the rows come back for the retry
    except BaseException:
        for task in sending:
            task.cancel()
        raise
    outcomes: Counter[str] = Counter()
    for result in results:
        if isinstance(result, BaseException):
            outcomes["failed"] += 1
        elif result is not None:
            outcomes[result.status] += 1
    return outcomes


async def _plan(resources: Resources, entry_id: int) -> list[int]:
    """The entry's planned sends; an entry that cannot be planned (not an outage) is logged
    and dropped with its row, as a job failing for good is."""
    try:
        return await plan_sends(resources, entry_id, stage=False)
    except Exception as exc:
        if is_outage(exc):
            raise
        log.exception("webmentions of entry %s not planned: %s", entry_id, exc)
        return []


async def _send(resources: Resources, lanes: asyncio.Semaphore, send_id: int) -> Delivery | None:
    async with lanes:
        return await send_first(resources, send_id)


def _raise_outage(results: list[object]) -> None:
    """Raise the first outage among the sends' results; log every other failure (the send
    stays `pending`; the webmention sweep queues it again)."""
    for result in results:
        if isinstance(result, BaseException) and is_outage(result):
            raise result
    for result in results:
        if isinstance(result, BaseException):
            log.error("a webmention send failed", exc_info=result)
