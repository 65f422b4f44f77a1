"""Jobs of the v1 API: expiring `Idempotency-Key` records after their 24 hours."""

from __future__ import annotations

from arq import cron

from hub.channels import idempotency


async def expire_idempotency_keys(ctx: dict) -> int:
    return await idempotency.expire(ctx["resources"].pool)


FUNCTIONS = [expire_idempotency_keys]
CRON_JOBS = [cron(expire_idempotency_keys, minute={7, 37}, run_at_startup=True, unique=True)]
