"""`feed.updated` webhooks (pine-blog-directory-resolved.md §5).

A poll that adds or changes posts calls `queue_feed_updated` inside its transaction: one pending
delivery per subscribed user with a webhook, debounced (a not-yet-attempted delivery for the
same webhook and feed absorbs later changes). `deliver` makes one attempt, logs it, and either
finishes the delivery or schedules the next attempt (1 min, 10 min, 1 h, 6 h, then failed).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import orjson

from hub.core import writes
from hub.core.errors import DomainError, FetchRefused
from hub.core.fetch import GuardedClient
from hub.core.queue import stage_job
from hub.core.resources import Resources
from hub.core.retry import STANDARD_SCHEDULE, delay_after
from hub.core.version import USER_AGENT

EVENT = "feed.updated"
DELIVER_JOB = "deliver_webhook"
RETRY_SCHEDULE = STANDARD_SCHEDULE[:4]  # after attempts 1..4; the 5th failure is final
TIMEOUT = 10.0
DISABLE_AFTER = 50  # consecutive failed deliveries
KEEP_DAYS = 14
DEBOUNCE_SECONDS = 60


def deliver_webhook_job_id(delivery_id: UUID | str, attempt: int) -> str:
    """The job id of one attempt of one delivery: each attempt is a job of its own."""
    return f"{DELIVER_JOB}:{delivery_id}:{attempt}"


def new_token() -> str:
    return "whsec_" + secrets.token_urlsafe(24)


def body(token: str, feed_url: str, changed_at: datetime) -> dict:
    return {
        "token": token,
        "event_type": EVENT,
        "data": {"updated_at": iso(changed_at), "url": feed_url},
    }


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def queue_feed_updated(
    conn: asyncpg.Connection, resources: Resources, feed_id: UUID, changed_at: datetime
) -> int:
    """Pending deliveries for every live webhook of a subscriber of the feed; jobs staged in
    the outbox (sent after commit). Returns how many deliveries were created."""
    rows = await conn.fetch(
        """
        INSERT INTO webhook_deliveries (webhook_id, feed_id, changed_at, next_attempt_at)
        SELECT w.id, $1, $2::timestamptz, $2::timestamptz + make_interval(secs => $3)
        FROM subscriptions s JOIN webhooks w ON w.author_id = s.author_id
        WHERE s.feed_id = $1 AND w.url IS NOT NULL AND w.disabled_at IS NULL
        ON CONFLICT (webhook_id, feed_id) WHERE status = 'pending' AND attempts = 0
        DO UPDATE SET changed_at = GREATEST(webhook_deliveries.changed_at, EXCLUDED.changed_at)
        RETURNING id, next_attempt_at, (xmax = 0) AS created
        """,
        feed_id,
        changed_at,
        float(DEBOUNCE_SECONDS),
    )
    for row in rows:
        if row["created"]:
            await stage_job(
                conn,
                DELIVER_JOB,
                str(row["id"]),
                job_id=deliver_webhook_job_id(row["id"], 1),
                defer_until=row["next_attempt_at"],
            )
    return sum(1 for r in rows if r["created"])


@dataclass(frozen=True)
class Attempt:
    outcome: str  # succeeded | retry | failed | skipped
    status_code: int | None = None
    retry_in: int | None = None


async def deliver(resources: Resources, delivery_id: UUID | str, *, now: datetime | None = None):
    """One attempt of one delivery. Schedules the next attempt itself (a deferred job)."""
    delivery_id = UUID(str(delivery_id))
    pool = resources.pool
    row = await pool.fetchrow(
        """
        SELECT d.id, d.status, d.attempts, d.changed_at, d.feed_id, w.id AS webhook_id, w.url,
               w.token, w.disabled_at
        FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
        WHERE d.id = $1
        """,
        delivery_id,
    )
    if row is None or row["status"] != "pending":
        return Attempt("skipped")
    if row["url"] is None or row["disabled_at"] is not None or row["feed_id"] is None:
        await pool.execute(
            "UPDATE webhook_deliveries SET status = 'failed', finished_at = now(),"
            " last_error = 'webhook removed or disabled' WHERE id = $1",
            delivery_id,
        )
        return Attempt("failed")
    feed_url = resources.urls.absolute(f"api/feeds/{row['feed_id']}")
    payload = orjson.dumps(body(row["token"], feed_url, row["changed_at"]))
    headers = {
        "Content-Type": "application/json",
        "X-Webhook-Token": row["token"],
        "X-Webhook-Event": EVENT,
        "X-Webhook-Delivery": str(delivery_id),
        "User-Agent": f"{USER_AGENT} (+{resources.settings.base_url})",
    }
    started = time.monotonic()
    status_code: int | None = None
    error: str | None = None
    refused = False
    async with GuardedClient(
        allow_loopback=resources.settings.allow_loopback_fetch,
        timeout=TIMEOUT,
        max_bytes=64 * 1024,
        max_redirects=0,  # a redirect is a failed delivery
    ) as client:
        try:
            result = await client.fetch(row["url"], method="POST", headers=headers, data=payload)
            status_code = result.status
            if not 200 <= result.status < 300:
                error = f"HTTP {result.status}"
        except FetchRefused as exc:  # a private address, say: no retry will change that
            error, refused = exc.message, True
        except DomainError as exc:
            error = exc.message
    duration_ms = int((time.monotonic() - started) * 1000)
    now = now or datetime.now(UTC)
    attempts = row["attempts"] + 1
    entry = {"at": iso(now), "status": status_code, "duration_ms": duration_ms, "error": error}
    delay = delay_after(attempts, RETRY_SCHEDULE)
    if error is None:
        outcome = Attempt("succeeded", status_code)
    elif delay is None or refused:
        outcome = Attempt("failed", status_code)
    else:
        outcome = Attempt("retry", status_code, delay)
    async with writes.write(resources) as tx:
        conn = tx.conn
        next_at = now + timedelta(seconds=outcome.retry_in or 0)
        await conn.execute(
            """
            UPDATE webhook_deliveries SET attempts = $2, last_status_code = $3, last_error = $4,
                attempt_log = attempt_log || $5::jsonb, next_attempt_at = $6,
                status = CASE $7 WHEN 'retry' THEN 'pending' ELSE $7 END,
                finished_at = CASE WHEN $7 = 'retry' THEN NULL ELSE now() END
            WHERE id = $1
            """,
            delivery_id,
            attempts,
            status_code,
            error,
            [entry],
            next_at,
            outcome.outcome,
        )
        if outcome.outcome == "succeeded":
            await conn.execute(
                "UPDATE webhooks SET consecutive_failures = 0 WHERE id = $1", row["webhook_id"]
            )
        elif outcome.outcome == "failed":
            await conn.execute(
                """
                UPDATE webhooks SET consecutive_failures = consecutive_failures + 1,
                    disabled_at = CASE WHEN consecutive_failures + 1 >= $2
                                       THEN coalesce(disabled_at, now()) ELSE disabled_at END
                WHERE id = $1
                """,
                row["webhook_id"],
                DISABLE_AFTER,
            )
        else:
            await stage_job(
                conn,
                DELIVER_JOB,
                str(delivery_id),
                job_id=deliver_webhook_job_id(delivery_id, attempts + 1),
                defer_until=next_at,
            )
    return outcome


async def delete_old_deliveries(pool: asyncpg.Pool) -> int:
    status = await pool.execute(
        "DELETE FROM webhook_deliveries WHERE created_at < now() - make_interval(days => $1)"
        " AND status <> 'pending'",
        KEEP_DAYS,
    )
    return int(status.split()[-1])


# -- settings of one user's webhook (4.12) ---------------------------------------------------


async def get_webhook(conn: asyncpg.Connection, author_id: int) -> asyncpg.Record:
    row = await conn.fetchrow(
        "SELECT url, token, disabled_at FROM webhooks WHERE author_id = $1", author_id
    )
    if row is None:
        row = await conn.fetchrow(
            """
            INSERT INTO webhooks (author_id, token) VALUES ($1, $2)
            ON CONFLICT (author_id) DO UPDATE SET author_id = EXCLUDED.author_id
            RETURNING url, token, disabled_at
            """,
            author_id,
            new_token(),
        )
    return row


async def set_webhook(
    conn: asyncpg.Connection, author_id: int, *, url: str | None, set_url: bool, rotate: bool
) -> asyncpg.Record:
    await get_webhook(conn, author_id)
    return await conn.fetchrow(
        """
        UPDATE webhooks SET
            url = CASE WHEN $2 THEN $3 ELSE url END,
            token = CASE WHEN $4 THEN $5 ELSE token END,
            disabled_at = CASE WHEN $2 THEN NULL ELSE disabled_at END,
            consecutive_failures = CASE WHEN $2 THEN 0 ELSE consecutive_failures END
        WHERE author_id = $1
        RETURNING url, token, disabled_at
        """,
        author_id,
        set_url,
        url,
        rotate,
        new_token(),
    )
