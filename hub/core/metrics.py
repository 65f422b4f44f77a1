"""The node's Prometheus metrics: counters and histograms incremented where things happen (in
memory, no I/O), and gauges read from PostgreSQL and Redis when `/metrics` is scraped
(`read_gauges`, two cheap queries and one Redis call).

One registry per process (`REGISTRY`): a `hub serve` that runs its worker in process counts
its requests and its jobs in it; a separate `hub worker` process counts its own jobs, which
that process does not serve: scrape the `hub serve` processes (docs/deploy.md#metrics).
"""

from __future__ import annotations

import time

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from redis.asyncio import Redis

from hub.core import heartbeats

REGISTRY = CollectorRegistry(auto_describe=True)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0)

http_requests = Counter(
    "hub_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
http_duration = Histogram(
    "hub_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template.",
    ["route"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
jobs = Counter(
    "hub_jobs",
    "Job runs by job name and outcome: done, idle (a periodic run that found nothing to do), "
    "retry, failed, cancelled.",
    ["job", "outcome"],
    registry=REGISTRY,
)
job_duration = Histogram(
    "hub_job_duration_seconds",
    "Time a job run took, by job name.",
    ["job"],
    buckets=JOB_BUCKETS,
    registry=REGISTRY,
)
feed_polls = Counter(
    "hub_feed_polls",
    "Directory feed polls by outcome: updated, unchanged, not_modified, error, gone, skipped.",
    ["outcome"],
    registry=REGISTRY,
)
webmentions_received = Counter(
    "hub_webmentions_received",
    "Webmentions accepted at the endpoint (queued for verification).",
    registry=REGISTRY,
)
webmentions_verified = Counter(
    "hub_webmentions_verified",
    "Received webmentions whose verification ended, by the status it gave them.",
    ["status"],
    registry=REGISTRY,
)
webmentions_sent = Counter(
    "hub_webmentions_sent",
    "Webmention deliveries to other sites that ended, by status.",
    ["status"],
    registry=REGISTRY,
)
queue_depth = Gauge(
    "hub_queue_depth", "Jobs waiting in arq's queue in Redis (due now or deferred).",
    registry=REGISTRY,
)  # fmt: skip
outbox_backlog = Gauge(
    "hub_outbox_backlog",
    "Rows in job_outbox: jobs staged by writes and not yet done (docs/decisions/0007).",
    registry=REGISTRY,
)
scheduled_due = Gauge(
    "hub_scheduled_entries_due",
    "Scheduled entries whose time has come and that are not published yet (not paused).",
    registry=REGISTRY,
)
workers_alive = Gauge(
    "hub_workers_alive", "Job workers whose heartbeat is younger than its time-to-live.",
    registry=REGISTRY,
)  # fmt: skip
worker_heartbeat_age = Gauge(
    "hub_worker_heartbeat_age_seconds",
    "Seconds since the most recent heartbeat of any job worker (-1: none alive).",
    registry=REGISTRY,
)

# both counts in one statement: job_outbox is small (rows leave when their job is done) and
# the due entries come from the partial index entries_due_idx
GAUGES_SQL = """
SELECT (SELECT count(*) FROM job_outbox) AS outbox,
       (SELECT count(*) FROM entries
         WHERE status = 'scheduled' AND NOT scheduled_paused AND scheduled_at <= now()) AS due
"""


_request_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def record_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request. The labelled children are looked up once per method, route
    template and status (a bounded set: routes are templates), not per request."""
    children = _request_children.get((method, route, status))
    if children is None:
        children = (http_requests.labels(method, route, str(status)), http_duration.labels(route))
        _request_children[(method, route, status)] = children
    children[0].inc()
    children[1].observe(seconds)


def record_job(job: str, outcome: str, seconds: float) -> None:
    jobs.labels(job, outcome).inc()
    job_duration.labels(job).observe(seconds)


async def read_gauges(pool: asyncpg.Pool, redis: Redis, queue_name: str) -> None:
    """Set the gauges from the database and Redis (at scrape time)."""
    row = await pool.fetchrow(GAUGES_SQL)
    outbox_backlog.set(row["outbox"])
    scheduled_due.set(row["due"])
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zcard(queue_name)
        heartbeats.read_into(pipe)
        depth, *beats = await pipe.execute()
    queue_depth.set(depth)
    alive = heartbeats.parse(beats, now=time.time())
    workers_alive.set(len(alive))
    worker_heartbeat_age.set(min((w.age for w in alive), default=-1))


def exposition() -> bytes:
    """The Prometheus text format of everything in `REGISTRY`."""
    return generate_latest(REGISTRY)
