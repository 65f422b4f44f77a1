"""When to poll a feed next (R-D22, R-D23). Pure: numbers and times in, decisions out."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR

INITIAL_INTERVAL = HOUR
MIN_INTERVAL = 15 * MINUTE
MAX_INTERVAL = DAY
CACHE_HONOUR_CAP = 6 * HOUR
ERROR_BASE = 30 * MINUTE
ERROR_DAYS_BEFORE_STATUS = 14
GONE_AFTER_404_DAYS = 30
DORMANT_AFTER_DAYS = 180
WEBSUB_SAFETY_INTERVAL = DAY
JITTER = 0.10


def next_interval(current: int, *, changed: bool, cache_seconds: int | None = None) -> int:
    """New posts halve the interval, no change multiplies it by 1.5, bounded to 15 min..24 h,
    and never below what the server asked us to cache (capped at 6 h)."""
    interval = current / 2 if changed else current * 1.5
    interval = max(MIN_INTERVAL, min(MAX_INTERVAL, interval))
    if cache_seconds:
        interval = max(interval, min(cache_seconds, CACHE_HONOUR_CAP))
    return int(interval)


def error_delay(error_count: int, *, retry_after: int | None = None) -> int:
    """Back-off after the n-th consecutive error (n >= 1): Retry-After when given (at most
    24 h), otherwise 30 min x 2^(n-1), capped at 24 h."""
    if retry_after is not None and retry_after > 0:
        return min(retry_after, DAY)
    return min(ERROR_BASE * 2 ** max(0, error_count - 1), DAY)


def jittered(seconds: int, rng: random.Random | None = None) -> int:
    r = rng or random
    return max(1, int(seconds * (1 + r.uniform(-JITTER, JITTER))))


def cache_seconds(headers: dict[str, str], now: datetime) -> int | None:
    """Seconds the response says it stays fresh (`Cache-Control: max-age`, else `Expires`)."""
    control = headers.get("cache-control", "")
    if match := re.search(r"max-age\s*=\s*(\d+)", control):
        return int(match.group(1))
    expires = headers.get("expires")
    if expires:
        try:
            moment = parsedate_to_datetime(expires)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return max(0, int((moment - now).total_seconds()))
    return None


def retry_after_seconds(value: str | None, now: datetime) -> int | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0, int((moment - now).total_seconds()))


@dataclass(frozen=True)
class ErrorOutcome:
    status: str  # active | error | gone
    delay: int


def after_error(
    *,
    http_status: int | None,
    error_count: int,
    error_since: datetime,
    not_found_since: datetime | None,
    now: datetime,
    retry_after: int | None = None,
) -> ErrorOutcome:
    """What a failed poll does to the feed. `error_count` includes this failure."""
    if http_status == 410:
        return ErrorOutcome("gone", DAY)
    if http_status == 404 and not_found_since is not None:
        if now - not_found_since >= timedelta(days=GONE_AFTER_404_DAYS):
            return ErrorOutcome("gone", DAY)
    if now - error_since >= timedelta(days=ERROR_DAYS_BEFORE_STATUS):
        return ErrorOutcome("error", DAY)
    honoured = retry_after if http_status in (429, 503) else None
    return ErrorOutcome("active", error_delay(error_count, retry_after=honoured))


def is_dormant(last_post_at: datetime | None, now: datetime) -> bool:
    return last_post_at is not None and now - last_post_at >= timedelta(days=DORMANT_AFTER_DAYS)
