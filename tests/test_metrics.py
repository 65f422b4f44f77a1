"""`GET /metrics` (issue 18): off without HUB_METRICS_TOKEN (404), the token required (401),
and the Prometheus text, parsed with prometheus_client's own parser, counting requests by
route template, jobs by name and outcome, and the gauges read at scrape time."""

from __future__ import annotations

import dataclasses
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from hub.app import create_app
from hub.core import heartbeats
from hub.worker import build_worker
from tests.factories import bearer, make_author, make_credential

TOKEN = "metrics-secret-1"


@pytest.fixture
async def scraped(db, settings, resources):
    app = create_app(dataclasses.replace(settings, metrics_token=TOKEN), resources)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
    ) as http:
        yield http


async def samples(http: httpx.AsyncClient) -> dict[tuple[str, tuple], float]:
    r = await http.get("/metrics", headers=bearer(TOKEN))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain; version=")
    found = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def value(found, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def run_jobs(resources) -> None:
    worker = build_worker(resources, burst=True, poll_delay=0.05)
    try:
        await worker.main()
    finally:
        await worker.close()


async def due_now(resources) -> None:
    """Make the deferred jobs in arq's queue, and the staged rows batched runs take, due now."""
    await resources.pool.execute(
        "UPDATE job_outbox SET defer_until = now() WHERE defer_until > now()"
    )
    redis = resources.redis
    queued = await redis.zrange(redis.default_queue_name, 0, -1)
    if queued:
        await redis.zadd(redis.default_queue_name, dict.fromkeys(queued, time.time() * 1000))


async def test_404_metrics_are_off_without_a_token(client):
    r = await client.get("/metrics")
    assert r.status_code == 404
    assert "hub_http_requests" not in r.text


async def test_401_metrics_need_the_token(scraped):
    assert (await scraped.get("/metrics")).status_code == 401
    r = await scraped.get("/metrics", headers=bearer("not-the-token"))
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert (await scraped.get("/metrics", headers={"X-API-Key": TOKEN})).status_code == 401


async def test_200_requests_are_counted_by_route_template_and_status(db, scraped):
    before = await samples(scraped)
    author = await make_author(db, "Ada")
    for slug in ("one", "two", "three"):  # three raw paths, one template
        assert (await scraped.get(f"/api/v1/channels/{slug}")).status_code in (401, 404)
    assert (await scraped.get("/healthz")).status_code in (200, 503)
    page = await scraped.get(f"/{author.channel}")
    assert page.status_code == 200
    after = await samples(scraped)

    routes = {dict(lb)["route"] for (name, lb) in after if name == "hub_http_requests_total"}
    assert "/api/v1/channels/{channel_slug}" in routes and "/healthz" in routes
    assert "/{path}" in routes  # the public site's catch-all: one label for every page
    assert not any(slug in route for route in routes for slug in ("one", "two", "three"))
    assert author.channel not in " ".join(routes)  # the public pages count by template
    ok = dict(method="GET", route="/healthz")
    counted = sum(
        value(after, "hub_http_requests_total", **ok, status=s)
        - value(before, "hub_http_requests_total", **ok, status=s)
        for s in ("200", "503")
    )
    assert counted == 1
    latency = "hub_http_request_duration_seconds_count"
    assert value(after, latency, route="/healthz") - value(before, latency, route="/healthz") == 1
    buckets = [k for k in after if k[0] == "hub_http_request_duration_seconds_bucket"]
    assert buckets  # a histogram, with its buckets


async def test_200_jobs_are_counted_by_name_and_outcome_with_gauges(db, scraped, resources):
    author = await make_author(db, "Ada")
    token = await make_credential(db, author.author_id, kind="app_token", scopes="create")
    note = {"type": ["h-entry"], "properties": {"content": ["Hello metrics"]}}
    r = await scraped.post("/micropub", json=note, headers=bearer(token))
    assert r.status_code == 201
    before = await samples(scraped)
    assert value(before, "hub_outbox_backlog") >= 1  # the post's follow-up jobs, staged
    assert value(before, "hub_queue_depth") >= 1
    assert value(before, "hub_workers_alive") == 0
    assert value(before, "hub_worker_heartbeat_age_seconds") == -1

    await due_now(resources)  # the webmention plan waits 30 s after a write
    await run_jobs(resources)
    await heartbeats.beat(resources.redis, "test-worker")
    after = await samples(scraped)
    done = value(after, "hub_jobs_total", job="index_own_entry", outcome="done") - value(
        before, "hub_jobs_total", job="index_own_entry", outcome="done"
    )
    assert done == 1
    runs = "hub_job_duration_seconds_count"
    assert value(after, runs, job="index_own_entry") > value(before, runs, job="index_own_entry")
    assert value(after, "hub_outbox_backlog") == 0 and value(after, "hub_queue_depth") == 0
    assert value(after, "hub_workers_alive") == 1
    assert 0 <= value(after, "hub_worker_heartbeat_age_seconds") < 5
    assert value(after, "hub_scheduled_entries_due") == 0
    created = value(after, "hub_http_requests_total", method="POST", route="/micropub/",
                    status="201")  # fmt: skip
    assert created >= 1, [k for k in after if k[0] == "hub_http_requests_total"]
