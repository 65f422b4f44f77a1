"""Jobs of the entry lifecycle: publishing what is due. A deferred job is staged for each
schedule's time; the cron sweep every 30 s catches up after downtime. Both run the same
`publish_due`, which claims rows with FOR UPDATE SKIP LOCKED, so nothing publishes twice."""

from __future__ import annotations

from datetime import UTC, datetime

from arq import cron

from hub.core.db import transaction
from hub.core.entries.publishing import publish_due


async def publish_due_entries(ctx: dict) -> list[int]:
    resources = ctx["resources"]
    published: list[int] = []
    while True:
        async with transaction(resources.pool) as conn:
            batch = await publish_due(conn, datetime.now(UTC), limit=100)
        published += batch
        if len(batch) < 100:
            return published


FUNCTIONS = [publish_due_entries]
CRON_JOBS = [
    cron(
        publish_due_entries,
        name="sweep_due_entries",
        second={15, 45},
        run_at_startup=True,
        unique=True,
    )
]
