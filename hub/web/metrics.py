"""`GET /metrics`: the node's Prometheus metrics (`hub.core.metrics`), in the text format.

Off unless `HUB_METRICS_TOKEN` is set (then a 404, as for any unknown path); with it set,
`Authorization: Bearer <token>` is required (401 otherwise). The gauges (queue depth, outbox
backlog, scheduled entries due, workers alive) are read at scrape time.
"""

from __future__ import annotations

import asyncio
import hmac
import logging

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from hub.core import metrics
from hub.core.auth import VIA_BEARER
from hub.web.requests import resources_of
from hub.web.tokens import read_token

log = logging.getLogger("hub.metrics")

NO_STORE = {"Cache-Control": "no-store"}


async def serve_metrics(request: Request) -> Response:
    resources = resources_of(request)
    expected = request.app.state.settings.metrics_token
    if not expected:
        return PlainTextResponse("Not Found", status_code=404, headers=NO_STORE)
    presented = read_token(request.headers, accept={VIA_BEARER})
    if presented is None or not hmac.compare_digest(presented.secret.encode(), expected.encode()):
        return PlainTextResponse(
            "A valid bearer token is required.",
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"', **NO_STORE},
        )
    try:
        async with asyncio.timeout(2):
            await metrics.read_gauges(
                resources.pool, resources.redis, resources.redis.default_queue_name
            )
    except Exception as exc:  # the counters are still worth serving; the gauges keep old values
        log.warning("metrics: could not read the gauges (%s: %s)", type(exc).__name__, exc)
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST, headers=NO_STORE)
