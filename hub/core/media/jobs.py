"""Jobs of core media: the daily cleanup of uploads that no entry or channel ever used
(R-M26), whichever API made them; the feed renditions (PNG/JPEG) of covers and avatars
stored before the pipeline made them at upload (issue 16)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from arq import cron

from hub.core.errors import Invalid
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


async def make_feed_renditions(ctx: dict) -> int:
    """Make the missing feed renditions of the covers and avatars channels use, from their
    stored WebP files, beside them; a file that cannot be read or converted is marked '' and
    not tried again. Returns how many were made. Feeds never convert: until this has run
    they show no RSS <image> and the WebP as Atom icon and JSON Feed icon."""
    resources: Resources = ctx["resources"]
    root = resources.settings.media_dir
    made = 0
    while True:
        rows = await queries.list_due_feed_renditions(resources.pool, BATCH)
        for row in rows:
            feed_path = ""
            try:
                data = await asyncio.to_thread(pipeline.safe_path(root, row["path"]).read_bytes)
                rendition, content_type = await pipeline.feed_rendition_async(data)
                feed_path = pipeline.rendition_path(row["path"], content_type)
                await asyncio.to_thread(pipeline.write_atomically, root, feed_path, rendition)
                made += 1
            except (OSError, ValueError, Invalid):
                log.warning("no feed rendition of media %s", row["id"], exc_info=True)
                feed_path = ""
            await queries.set_feed_path(resources.pool, row["id"], feed_path)
        if len(rows) < BATCH:
            return made


FUNCTIONS = [clean_uploads, make_feed_renditions]
CRON_JOBS = [
    cron(clean_uploads, hour={4}, minute={17}, unique=True),
    cron(make_feed_renditions, minute={7, 37}, unique=True, run_at_startup=True),
]
