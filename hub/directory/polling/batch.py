"""Poll a batch of feeds in one job: their poll states in one statement, the fetches
concurrently (at most `lanes` at once, each through the guarded client and the per-host
limits, as `poller.poll_feed`), and every poll that found nothing new recorded in one
statement at the end. Everything else a poll writes (new posts, errors, redirects) it writes
itself, as a single poll does.

One feed's failure stays its own: a bug while polling it is logged and the others go on; a
feed whose host is busy comes back in `BatchResult.busy` (its caller queues it on its own, for
when the host is free); a feed whose poll met an outage keeps its claim and is polled again
when the claim lapses (`queries.feeds.claim_due_feeds`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

from hub.core.hosts import HostBusy
from hub.core.outages import is_outage
from hub.core.resources import Resources
from hub.directory.polling import poller
from hub.directory.queries import feeds as feed_queries

log = logging.getLogger("hub.directory.polling.batch")


@dataclass
class BatchResult:
    results: list[poller.PollResult] = field(default_factory=list)
    busy: list[tuple[UUID, float]] = field(default_factory=list)  # (feed id, retry in seconds)
    failed: list[UUID] = field(default_factory=list)  # a bug or an outage: left to the claim


async def poll_feeds(
    resources: Resources, feed_ids: Sequence[UUID | str], *, lanes: int
) -> BatchResult:
    """Poll `feed_ids` (unknown ones are skipped), at most `lanes` fetches at once."""
    ids = [UUID(str(feed_id)) for feed_id in feed_ids]
    states = await feed_queries.get_poll_states(resources.pool, ids)
    batch = BatchResult()
    unchanged: list[feed_queries.Unchanged] = []
    gate = asyncio.Semaphore(lanes)

    async def poll(state) -> None:
        async with gate:
            try:
                result = await poller.poll_state(resources, state, unchanged=unchanged)
            except HostBusy as busy:
                batch.busy.append((state["id"], busy.retry_in))
                return
            except Exception as exc:  # one feed's failure never stops the others
                batch.failed.append(state["id"])
                if is_outage(exc):
                    log.info("poll of %s met an outage: %s", state["feed_url"], exc)
                else:
                    log.exception("poll of %s failed", state["feed_url"])
                return
        batch.results.append(result)

    await asyncio.gather(*(poll(state) for state in states))
    if unchanged:
        await feed_queries.record_unchanged(resources.pool, unchanged)
    return batch
