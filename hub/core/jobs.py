"""Jobs of the core: the outbox sweep that queues jobs that were staged but never sent, or
whose run Redis lost (docs/decisions/0003, 0007)."""

from __future__ import annotations

import logging

from arq import cron

from hub.core.outages import OutageLog, is_outage
from hub.core.queue import flush_outbox

log = logging.getLogger("hub.queue")
_outage = OutageLog(log, "outbox sweep")


async def sweep_outbox(ctx: dict) -> int:
    """Queue what is due; during an outage, nothing (the rows wait for the next sweep)."""
    resources = ctx["resources"]
    try:
        flushed = await flush_outbox(resources.pool, resources.redis)
    except Exception as exc:
        if not is_outage(exc):
            raise
        _outage.failed(exc)
        return 0
    _outage.recovered()
    return flushed


FUNCTIONS = [sweep_outbox]
CRON_JOBS = [cron(sweep_outbox, second={0, 30}, run_at_startup=True, unique=True)]
