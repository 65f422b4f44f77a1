"""Copy remote media an entry names into local media, in the background.

Staged (`FETCH_JOB`) in the transaction that names the URLs and run after commit. Each URL
is fetched through the guarded client (`resources.fetcher`: http(s) only, public addresses
only, checked again on every redirect, with its byte, time and redirect limits), must sniff
as a type hub stores, and is stored like an upload; the entry then uses the copy, and the
source it was given is never rewritten. A copy the channel already has (same `source_url`)
is reused without a fetch.

Outcomes per URL (`entry_remote_media.status`): `stored`; `refused` when the guard refused the
address or scheme (never retried, never hot-linked); `failed` after `MAX_ATTEMPTS` transient
failures or a permanent one (renderers hot-link it).
"""

from __future__ import annotations

import logging

from arq import Retry

from hub.core.db import transaction
from hub.core.entries import attachments
from hub.core.errors import FetchFailed, FetchRefused, Invalid, TooLarge
from hub.core.files import StagedFiles
from hub.core.media import queries as media_queries
from hub.core.resources import Resources

log = logging.getLogger(__name__)

FETCH_JOB = "fetch_entry_media"
MAX_ATTEMPTS = 3
RETRY_SECONDS = 30
MAX_BYTES = 20 * 1024 * 1024  # per URL (micropub-resolved §3.4); redirects: the client's cap
TIMEOUT_SECONDS = 15.0


def fetch_job_id(entry_id: int) -> str:
    return f"{FETCH_JOB}:{entry_id}"


async def fetch_entry_media(ctx: dict, entry_id: int) -> dict[str, int]:
    """Fetch every pending remote URL of an entry; raises `Retry` while a transient failure
    has attempts left. Returns how many URLs ended in each state this run."""
    resources: Resources = ctx["resources"]
    counts = {"stored": 0, "failed": 0, "refused": 0, "pending": 0}
    entry = await resources.pool.fetchrow(
        "SELECT id, author_id, channel_id FROM entries WHERE id = $1", entry_id
    )
    if entry is None:
        return counts
    rows = await resources.pool.fetch(
        """
        SELECT DISTINCT url FROM entry_remote_media
        WHERE entry_id = $1 AND status = 'pending' ORDER BY url
        """,
        entry_id,
    )
    for row in rows:
        state = await _copy(resources, entry, row["url"])
        counts[state] += 1
    if counts["pending"]:
        raise Retry(defer=RETRY_SECONDS * max(1, ctx.get("job_try", 1)))
    return counts


async def _copy(resources: Resources, entry, url: str) -> str:
    existing = await media_queries.find_remote_copy_id(resources.pool, entry["channel_id"], url)
    if existing is not None:
        return await _settle(resources, entry["id"], url, "stored", media_id=existing)
    try:
        result = await resources.fetcher.fetch(url, max_bytes=MAX_BYTES, timeout=TIMEOUT_SECONDS)
    except FetchRefused as exc:
        return await _settle(resources, entry["id"], url, "refused", error=exc.message)
    except TooLarge as exc:
        return await _settle(resources, entry["id"], url, "failed", error=exc.message)
    except FetchFailed as exc:
        return await _settle(resources, entry["id"], url, "pending", error=exc.message)
    if result.status >= 500 or result.status == 429:
        return await _settle(resources, entry["id"], url, "pending", error=f"HTTP {result.status}")
    if result.status >= 300:
        return await _settle(resources, entry["id"], url, "failed", error=f"HTTP {result.status}")
    if attachments.accepted_type(result.content) is None:
        return await _settle(
            resources, entry["id"], url, "failed", error="not an accepted media type"
        )
    files = StagedFiles(resources.settings.media_dir)
    try:
        async with transaction(resources.pool) as conn:
            stored = await attachments.store_original(
                conn,
                resources.settings,
                result.content,
                author_id=entry["author_id"],
                channel_id=entry["channel_id"],
                credential_id=None,
                purpose="remote",
                source_url=url,
                files=files,
            )
            settled = await _settle(
                resources, entry["id"], url, "stored", media_id=stored.id, conn=conn
            )
    except (Invalid, TooLarge) as exc:
        await files.discard()
        return await _settle(resources, entry["id"], url, "failed", error=exc.message)
    except BaseException:
        await files.discard()
        raise
    await files.publish()
    return settled


async def _settle(
    resources: Resources,
    entry_id: int,
    url: str,
    status: str,
    *,
    media_id: int | None = None,
    error: str | None = None,
    conn=None,
) -> str:
    """Record the outcome for every role the URL has in the entry; a transient failure stays
    `pending` until it has used its attempts. Returns the recorded state."""
    if conn is None:
        async with transaction(resources.pool) as own:
            return await _record(own, entry_id, url, status, media_id, error)
    return await _record(conn, entry_id, url, status, media_id, error)


async def _record(conn, entry_id: int, url: str, status: str, media_id, error) -> str:
    rows = await conn.fetch(
        """
        UPDATE entry_remote_media
        SET attempts = attempts + 1, error = $4, media_id = $5, updated_at = now(),
            status = CASE WHEN $3 = 'pending' AND attempts + 1 >= $6 THEN 'failed' ELSE $3 END
        WHERE entry_id = $1 AND url = $2 AND status = 'pending'
        RETURNING role, position, alt, status
        """,
        entry_id,
        url,
        status,
        error,
        media_id,
        MAX_ATTEMPTS,
    )
    if status == "stored" and media_id is not None:
        await attachments.attach(
            conn,
            entry_id,
            [
                attachments.Attachment(media_id, r["role"], r["position"], r["alt"], url)
                for r in rows
            ],
        )
    recorded = rows[0]["status"] if rows else status
    if recorded in ("refused", "failed"):
        log.info("remote media %s of entry %s: %s (%s)", url, entry_id, recorded, error)
    return recorded


FUNCTIONS = [fetch_entry_media]
CRON_JOBS: list = []
