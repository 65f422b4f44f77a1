"""E4-E7 and the page extensions: POST/GET pages, PUT one translation, PATCH status, the page
list, revisions, DELETE page and translation. Thin: authenticate, read, call the pages service
(writes inside `run_write`), answer."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.channels import pages
from hub.channels.access import authenticate
from hub.channels.endpoints.common import is_dry_run, respond, run_write
from hub.channels.idempotency import json_digest
from hub.channels.listing import parse_list_query
from hub.channels.preconditions import entry_etag
from hub.core.writes import Tx
from hub.web.requests import resources_of


def answer(request: Request, outcome: pages.Outcome) -> Response:
    article = outcome.article
    headers = {"ETag": entry_etag(article["version"])}
    if outcome.created:
        headers["Location"] = f"/api/v1/channels/{article['project']}/pages/{article['slug']}"
    return respond(
        request,
        article,
        201 if outcome.created else 200,
        headers=headers,
        dry_run=is_dry_run(request),
    )


async def upsert_page(request: Request) -> Response:
    principal = await authenticate(request)
    raw = await request.body()
    channel_slug = request.path_params["channel_slug"]

    async def work(tx: Tx) -> Response:
        outcome = await pages.upsert_page(
            tx, resources_of(request), principal, channel_slug, raw,
            if_match=request.headers.get("if-match"),
        )  # fmt: skip
        return answer(request, outcome)

    return await run_write(request, principal, lambda: json_digest(raw), work, lazy=True)


async def get_page(request: Request) -> Response:
    principal = await authenticate(request)
    params = request.path_params
    outcome = await pages.get_page(
        resources_of(request), principal, params["channel_slug"], params["page_slug"]
    )
    return answer(request, outcome)


async def put_translation(request: Request) -> Response:
    principal = await authenticate(request)
    raw = await request.body()
    params = request.path_params

    async def work(tx: Tx) -> Response:
        outcome = await pages.put_translation(
            tx, resources_of(request), principal, params["channel_slug"], params["page_slug"],
            params["language"], raw, if_match=request.headers.get("if-match"),
        )  # fmt: skip
        return answer(request, outcome)

    return await run_write(request, principal, lambda: json_digest(raw), work)


async def patch_status(request: Request) -> Response:
    principal = await authenticate(request)
    raw = await request.body()
    params = request.path_params

    async def work(tx: Tx) -> Response:
        outcome = await pages.patch_status(
            tx, resources_of(request), principal, params["channel_slug"], params["page_slug"],
            raw, if_match=request.headers.get("if-match"),
        )  # fmt: skip
        return answer(request, outcome)

    return await run_write(request, principal, lambda: json_digest(raw), work)


async def list_revisions(request: Request) -> Response:
    principal = await authenticate(request)
    params = request.path_params
    body = await pages.list_revisions(
        resources_of(request), principal, params["channel_slug"], params["page_slug"]
    )
    return respond(request, body)


async def list_pages(request: Request) -> Response:
    principal = await authenticate(request)
    query = parse_list_query(request.query_params)
    body = await pages.list_pages(
        resources_of(request), principal, request.path_params["channel_slug"], query
    )
    return respond(request, body)


def _deleted(request: Request, outcome: pages.Outcome, *, etag: bool) -> Response:
    """204 (with the article's new ETag when it still exists); a dry run shows the article."""
    if is_dry_run(request):
        return respond(request, outcome.article, dry_run=True)
    headers = {"ETag": entry_etag(outcome.article["version"])} if etag else {}
    return respond(request, None, 204, headers=headers)


async def delete_page(request: Request) -> Response:
    principal = await authenticate(request)
    params = request.path_params

    async def work(tx: Tx) -> Response:
        outcome = await pages.delete_page(
            tx, resources_of(request), principal, params["channel_slug"], params["page_slug"],
            if_match=request.headers.get("if-match"),
        )  # fmt: skip
        return _deleted(request, outcome, etag=False)

    return await run_write(request, principal, json_digest(b""), work)


async def delete_translation(request: Request) -> Response:
    principal = await authenticate(request)
    params = request.path_params

    async def work(tx: Tx) -> Response:
        outcome = await pages.delete_translation(
            tx, resources_of(request), principal, params["channel_slug"], params["page_slug"],
            params["language"], if_match=request.headers.get("if-match"),
        )  # fmt: skip
        return _deleted(request, outcome, etag=True)

    return await run_write(request, principal, json_digest(b""), work)
