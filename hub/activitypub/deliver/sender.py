"""One attempt of one delivery: the stored activity, signed with its channel's key
(draft-cavage `rsa-sha256` over `(request-target)`, host, date and digest, key id
`{actor id}#main-key`), POSTed to the inbox through the guarded client after taking one of
the inbox host's request slots (`hub.core.hosts`, family `activitypub`).

The answer decides: 2xx delivered; 410 gone, and every follower delivered at that inbox is
dropped; 408, 429, 5xx, a network error or a timeout are retried on the node's schedule
(`hub.core.retry`: the next attempt's time on the row and a new deferred job, as webhook
deliveries do); a redirect (a signature is bound to its URL, so none is followed) and any
other answer fail. An inbox that has failed for more than `HUB_AP_DEAD_AFTER_DAYS` with no
delivery getting through since loses its followers too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hub.activitypub.documents.ids import actor_id, key_id
from hub.core import writes
from hub.core.errors import FetchFailed, FetchRefused, TooLarge
from hub.core.federation import deliveries, keys, signatures
from hub.core.federation.outbox import DELIVER_ACTIVITY, deliver_job_id
from hub.core.hosts import HostBusy, host_slot
from hub.core.queue import stage_job
from hub.core.resources import Resources
from hub.core.retry import STANDARD_SCHEDULE, delay_after

log = logging.getLogger("hub.activitypub.deliver")

RETRY_SCHEDULE = STANDARD_SCHEDULE  # 1 min, 10 min, 1 h, 6 h, 24 h; the 6th failure is final
RETRY_AFTER_CAP = 24 * 3600  # a Retry-After longer than this is not waited for
RETRY_STATUSES = frozenset({408, 425, 429})
HOST_CONCURRENCY = 2  # requests at once to one inbox host, across every worker
SLOT_WAIT = 30.0  # seconds an attempt waits for its host's slot; then the job is deferred
TIMEOUT = 15.0
MAX_ANSWER = 64 * 1024  # an inbox's answer is read up to this, then dropped
CONTENT_TYPE = "application/activity+json"
ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


def attempt_job_id(delivery_id: int, attempt: int) -> str:
    """The job id of attempt `attempt` of a delivery: the first is the one the outbox staged
    (`deliver_activity:{id}`), each retry a job of its own (`deliver_activity:{id}:{n}`)."""
    base = deliver_job_id(delivery_id)
    return base if attempt <= 1 else f"{base}:{attempt}"


@dataclass(frozen=True)
class Attempt:
    outcome: str  # delivered | retry | failed | gone | skipped
    http_status: int | None = None
    error: str | None = None
    retry_in: int | None = None


async def deliver(resources: Resources, delivery_id: int) -> Attempt:
    """Make the next attempt of a pending delivery and record it (with the next attempt's
    job when it is to be retried). Raises HostBusy when the inbox's host has no free slot."""
    row = await deliveries.delivery_to_send(resources.pool, delivery_id)
    if row is None or row["status"] != "pending":
        return Attempt("skipped")
    private_pem = row["private_pem"]
    if private_pem is None:
        private_pem = (await keys.channel_key(resources.pool, row["channel_id"])).private_pem
    actor = actor_id(resources.urls, row["channel_slug"], row["custom_domain"])
    body = row["body"].encode()
    headers = signatures.sign(
        "POST", row["inbox"], body, key_id=key_id(actor), private_pem=private_pem
    )
    headers |= {"Content-Type": CONTENT_TYPE, "Accept": ACCEPT}
    async with host_slot(
        resources, row["host"], family="activitypub", limit=HOST_CONCURRENCY, wait=SLOT_WAIT
    ):
        attempt = await _post(resources, row["inbox"], headers, body, row["attempts"] + 1)
    await _record(resources, row, attempt)
    return attempt


async def _post(
    resources: Resources, inbox: str, headers: dict[str, str], body: bytes, attempt: int
) -> Attempt:
    try:
        answer = await resources.fetcher.fetch(
            inbox, method="POST", headers=headers, data=body, max_bytes=MAX_ANSWER,
            timeout=TIMEOUT, follow_redirects=False,
        )  # fmt: skip
    except FetchRefused as exc:  # a private address: no retry will change that
        return Attempt("failed", error=exc.message)
    except (FetchFailed, TooLarge) as exc:
        return _retry(attempt, exc.message, None, None)
    status = answer.status
    if 200 <= status < 300:
        return Attempt("delivered", status)
    if status == 410:
        return Attempt("gone", status, "inbox answered 410 Gone")
    if status >= 500 or status in RETRY_STATUSES:
        return _retry(attempt, f"inbox answered {status}", status, _retry_after(answer.headers))
    error = f"inbox answered {status}: {answer.text[:200]}"
    if 300 <= status < 400:
        error = f"inbox answered {status} (a signed delivery follows no redirect)"
    return Attempt("failed", status, error)


def _retry(attempt: int, error: str, status: int | None, after: int | None) -> Attempt:
    delay = delay_after(attempt, RETRY_SCHEDULE, retry_after=after, cap=RETRY_AFTER_CAP)
    if delay is None:
        return Attempt("failed", status, error)
    return Attempt("retry", status, error, delay)


def _retry_after(headers) -> int | None:
    value = (headers.get("retry-after") or "").strip()
    return int(value) if value.isdigit() else None


async def _record(resources: Resources, row, attempt: Attempt) -> None:
    """Store the attempt; stage the next one, or drop the followers of a gone or dead inbox,
    in the same transaction."""
    attempts = row["attempts"] + 1
    next_at = None
    if attempt.retry_in is not None:
        next_at = datetime.now(UTC) + timedelta(seconds=attempt.retry_in)
    status = "pending" if attempt.outcome == "retry" else attempt.outcome
    dropped = 0
    async with writes.write(resources) as tx:
        conn = tx.conn
        recorded = await deliveries.record_attempt(
            conn, row["id"], attempts=attempts, status=status, http_status=attempt.http_status,
            error=attempt.error, next_attempt_at=next_at,
        )  # fmt: skip
        if not recorded:
            return  # another run of this attempt recorded it first
        if next_at is not None:
            await stage_job(
                conn, DELIVER_ACTIVITY, row["id"],
                job_id=attempt_job_id(row["id"], attempts + 1), defer_until=next_at,
            )  # fmt: skip
        if attempt.outcome == "gone" or (
            attempt.outcome in ("retry", "failed") and await _dead(resources, conn, row["inbox"])
        ):
            dropped = await deliveries.drop_followers_at(conn, row["inbox"])
    log.log(
        logging.DEBUG if attempt.outcome == "delivered" else logging.INFO,
        "%s %s -> %s: %s%s%s", row["type"], row["activity_id"], row["inbox"], attempt.outcome,
        f" ({attempt.error})" if attempt.error else "",
        f"; {dropped} follower(s) dropped" if dropped else "",
    )  # fmt: skip


async def _dead(resources: Resources, conn, inbox: str) -> bool:
    """Whether `inbox` has failed for longer than the node allows with nothing delivered."""
    since = await deliveries.failing_since(conn, inbox)
    days = resources.settings.ap_dead_after_days
    return since is not None and datetime.now(UTC) - since > timedelta(days=days)


__all__ = ["Attempt", "HostBusy", "attempt_job_id", "deliver"]
