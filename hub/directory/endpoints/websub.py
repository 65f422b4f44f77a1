"""WebSub callbacks (`/api/websub/{feed_id}/{token}`): the hub's intent verification (GET) and
content distribution (POST). See `hub/directory/websub.py`."""

from __future__ import annotations

from starlette.responses import PlainTextResponse, Response

from hub.directory import schemas, websub
from hub.directory.polling import poller
from hub.web.drf.endpoint import Call


def _target(call: Call):
    params = call.request.path_params
    return schemas.parse_uuid(params["feed_id"]), params["token"]


async def verify(call: Call) -> Response:
    """200 with `hub.challenge` as the body for a pending subscription whose topic matches;
    404 for anything else (the hub then gives up)."""
    feed_id, token = _target(call)
    challenge = await websub.verify(call.resources, feed_id, token, call.params)
    return PlainTextResponse(challenge, status_code=200)


async def deliver(call: Call) -> Response:
    """202: the body is checked against `X-Hub-Signature` and, when it matches, stored as a
    fresh poll of the feed. A mismatch is acknowledged too and ignored (WebSub §7)."""
    feed_id, token = _target(call)
    body = await call.request.body()
    signature = call.request.headers.get("x-hub-signature")
    row = await websub.check_delivery(call.resources, feed_id, token, signature, body)
    if row is not None:
        await poller.ingest_delivery(call.resources, row["id"], body)
    return Response(status_code=202)
