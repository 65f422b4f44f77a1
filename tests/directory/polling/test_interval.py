"""hub/directory/polling/interval.py: intervals and back-off (R-D22, R-D23)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from hub.directory.polling import interval as s

NOW = datetime(2024, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "changed", "cache", "expected"),
    [
        (3600, True, None, 1800),
        (3600, False, None, 5400),
        (900, True, None, 900),  # floor 15 min
        (80000, False, None, 86400),  # ceiling 24 h
        (3600, True, 7200, 7200),  # never shorter than max-age
        (3600, True, 100000, 21600),  # max-age honoured up to 6 h
    ],
)
def test_next_interval(current, changed, cache, expected):
    assert s.next_interval(current, changed=changed, cache_seconds=cache) == expected


@pytest.mark.parametrize(
    ("n", "retry_after", "expected"),
    [(1, None, 1800), (2, None, 3600), (3, None, 7200), (10, None, 86400), (1, 120, 120),
     (1, 10**7, 86400)],
)  # fmt: skip
def test_error_delay(n, retry_after, expected):
    assert s.error_delay(n, retry_after=retry_after) == expected


def test_jitter_is_within_ten_percent():
    rng = random.Random(1)
    values = [s.jittered(1000, rng) for _ in range(200)]
    assert min(values) >= 900 and max(values) <= 1100 and len(set(values)) > 10


def test_cache_headers():
    assert s.cache_seconds({"cache-control": "public, max-age=600"}, NOW) == 600
    assert s.cache_seconds({"expires": "Sat, 01 Jun 2024 01:00:00 GMT"}, NOW) == 3600
    assert s.cache_seconds({}, NOW) is None
    assert s.retry_after_seconds("120", NOW) == 120
    assert s.retry_after_seconds("Sat, 01 Jun 2024 00:01:00 GMT", NOW) == 60
    assert s.retry_after_seconds("soon", NOW) is None


def test_after_error():
    recent = NOW - timedelta(hours=1)
    assert s.after_error(
        http_status=410, error_count=1, error_since=NOW, not_found_since=None, now=NOW
    ) == s.ErrorOutcome("gone", s.DAY)
    assert (
        s.after_error(
            http_status=404, error_count=5, error_since=recent, not_found_since=recent, now=NOW
        ).status
        == "active"
    )
    old = NOW - timedelta(days=31)
    assert (
        s.after_error(
            http_status=404, error_count=50, error_since=old, not_found_since=old, now=NOW
        ).status
        == "gone"
    )
    assert s.after_error(
        http_status=500, error_count=99, error_since=old, not_found_since=None, now=NOW
    ) == s.ErrorOutcome("error", s.DAY)
    assert s.after_error(
        http_status=503, error_count=1, error_since=NOW, not_found_since=None, now=NOW,
        retry_after=90,
    ) == s.ErrorOutcome("active", 90)  # fmt: skip
    assert s.after_error(
        http_status=500, error_count=1, error_since=NOW, not_found_since=None, now=NOW,
        retry_after=90,
    ) == s.ErrorOutcome("active", 1800)  # fmt: skip


def test_dormant():
    assert s.is_dormant(NOW - timedelta(days=181), NOW)
    assert not s.is_dormant(NOW - timedelta(days=10), NOW)
    assert not s.is_dormant(None, NOW)
