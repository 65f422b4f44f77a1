"""Jobs of hub/site: `clean_expired_auth`, hourly, deletes what the owner login and the
IndieAuth server no longer need: expired dashboard sessions, refresh tokens expired a day
ago or more, and authorization codes expired a day ago or more that guard no live token
(with their issued links). Codes that still guard a live token stay, because presenting a
used code again must revoke what it issued. WebSub pings are in `feeds_websub`."""

from __future__ import annotations

from arq import cron

from hub.site.login import queries as q

BATCH = 1000


async def _drain(delete, pool) -> int:
    total = 0
    while True:
        done = await delete(pool, BATCH)
        total += done
        if done < BATCH:
            return total


async def clean_expired_auth(ctx: dict) -> dict[str, int]:
    """Delete expired sessions, refresh tokens and dead codes; the counts deleted."""
    pool = ctx["resources"].pool
    return {
        "sessions": await q.delete_expired_sessions(pool),
        "refresh_tokens": await _drain(q.delete_expired_refresh_tokens, pool),
        "codes": await _drain(q.delete_dead_codes, pool),
    }


FUNCTIONS = [clean_expired_auth]
CRON_JOBS = [cron(clean_expired_auth, name="clean_expired_auth", minute={41}, unique=True)]
