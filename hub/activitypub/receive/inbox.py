"""The inboxes: `POST /activitypub/{slug}/inbox` (a channel's) and `POST /activitypub/inbox`
(shared). Each check runs before the work the next one needs: body size (the app's body
limit, 413, unread) → Content-Type (415) → a signature header (401) → the body as an
activity (400) → the signer's key, cached or fetched, and the signature (401; 403 for a
blocked sender) → the signer is the activity's actor (401) → the sending domain's rate
(429) → stored with its `process_activity` job in one statement, answered 202 (a repeated
activity id: 202, nothing new). Errors are JSON `{"error": ...}`; no input answers 500.
"""

from __future__ import annotations

import logging

import asyncpg
from starlette.requests import Request
from starlette.responses import Response

from hub.activitypub.errors import STATUS
from hub.activitypub.receive.activity import (
    Activity,
    BadActivity,
    accepted_content_type,
    read_activity,
)
from hub.activitypub.receive.signers import (
    Signed,
    SignerGone,
    forget,
    key_domains,
    read_signature,
    signer,
)
from hub.core.errors import (
    DomainError,
    Forbidden,
    TooLarge,
    Unauthenticated,
)
from hub.core.federation.inbox import PROCESS_ACTIVITY, process_job_id, store_activity
from hub.core.federation.remote_actors import RemoteActor
from hub.core.outages import is_outage, unavailable
from hub.core.queue import enqueue_staged
from hub.core.ratelimit import Window
from hub.core.resources import Resources
from hub.core.urls import host_of
from hub.web.errors import lookup, retry_after
from hub.web.requests import resources_of
from hub.web.responses import JSONResponse

log = logging.getLogger("hub.activitypub")


def accepted() -> Response:
    return JSONResponse({"status": "accepted"}, status_code=202)


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _domain_error(exc: DomainError) -> Response:
    return error(lookup(STATUS, exc, 400), exc.message, retry_after(exc) or None)


def _declared_length(request: Request) -> int | None:
    value = request.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


def _signer_is_actor(signed_by: RemoteActor, activity: Activity) -> bool:
    if signed_by.uri == activity.actor:
        return True
    # a Delete relayed for an actor of the same server (Mastodon signs some with another key)
    return activity.type == "Delete" and host_of(signed_by.uri) == host_of(activity.actor)


def _actor_deletes_itself(activity: Activity) -> bool:
    return activity.type == "Delete" and activity.object_id == activity.actor


async def _accept(request: Request, channel_slug: str | None) -> Response:
    resources = resources_of(request)
    settings = resources.settings
    declared = _declared_length(request)
    if declared is not None and declared > settings.ap_max_body_bytes:
        raise TooLarge(f"The activity is larger than {settings.ap_max_body_bytes} bytes.")
    if not accepted_content_type(request.headers.get("content-type", "")):
        return error(415, "Send the activity as application/activity+json.")
    signed = read_signature(request)
    body = await request.body()  # the app's body limit stops a longer stream (413)
    try:
        activity = read_activity(body)
    except BadActivity as exc:
        return error(400, str(exc))
    try:
        signed_by = await signer(resources, signed, body)
    except SignerGone:
        if _actor_deletes_itself(activity):
            return accepted()  # a deleted actor hub never met: nothing to remove
        raise Unauthenticated("The signer's key is gone.", code="key_gone") from None
    if not _signer_is_actor(signed_by, activity):
        raise Unauthenticated("The activity's actor is not its signer.", code="not_signer")
    await resources.limiter.hit_windows(
        [Window(f"ap:domain:{signed_by.domain}", settings.ap_rate_domain, 60)]
    )
    row = await _store(resources, channel_slug, activity, signed, signed_by)
    if not row["signer_found"]:  # a remembered key whose actor changed, went or got blocked
        forget(signed.key_id)
        signed_by = await signer(resources, signed, body, remembered=False)
        if not _signer_is_actor(signed_by, activity):
            raise Unauthenticated("The activity's actor is not its signer.", code="not_signer")
        row = await _store(resources, channel_slug, activity, signed, signed_by)
        if not row["signer_found"]:
            raise Forbidden("The sender is blocked.", code="blocked")
    return await _answer_stored(resources, row)


async def _store(
    resources: Resources,
    channel_slug: str | None,
    activity: Activity,
    signed: Signed,
    signed_by: RemoteActor,
) -> asyncpg.Record:
    return await store_activity(
        resources.pool,
        channel_slug=channel_slug,
        activity_id=activity.id,
        type=activity.type,
        actor_id=signed_by.id,
        key_id=signed.key_id,
        key_domains=key_domains(signed.key_id),
        body=activity.body,
    )


async def _answer_stored(resources: Resources, row: asyncpg.Record) -> Response:
    if not row["channel_found"]:
        return error(404, "No such actor.")
    if row["outbox_id"] is not None:
        job = (PROCESS_ACTIVITY, [row["inbox_id"]], process_job_id(row["inbox_id"]), None)
        await enqueue_staged(resources.redis, row["outbox_id"], job)
    return accepted()


async def _answer(request: Request, channel_slug: str | None) -> Response:
    try:
        return await _accept(request, channel_slug)
    except DomainError as exc:
        return _domain_error(exc)
    except Exception as exc:
        if is_outage(exc):
            return _domain_error(unavailable(exc))
        log.exception("inbox: unexpected error")  # a bug; the sender may try again
        return error(400, "The activity could not be read.")


async def channel_inbox(request: Request) -> Response:
    return await _answer(request, request.path_params["slug"])


async def shared_inbox(request: Request) -> Response:
    return await _answer(request, None)
