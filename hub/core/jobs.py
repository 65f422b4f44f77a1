"""Jobs of the core: the outbox sweep that queues jobs that were staged but never sent, or
whose run Redis lost (docs/decisions/0003, 0007)."""

from __future__ import annotations

from arq import cron

from hub.core.queue import flush_outbox


async def sweep_outbox(ctx: dict) -> int:
    resources = ctx["resources"]
    return await flush_outbox(resources.pool, resources.redis)


FUNCTIONS = [sweep_outbox]
CRON_JOBS = [cron(sweep_outbox, second={0, 30}, run_at_startup=True, unique=True)]
