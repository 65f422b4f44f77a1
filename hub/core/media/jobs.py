"""Jobs of core media: the daily cleanup of uploads that no entry or channel ever used
(R-M26), whichever API made them."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from arq import cron

from hub.core.media import pipeline, queries
from hub.core.resources import Resources

log = logging.getLogger(__name__)
BATCH = 500


async def clean_uploads(ctx: dict) -> int:
    """Delete uploads still unattached `media_retention_days` after they were made: the row,
    then its files. Returns how many were deleted."""
    resources: Resources = ctx["resources"]
    settings = resources.settings
    older_than = datetime.now(UTC) - timedelta(days=settings.media_retention_days)
    deleted = 0
    while True:
        rows = await queries.list_expired_uploads(
            resources.pool, older_than=older_than, limit=BATCH
        )
        for row in rows:
            async with resources.pool.acquire() as conn:
                if not await queries.delete_unattached_media(conn, row["id"]):
                    continue  # attached meanwhile
            for relative in (row["original_path"], row["path"]):
                if relative:
                    try:
                        await asyncio.to_thread(pipeline.delete_file, settings.media_dir, relative)
                    except Exception:  # a bad path must not stop the sweep
                        log.warning("could not delete media file %s", relative, exc_info=True)
            deleted += 1
        if len(rows) < BATCH:
            return deleted


FUNCTIONS = [clean_uploads]
CRON_JOBS = [cron(clean_uploads, hour={4}, minute={17}, unique=True)]
