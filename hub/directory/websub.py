"""WebSub subscriber (W3C WebSub §5-7; R-D22).

- A poll that finds a hub (`rel=hub`: the HTTP Link header first, then the document) and a
  topic (`rel=self`, else the feed URL) stages `websub_subscribe` unless a subscription to that
  hub and topic is live or pending.
- `subscribe` POSTs `hub.mode=subscribe` with the callback `{base}/api/websub/{feed_id}/{token}`
  and a fresh `hub.secret` through the outbound guard, and marks the subscription pending.
- The hub's verification GET is answered by `verify`: the challenge is echoed only for a
  pending subscription whose token and topic match; the lease is stored and renewal set at 80 %.
- Content distribution (`deliver`): the `X-Hub-Signature` HMAC (sha1/256/384/512) is checked
  with the secret; a matching body goes through the poller's parse-and-store path. A body whose
  signature is missing or wrong is acknowledged (2xx, as §7 allows) and ignored.
- `renew_due` (cron) re-subscribes before the lease ends, and retries failed requests.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import UTC, datetime, timedelta
from uuid import UUID

from hub.core import writes
from hub.core.errors import DomainError, NotFound
from hub.core.queue import stage_job
from hub.core.resources import Resources
from hub.directory.queries import websub as queries
from hub.directory.reader.discovery import hub_links

log = logging.getLogger("hub.directory.websub")

DEFAULT_LEASE = 10 * 24 * 3600  # asked for; the hub decides
RENEW_AT = 0.8  # of the lease
PENDING_FOR = timedelta(hours=1)  # an unanswered request is retried after this
RETRY_FAILED = timedelta(hours=1)
REQUEST_TIMEOUT = 10.0
SIGNATURES = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384,
              "sha512": hashlib.sha512}  # fmt: skip
MAX_DELIVERY_BYTES = 5 * 1024 * 1024


SUBSCRIBE_JOB = "websub_subscribe"


def subscribe_job_id(feed_id: UUID | str) -> str:
    return f"{SUBSCRIBE_JOB}:{feed_id}"


def callback_url(base_url: str, feed_id: UUID | str, token: str) -> str:
    return f"{base_url}/api/websub/{feed_id}/{token}"


def discover(
    link_header: str, doc_hub: str | None, doc_self: str | None, url: str
) -> tuple[str | None, str | None]:
    """(hub, topic): the Link header wins over the document (WebSub §4)."""
    hub, topic = hub_links("", url=url, link_header=link_header)
    hub = hub or doc_hub
    if hub is None:
        return None, None
    return hub, topic or doc_self or url


def wants_subscription(state, hub: str | None, topic: str | None, now: datetime) -> bool:
    """True when a subscription should be requested for this hub and topic now."""
    if hub is None or state["is_local"]:
        return False
    same = state["websub_hub"] == hub and state["websub_topic"] == topic
    if same and state["websub_pending_at"] and now - state["websub_pending_at"] < PENDING_FOR:
        return False
    live = state["websub_expires_at"] is not None and state["websub_expires_at"] > now
    return not (same and live)


async def stage_subscribe(conn, feed_id: UUID) -> None:
    await stage_job(conn, SUBSCRIBE_JOB, str(feed_id), job_id=subscribe_job_id(feed_id))


def signature_ok(secret: str | None, header: str | None, body: bytes) -> bool:
    if not secret or not header or "=" not in header:
        return False
    method, _, given = header.strip().partition("=")
    digest = SIGNATURES.get(method.strip().lower())
    if digest is None:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


async def subscribe(resources: Resources, feed_id: UUID | str, *, now: datetime | None = None):
    """Send the subscription request to the feed's hub. Returns the outcome."""
    feed_id = UUID(str(feed_id))
    now = now or datetime.now(UTC)
    pool = resources.pool
    row = await queries.get_subscription(pool, feed_id)
    if row is None or row["websub_hub"] is None or row["hidden_at"] is not None:
        return "no_hub"
    token = row["websub_token"] or secrets.token_urlsafe(24)
    secret = row["websub_secret"] or secrets.token_urlsafe(32)
    await queries.mark_requested(pool, feed_id, token=token, secret=secret, now=now)
    form = {
        "hub.mode": "subscribe",
        "hub.topic": row["websub_topic"] or row["feed_url"],
        "hub.callback": callback_url(resources.settings.base_url, feed_id, token),
        "hub.secret": secret,
        "hub.lease_seconds": str(DEFAULT_LEASE),
    }
    try:
        result = await resources.fetcher.fetch(
            row["websub_hub"], method="POST", data=form, timeout=REQUEST_TIMEOUT, max_bytes=65536
        )
    except DomainError as exc:
        log.info("WebSub request to %s failed: %s", row["websub_hub"], exc.message)
        await queries.mark_request_failed(pool, feed_id, now + RETRY_FAILED)
        return "failed"
    if not 200 <= result.status < 300:
        log.info("WebSub hub %s answered %s", row["websub_hub"], result.status)
        await queries.mark_request_failed(pool, feed_id, now + RETRY_FAILED)
        return "failed"
    return "requested"


async def verify(
    resources: Resources, feed_id: UUID, token: str, params, *, now: datetime | None = None
) -> str:
    """The body of the answer to the hub's verification GET; NotFound refuses it."""
    now = now or datetime.now(UTC)
    async with resources.pool.acquire() as conn, conn.transaction():
        row = await queries.by_callback(conn, feed_id, token)
        if row is None:
            raise NotFound("Not found.")
        mode = params.get("hub.mode")
        topic = params.get("hub.topic")
        if mode == "denied":
            if topic == row["websub_topic"]:
                await queries.mark_denied(conn, feed_id)
            return ""
        challenge = params.get("hub.challenge")
        if (
            mode != "subscribe"
            or not challenge
            or row["websub_pending_at"] is None
            or topic != row["websub_topic"]
        ):
            raise NotFound("Not found.")
        lease = _lease(params.get("hub.lease_seconds"))
        await queries.mark_verified(
            conn,
            feed_id,
            lease_seconds=lease,
            expires_at=now + timedelta(seconds=lease),
            renew_at=now + timedelta(seconds=int(lease * RENEW_AT)),
        )
    return challenge


def _lease(value: str | None) -> int:
    try:
        lease = int(value or "")
    except ValueError:
        return DEFAULT_LEASE
    return lease if lease > 0 else DEFAULT_LEASE


async def check_delivery(resources: Resources, feed_id: UUID, token: str, signature, body: bytes):
    """The feed a content distribution is for, or None when its signature does not match
    (the caller acknowledges and ignores it). NotFound for an unknown callback."""
    row = await queries.by_callback(resources.pool, feed_id, token)
    if row is None:
        raise NotFound("Not found.")
    if len(body) > MAX_DELIVERY_BYTES or not signature_ok(row["websub_secret"], signature, body):
        log.info("WebSub delivery for %s ignored: bad signature", feed_id)
        return None
    return row


async def renew_due(resources: Resources, *, now: datetime | None = None, limit: int = 500):
    """Stage `websub_subscribe` for subscriptions at 80 % of their lease (and failed ones)."""
    now = now or datetime.now(UTC)
    async with writes.write(resources) as tx:
        conn = tx.conn
        due = await queries.due_renewals(conn, now, limit)
        for feed_id in due:
            await stage_subscribe(conn, feed_id)
    return len(due)
