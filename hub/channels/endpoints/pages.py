"""E4-E7: articles (POST/GET pages, PUT one translation, PATCH status) and revisions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.channels import pages
from hub.channels.access import authenticate
from hub.channels.endpoints.common import is_dry_run, respond
from hub.web import resources_of


def _answer(request: Request, outcome: pages.Outcome, *, dry_run: bool) -> Response:
    article = outcome.article
    headers = {"ETag": f'"v{article["version"]}"'}
    if outcome.created:
        headers["Location"] = f"/api/v1/channels/{article['project']}/pages/{article['slug']}"
    return respond(
        request, article, 201 if outcome.created else 200, headers=headers, dry_run=dry_run
    )


async def upsert_page(request: Request) -> Response:
    principal = await authenticate(request)
    raw = await request.body()
    dry_run = is_dry_run(request)
    outcome = await pages.upsert_page(
        resources_of(request), principal, request.path_params["channel_slug"], raw, dry_run=dry_run
    )
    return _answer(request, outcome, dry_run=dry_run)


async def get_page(request: Request) -> Response:
    principal = await authenticate(request)
    params = request.path_params
    outcome = await pages.get_page(
        resources_of(request), principal, params["channel_slug"], params["page_slug"]
    )
    return _answer(request, outcome, dry_run=False)


async def put_translation(request: Request) -> Response:
    principal = await authenticate(request)
    raw = await request.body()
    params = request.path_params
    dry_run = is_dry_run(request)
    outcome = await pages.put_translation(
        resources_of(request), principal, params["channel_slug"], params["page_slug"],
        params["language"], raw, dry_run=dry_run,
    )  # fmt: skip
    if outcome.created:
        outcome.created = True
    return _answer(request, outcome, dry_run=dry_run)


async def patch_status(request: Request) -> Response:
    principal = await authenticate(request)
    raw = await request.body()
    params = request.path_params
    dry_run = is_dry_run(request)
    outcome = await pages.patch_status(
        resources_of(request), principal, params["channel_slug"], params["page_slug"], raw,
        dry_run=dry_run,
    )  # fmt: skip
    return _answer(request, outcome, dry_run=dry_run)


async def list_revisions(request: Request) -> Response:
    principal = await authenticate(request)
    params = request.path_params
    body = await pages.list_revisions(
        resources_of(request), principal, params["channel_slug"], params["page_slug"]
    )
    return respond(request, body)
