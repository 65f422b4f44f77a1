"""What a batched run's sends record, written in batches (issue 20: a send's own two
statements, an UPDATE and its pool round trip, were a share of the worker's CPU).

Each finished send is kept here until `RECORD_EVERY` have finished, then all of them are
written in one statement (`webmention_sends.record_attempts`), and the sends to retry get
their `send_webmention` jobs in one Redis round trip. The run writes what is left before it
commits, so every attempt is recorded before the run's outbox rows go: a crash before that
leaves the unrecorded sends `pending`, and the run that takes the rows again sends them again
(never a send recorded as sent).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.core import metrics
from hub.core.queue import StagedJob, enqueue_many
from hub.core.resources import Resources
from hub.core.webmentions import sends as sq
from hub.webmentions.send.sender import SEND_JOB, Delivery, attempt_of, send_job_id

RECORD_EVERY = 64  # finished sends written together


class Records:
    """The attempts of a run's sends, written `RECORD_EVERY` at a time (`add`) and at the end
    (`flush`); `outcomes` counts them by status."""

    def __init__(self, resources: Resources, *, every: int | None = None) -> None:
        self.resources = resources
        self.every = RECORD_EVERY if every is None else every
        self.outcomes: Counter[str] = Counter()
        self._attempts: list[sq.Attempt] = []
        self._retries: list[StagedJob] = []

    async def add(self, row: Any, delivery: Delivery) -> None:
        """Keep a finished send's attempt; write the batch when it is full."""
        attempt = attempt_of(row, delivery)
        self._attempts.append(attempt)
        self.outcomes[delivery.status] += 1
        if delivery.retry_in is not None:
            due = datetime.now(UTC) + timedelta(seconds=delivery.retry_in)
            self._retries.append((SEND_JOB, [row["id"]], send_job_id(row["id"]), due))
        if len(self._attempts) >= self.every:
            await self.flush()

    async def flush(self) -> None:
        """Write the attempts kept so far, then queue their retries (a retry's job must find
        its first attempt recorded)."""
        attempts, self._attempts = self._attempts, []
        retries, self._retries = self._retries, []
        if attempts:
            async with self.resources.pool.acquire() as conn:
                await sq.record_attempts(conn, attempts)
        if retries:
            await enqueue_many(self.resources.redis, retries)

    def count(self) -> None:
        """The run's finished sends in the metrics (a retry is counted when it ends)."""
        for status, n in self.outcomes.items():
            if status != "pending":
                metrics.webmentions_sent.labels(status).inc(n)
