"""Jobs of the entry lifecycle: publishing what is due. A deferred job is staged for each
schedule's time; the cron sweep every 30 s catches up after downtime. Both run the same
`publish_due`, which claims rows with FOR UPDATE SKIP LOCKED, so nothing publishes twice.
A daily job purges entries soft-deleted more than `DELETED_RETENTION` ago."""

from __future__ import annotations

from datetime import UTC, datetime

from arq import cron

from hub.core.db import transaction
from hub.core.entries.lifecycle import DELETED_RETENTION
from hub.core.entries.publishing import publish_due
from hub.core.entries.queries import purge_deleted_entries


async def publish_due_entries(ctx: dict) -> list[int]:
    resources = ctx["resources"]
    published: list[int] = []
    while True:
        async with transaction(resources.pool) as conn:
            batch = await publish_due(conn, datetime.now(UTC), limit=100)
        published += batch
        if len(batch) < 100:
            return published


async def purge_deleted(ctx: dict) -> int:
    """Remove entries soft-deleted longer than the retention ago; their slugs become free."""
    resources = ctx["resources"]
    before = datetime.now(UTC) - DELETED_RETENTION
    purged = 0
    while True:
        async with transaction(resources.pool) as conn:
            batch = await purge_deleted_entries(conn, before, 500)
        purged += len(batch)
        if len(batch) < 500:
            return purged


FUNCTIONS = [publish_due_entries, purge_deleted]
CRON_JOBS = [
    cron(
        publish_due_entries,
        name="sweep_due_entries",
        second={15, 45},
        run_at_startup=True,
        unique=True,
    ),
    cron(purge_deleted, name="purge_deleted_entries", hour={3}, minute={17}, unique=True),
]
