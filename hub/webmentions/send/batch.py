"""One run of the batched `send_webmentions` job (issue 20): every entry whose send row is
due, planned and sent together.

The entries core stages the job with the batch's id, due 30 s after the change
(`hub.core.entries.events`, R-W15). A run takes the rows that are due
(`hub.core.batches.take_due_batch`) in a transaction it holds until their sends are over,
and queues the next run for the rows still waiting; at most `SEND_RUNS` runs go on at once (a
run that finds no slot comes back a second later). While a run finds full batches (a
backlog) it takes the next one as soon as one is done, each in a transaction of its own. A
run reads only the rows it takes: the entry id its job carries is one of them, or was taken
by another run. A batch's entries are planned together and committed
(`planning.plan_entries`: `webmention_sends` rows marked `pending`, a handful of statements
for the whole batch), then sent in lanes per host (`lanes`), their attempts written in
batches (`records`); a send to retry gets its `send_webmention` job. The outbox rows go only
when every send of the batch has ended and been recorded: a crash or an outage mid-run rolls
them back, and the run that takes them again plans again, which sends only what is still
pending (a send recorded as sent for the entry's current version is not planned twice).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from hub.core.batches import (
    open_batch,
    queue_next_run,
    take_due_batch,
    take_run_slot,
)
from hub.core.entries.events import SEND_WEBMENTIONS
from hub.core.outages import is_outage
from hub.core.resources import Resources
from hub.core.webmentions import sends as sq
from hub.webmentions.send.lanes import send_rows
from hub.webmentions.send.planning import plan_entries
from hub.webmentions.send.records import Records

log = logging.getLogger("hub.webmentions")

SEND_BATCH = 1000  # entries one batch takes (a second of creates at full rate: host slots once)
SEND_RUNS = 2  # runs at once, across processes (each holds a connection while it sends)
RUN_SECONDS = 60.0  # a run takes batch after batch while they come full, this long at most


async def send_due(resources: Resources) -> Counter[str]:
    """Plan and send the webmentions of every entry whose row is due; how the sends went, by
    status. While it finds full batches (a backlog), the run takes the next batch as soon as
    one is done, for up to `RUN_SECONDS` (issue 20: a run a second capped the drain at
    `SEND_BATCH` entries a second); the run its first batch queued takes the second run
    slot. Its later batches queue no run (its first batch queued the one that takes what
    they leave), but for a backlog left at `RUN_SECONDS`: a run queues one run, as a run that
    takes one batch does (a run queuing one a batch piled up runs while a backlog lasted)."""
    await open_batch(resources.redis, SEND_WEBMENTIONS)
    records = Records(resources)
    failures: list[BaseException] = []
    until = time.monotonic() + RUN_SECONDS
    full = await _send_batch(resources, records, failures, queue_next=True)
    while full:
        if time.monotonic() >= until:  # a backlog left: the next run takes it on
            began = datetime.now(UTC)
            await queue_next_run(resources.redis, SEND_WEBMENTIONS, began, began=began)
            break
        full = await _send_batch(resources, records, failures, queue_next=False)
    for failure in failures:
        log.error("a webmention send failed", exc_info=failure)
    records.count()
    outcomes = records.outcomes
    if failures:
        outcomes["failed"] += len(failures)
    return outcomes


async def _send_batch(
    resources: Resources, records: Records, failures: list[BaseException], *, queue_next: bool
) -> bool:
    """One batch of due rows taken, planned, sent and recorded, in one transaction; whether
    it was full (more rows are due). With `queue_next`, the next run is queued for the rows
    it leaves."""
    began = datetime.now(UTC)
    async with resources.pool.acquire() as conn, conn.transaction():
        if not await take_run_slot(conn, SEND_WEBMENTIONS, SEND_RUNS):
            # the runs under way leave the rows they do not take: come back for them
            await queue_next_run(resources.redis, SEND_WEBMENTIONS, began, began=began)
            return False
        taken, next_due = await take_due_batch(conn, SEND_WEBMENTIONS, SEND_BATCH)
        if queue_next:
            await queue_next_run(resources.redis, SEND_WEBMENTIONS, next_due, began=began)
        rows = await plan_run(resources, list(dict.fromkeys(args[0] for args in taken)))
        failures += await send_rows(resources, rows, records)
        await records.flush()  # every attempt recorded before the rows go
    return len(taken) >= SEND_BATCH


async def plan_run(resources: Resources, entry_ids: list[int]) -> list[Any]:
    """The planned sends of the run's entries, committed `pending` (as `get_send` reads them).
    When planning them together fails (not an outage), each entry is planned alone, and one
    that cannot be planned is logged and dropped with its row, as a job failing for good is."""
    try:
        return await _plan(resources, entry_ids)
    except Exception as exc:
        if is_outage(exc):
            raise
        if len(entry_ids) == 1:
            log.exception("webmentions of entry %s not planned: %s", entry_ids[0], exc)
            return []
    rows: list[Any] = []
    for entry_id in entry_ids:
        rows += await plan_run(resources, [entry_id])
    return rows


async def _plan(resources: Resources, entry_ids: list[int]) -> list[Any]:
    async with resources.pool.acquire() as conn, conn.transaction():
        planned = await plan_entries(conn, resources, entry_ids)
        return await sq.mark_pending_returning(conn, planned) if planned else []
