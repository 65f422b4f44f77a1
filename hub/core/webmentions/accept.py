"""The one statement that accepts a webmention (webmention-site-feeds.md §1.2-1.3, R-W2-R-W4):
resolve the target's channel and entry, insert the (source, target) pair or re-queue the
existing row, and stage its verify job in `job_outbox` as a claimed row (the caller queues
it right after, the sweep only if the caller died), in a single round trip. A single statement
is atomic on its own, so no explicit transaction is needed (docs/decisions/0003).
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from hub.core.queue import SAFETY_NET_SECONDS
from hub.core.webmentions.queries import TARGET_SQL

# The target query of `queries.resolve_target`, then the insert, gated on the
# target accepting mentions (R-W2) and on the per-target cap of waiting mentions.
_ACCEPT = f"""
WITH target AS ({TARGET_SQL}), accepting AS (
    SELECT * FROM target
    WHERE CASE WHEN $3::text IS NULL THEN channel_status = 'published'
               ELSE entry_id IS NOT NULL AND (public OR was_public) END
), mention AS (
    INSERT INTO webmentions (id, source, target, source_norm, target_norm, source_host,
                             source_domain, entry_id, channel_id, target_lang, status,
                             sender_ip_hash)
    SELECT $4, $5, $6, $7, $8, $9, $10, a.entry_id, a.channel_id, $11,
           CASE WHEN $12 OR EXISTS (
               SELECT 1 FROM webmention_blocks
               WHERE (kind = 'domain' AND pattern = ANY($13::text[]))
                  OR (kind = 'url' AND pattern = $7)) THEN 'blocked' ELSE 'queued' END,
           $14
    FROM accepting a
    WHERE $15::integer <= 0 OR (
        SELECT count(*) FROM webmentions w
        WHERE w.status IN ('queued', 'pending')
          AND ((a.entry_id IS NOT NULL AND w.entry_id = a.entry_id)
               OR (a.entry_id IS NULL AND w.entry_id IS NULL AND w.channel_id = a.channel_id))
    ) < $15::integer
    ON CONFLICT (source_norm, target_norm) DO UPDATE SET
        source = EXCLUDED.source,
        target = EXCLUDED.target,
        entry_id = EXCLUDED.entry_id,
        channel_id = EXCLUDED.channel_id,
        target_lang = EXCLUDED.target_lang,
        status = CASE
            WHEN EXCLUDED.status = 'blocked' OR webmentions.status = 'blocked' THEN 'blocked'
            WHEN webmentions.status = 'approved' THEN 'approved'
            ELSE 'queued' END,
        resend_seq = webmentions.resend_seq + 1,
        attempts = 0,
        next_attempt_at = NULL,
        sender_ip_hash = EXCLUDED.sender_ip_hash,
        received_at = now()
    RETURNING id, status
), staged AS (
    INSERT INTO job_outbox (function, args, job_id, sweep_after)
    SELECT $16, jsonb_build_array(mention.id), $17 || mention.id,
           now() + make_interval(secs => $18)
    FROM mention WHERE mention.status <> 'blocked'
    RETURNING id
)
SELECT t.channel_id, t.channel_status, t.entry_id, t.public, t.was_public,
       m.id AS mention_id, m.status AS mention_status, s.id AS outbox_id
FROM target t LEFT JOIN mention m ON true LEFT JOIN staged s ON true
"""  # noqa: S608 (constants of SQL, no input)


@dataclass(frozen=True)
class Lookup:
    """Where a target points: a channel (by node slug or custom domain), and an entry slug in
    it or None for the channel home."""

    channel_slug: str | None
    domain: str | None
    entry_slug: str | None


@dataclass(frozen=True)
class Mention:
    """A received pair: identities (§1.4), the source's host and domain, the verify job."""

    id: str
    source: str
    target: str
    source_norm: str
    target_norm: str
    source_host: str
    source_domain: str
    target_lang: str | None
    blocked: bool  # blocked by the setting; the `webmention_blocks` rows are checked here
    block_domains: list[str]  # the source host and its parent domains
    sender_ip_hash: str | None
    max_waiting: int  # 0: no cap
    job_function: str
    job_id_prefix: str  # the job id is this and the mention id


async def accept(
    conn: asyncpg.Connection, lookup: Lookup, mention: Mention
) -> asyncpg.Record | None:
    """None when no channel matches. Otherwise the target's row (`channel_id`,
    `channel_status`, `entry_id`, `public`, `was_public`) with `mention_id` and
    `mention_status`, both NULL when nothing was stored, and `outbox_id`, the staged verify
    job's row (NULL also for a blocked mention): the target does not accept mentions,
    or it already has `max_waiting` waiting ones."""
    return await conn.fetchrow(
        _ACCEPT,
        lookup.channel_slug,
        lookup.domain,
        lookup.entry_slug,
        mention.id,
        mention.source,
        mention.target,
        mention.source_norm,
        mention.target_norm,
        mention.source_host,
        mention.source_domain,
        mention.target_lang,
        mention.blocked,
        mention.block_domains,
        mention.sender_ip_hash,
        mention.max_waiting,
        mention.job_function,
        mention.job_id_prefix,
        SAFETY_NET_SECONDS,
    )
