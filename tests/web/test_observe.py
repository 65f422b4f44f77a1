"""One access line per request (issue 18): method, path, status, duration and request id,
in the text and the JSON format, with the request id on every record made meanwhile."""

from __future__ import annotations

import dataclasses
import io
import json
import logging

import httpx
import pytest
from arq.connections import ArqRedis

from hub.app import create_app
from hub.core import logs


@pytest.fixture
def log_lines():
    """What `hub.core.logs.configure` writes, in JSON; logging is put back afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    handler = logs.configure("info", "json", stream=stream, force=True)

    def read() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield read
    root.removeHandler(handler)
    root.setLevel(saved[1])


async def test_one_access_line_per_request_with_its_request_id(client, caplog):
    caplog.set_level(logging.INFO, logger="hub.access")
    r = await client.get("/api/v1/channels/nobody", headers={"X-Request-Id": "req-42"})
    assert r.status_code in (401, 404)
    lines = [rec for rec in caplog.records if rec.name == "hub.access"]
    assert len(lines) == 1
    line = lines[0].getMessage()
    assert line.startswith(f"GET /api/v1/channels/nobody {r.status_code} ")
    assert " ms id=req-42" in line
    assert lines[0].route == "/api/v1/channels/{channel_slug}"


async def test_access_line_path_cannot_forge_a_second_line(client, caplog):
    caplog.set_level(logging.INFO, logger="hub.access")
    await client.get("/api/v1/a%0Afake%20line")
    (line,) = [rec.getMessage() for rec in caplog.records if rec.name == "hub.access"]
    assert "\n" not in line and "%0A" in line


async def test_json_records_carry_the_request_id(client, log_lines):
    r = await client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    access = [rec for rec in log_lines() if rec["logger"] == "hub.access"]
    assert len(access) == 1
    rec = access[0]
    assert rec["level"] == "info" and rec["request_id"] == "abc-123"
    assert rec["method"] == "GET" and rec["path"] == "/healthz" and rec["route"] == "/healthz"
    assert rec["status"] == r.status_code and rec["duration_ms"] >= 0
    assert rec["time"].endswith("+00:00") and "message" in rec


async def test_a_record_made_while_serving_has_the_request_id(db, settings, resources, log_lines):
    dead = ArqRedis.from_url("unix:///nonexistent/redis.sock")  # the gauges cannot be read
    app = create_app(
        dataclasses.replace(settings, metrics_token="t0ken"),
        dataclasses.replace(resources, redis=dead),
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        r = await http.get("/metrics", headers={"Authorization": "Bearer t0ken",
                                                "X-Request-Id": "scrape-7"})  # fmt: skip
    assert r.status_code == 200  # the counters are served all the same
    (warning,) = [rec for rec in log_lines() if rec["logger"] == "hub.metrics"]
    assert warning["level"] == "warning" and warning["request_id"] == "scrape-7"
    assert "could not read the gauges" in warning["message"]
