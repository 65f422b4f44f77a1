"""Dashboard: every credential of the node (app tokens, API keys, directory tokens, IndieAuth
tokens), creating the owner's own (the secret is shown once, on the page that answers the
form, never again) and revoking any of them after a confirmation.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.core import auth
from hub.core.channels import select_author_channels
from hub.core.db import transaction
from hub.core.errors import DomainError
from hub.site.dashboard.pages import PAGE_SIZE, page, pager
from hub.site.login.session import Session, owner_only
from hub.web.requests import resources_of

KIND_LABELS = {
    "app_token": "Micropub app token",
    "api_key": "v1 API key",
    "directory_token": "Directory token",
    "indieauth": "IndieAuth (signed in from an app)",
}
CREATABLE = ("app_token", "api_key", "directory_token")
SCOPE_CHOICES = ("read", "create", "update", "delete", "undelete", "draft", "media", "channels",
                 "directory", "profile", "email")  # fmt: skip


async def _list_page(
    request: Request, session: Session, *, error: str | None = None, status_code: int = 200
) -> Response:
    pool = resources_of(request).pool
    include_dead = request.query_params.get("all") == "1"
    paging = pager(request, await auth.count_credentials(pool, include_dead))
    response = page(
        request, session, "dashboard/tokens.html", "Tokens and keys",
        rows=await auth.list_credential_page(pool, include_dead, PAGE_SIZE, paging.offset),
        pager=paging, include_dead=include_dead, kinds=KIND_LABELS, creatable=CREATABLE,
        scope_choices=SCOPE_CHOICES, defaults=auth.DEFAULT_SCOPES, error=error,
        channels=await select_author_channels(pool, session.author_id),
        revoked=request.query_params.get("revoked", ""),
    )  # fmt: skip
    response.status_code = status_code
    return response


@owner_only
async def tokens(request: Request, session: Session) -> Response:
    return await _list_page(request, session)


@owner_only
async def create(request: Request, session: Session) -> Response:
    form = await request.form()
    kind = str(form.get("kind") or "")
    name = str(form.get("name") or "").strip()[:200]
    scopes = [str(s) for s in form.getlist("scopes")]
    channel = str(form.get("channel") or "")
    pool = resources_of(request).pool
    channels = {str(c["id"]): c for c in await select_author_channels(pool, session.author_id)}
    if kind not in CREATABLE:
        return await _list_page(request, session, error="Choose what to create.", status_code=400)
    if not scopes:
        return await _list_page(request, session, error="Tick at least one scope.", status_code=400)
    if channel and channel not in channels:
        return await _list_page(request, session, error="Unknown blog.", status_code=400)
    try:
        async with transaction(pool) as conn:
            credential, secret = await auth.create_credential(
                conn, author_id=session.author_id, kind=kind, name=name, scopes=scopes,
                channel_id=int(channel) if channel else None,
            )  # fmt: skip
    except DomainError as exc:
        return await _list_page(request, session, error=exc.message, status_code=400)
    return page(
        request, session, "dashboard/token_created.html", "Created",
        credential=credential, secret=secret, kind_label=KIND_LABELS[kind],
    )  # fmt: skip


@owner_only
async def revoke_confirm(request: Request, session: Session) -> Response:
    row = await auth.select_credential(resources_of(request).pool, request.path_params["id"])
    if row is None:
        return RedirectResponse("/dashboard/tokens", status_code=303)
    return page(
        request, session, "dashboard/revoke.html", "Revoke", credential=row, kinds=KIND_LABELS
    )


@owner_only
async def revoke(request: Request, session: Session) -> Response:
    credential_id = request.path_params["id"]
    async with transaction(resources_of(request).pool) as conn:
        try:
            await auth.revoke_credential(conn, credential_id)
        except DomainError:
            return RedirectResponse("/dashboard/tokens", status_code=303)
    return RedirectResponse(f"/dashboard/tokens?revoked={credential_id}", status_code=303)
