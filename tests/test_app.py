import dataclasses
import time

import httpx
from arq.connections import ArqRedis
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from hub.app import create_app
from hub.channels import errors as v1_errors
from hub.core import heartbeats
from hub.web.middleware import BodyLimitMiddleware
from hub.web.mounts import api_mount
from hub.web.responses import JSONResponse


async def test_200_healthz_checks_database_redis_and_a_worker_heartbeat(client, resources):
    await heartbeats.beat(resources.redis, "box:123:1")  # a `hub worker` elsewhere
    response = await client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body.pop("workers")[0]["id"] == "box:123:1"
    assert body == {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}
    assert response.headers["x-request-id"]


async def test_503_healthz_without_a_living_worker_in_production_mode(client, resources):
    # the test settings name REDIS_URL and no HUB_RUN_WORKER: workers run elsewhere
    response = await client.get("/healthz")
    assert response.status_code == 503 and response.headers["retry-after"]
    assert response.json()["worker"] == "no worker alive" and response.json()["workers"] == []
    await heartbeats.beat(resources.redis, "box:9:1", now=time.time() - heartbeats.TTL - 1)
    stale = await client.get("/healthz")  # a beat older than its time-to-live is no life
    assert stale.status_code == 503 and stale.json()["workers"] == []


async def test_503_healthz_names_the_failing_service(db, settings, resources):
    dead = ArqRedis.from_url("unix:///nonexistent/redis.sock")
    app = create_app(settings, dataclasses.replace(resources, redis=dead))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as h:
        response = await h.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok" and body["redis"].startswith("error")


async def test_404_unknown_paths_answer_in_each_api_error_shape(client):
    micropub = await client.get("/micropub/nothing-here")
    assert micropub.status_code == 404
    assert micropub.json()["error"] == "not_found" and "error_description" in micropub.json()
    v1 = await client.post("/api/v1/nothing-here", json={})
    assert v1.status_code == 404 and v1.json() == {"message": "Not found.", "errors": {}}
    directory = await client.get("/api/nothing-here")
    assert directory.status_code == 404 and directory.json() == {"detail": "Not found."}
    site = await client.get("/some-channel/some-entry")
    assert site.status_code == 404 and site.headers["content-type"].startswith("text/html")


async def test_request_id_is_echoed_when_sane(client):
    response = await client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


def _echo_app(limit):
    async def echo(request):
        body = await request.body()
        return JSONResponse({"bytes": len(body)})

    return Starlette(
        routes=[
            api_mount(
                "/api/v1", [Route("/echo", echo, methods=["POST"])], v1_errors.handle, name="v1"
            )
        ],
        middleware=[Middleware(BodyLimitMiddleware, limit_for=lambda scope: limit)],
    )


async def test_413_declared_body_over_the_limit_is_refused_before_reading(db):
    app = _echo_app(1000)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as h:
        ok = await h.post("/api/v1/echo", content=b"x" * 1000)
        too_big = await h.post("/api/v1/echo", content=b"x" * 1001)
    assert ok.status_code == 200 and ok.json() == {"bytes": 1000}
    assert too_big.status_code == 413
    assert too_big.json()["errors"] == {} and "1000 bytes" in too_big.json()["message"]


async def test_413_streamed_body_over_the_limit_is_cut_off(db):
    app = _echo_app(1000)

    async def chunks():
        for _ in range(10):
            yield b"y" * 300

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as h:
        response = await h.post("/api/v1/echo", content=chunks())
    assert response.status_code == 413


def test_body_limit_is_chosen_per_path_and_type(settings):
    from hub.app import body_limit

    limit_for = body_limit(settings)
    assert limit_for({"path": "/micropub", "headers": []}) == settings.max_body_bytes
    assert limit_for({"path": "/api/v1/channels", "headers": []}) == settings.v1_max_body_bytes
    multipart = [(b"content-type", b"multipart/form-data; boundary=x")]
    assert limit_for({"path": "/micropub", "headers": multipart}) == settings.max_multipart_bytes
