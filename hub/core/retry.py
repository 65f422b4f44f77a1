"""Back-off for work that failed and is tried again later: the node's one retry schedule
(1 min, 10 min, 1 h, 6 h, 24 h) and `delay_after`, the seconds to wait after a failed
attempt. Pure: numbers in, seconds out.

Each caller keeps its own number of retries by taking the first few steps of the schedule
(`STANDARD_SCHEDULE[:4]`). How the wait happens is the caller's: a job whose only state is its
arq job raises `arq.Retry(defer=delay)` (webmention verify and send, WebSub pings); a job that
records every attempt in its own row (webhook deliveries) stores the next attempt's time and
stages that attempt as a new deferred job.
"""

from __future__ import annotations

MINUTE = 60
HOUR = 3600

STANDARD_SCHEDULE: tuple[int, ...] = (MINUTE, 10 * MINUTE, HOUR, 6 * HOUR, 24 * HOUR)


def delay_after(
    attempt: int,
    schedule: tuple[int, ...] = STANDARD_SCHEDULE,
    *,
    retry_after: int | None = None,
    cap: int | None = None,
) -> int | None:
    """Seconds to wait after failed attempt number `attempt` (1-based) before the next one,
    or None when `schedule` has no retry left. A `retry_after` the other side asked for
    lengthens the wait (never shortens it), up to `cap` seconds when given."""
    if attempt > len(schedule):
        return None
    delay = schedule[max(attempt, 1) - 1]
    if retry_after is not None:
        delay = max(delay, retry_after)
        if cap is not None:
            delay = min(delay, cap)
    return delay


def attempts_of(schedule: tuple[int, ...]) -> int:
    """How many attempts a schedule allows in all: the first, then one per step."""
    return len(schedule) + 1
