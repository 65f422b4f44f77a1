"""Dashboard: webmentions received (webmention-site-feeds §1.6, §1.8). The owner filters by
status, approves or rejects a pending mention, and blocks its source's domain or URL after a
confirmation page (blocking deletes the stored mentions it matches). Mentions under the
`known` and `manual` policies wait here as `pending` until the owner decides."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.core.db import transaction
from hub.core.webmentions import moderation as mq
from hub.site.dashboard.pages import PAGE_SIZE, page, pager
from hub.site.login.session import Session, owner_only
from hub.web.requests import resources_of

LIST = "/dashboard/webmentions"
DONE = {
    "approved": "Mention approved; it now shows on its entry.",
    "rejected": "Mention rejected; it is not shown.",
    "blocked": "Source blocked.",
    "nothing": "That mention was already decided.",
}


def _back(done: str, **extra: str | int) -> RedirectResponse:
    return RedirectResponse(f"{LIST}?{urlencode({'done': done, **extra})}", status_code=303)


@owner_only
async def webmentions(request: Request, session: Session) -> Response:
    pool = resources_of(request).pool
    status = request.query_params.get("status") or None
    if status not in (None, *mq.STATUSES):
        status = None
    paging = pager(request, await mq.count_mentions(pool, status))
    done = request.query_params.get("done")
    return page(
        request, session, "dashboard/webmentions.html", "Webmentions",
        rows=await mq.list_mentions(pool, status, PAGE_SIZE, paging.offset), pager=paging,
        status=status, statuses=mq.STATUSES, done=DONE.get(done or ""),
        deleted=request.query_params.get("deleted", ""),
    )  # fmt: skip


async def _decide(request: Request, approve: bool) -> Response:
    mention_id = request.path_params["mention_id"]
    async with transaction(resources_of(request).pool) as conn:
        if approve:
            changed = await mq.approve_mention(conn, mention_id)
        else:
            changed = await mq.reject_mention(conn, mention_id)
    if not changed:
        return _back("nothing")
    return _back("approved" if approve else "rejected")


@owner_only
async def approve(request: Request, session: Session) -> Response:
    return await _decide(request, True)


@owner_only
async def reject(request: Request, session: Session) -> Response:
    return await _decide(request, False)


@owner_only
async def block_confirm(request: Request, session: Session) -> Response:
    row = await mq.select_mention(resources_of(request).pool, request.path_params["mention_id"])
    if row is None:
        return RedirectResponse(LIST, status_code=303)
    return page(
        request, session, "dashboard/webmention_block.html", "Block source", mention=row, error=None
    )


@owner_only
async def block(request: Request, session: Session) -> Response:
    pool = resources_of(request).pool
    row = await mq.select_mention(pool, request.path_params["mention_id"])
    if row is None:
        return RedirectResponse(LIST, status_code=303)
    form = await request.form()
    kind = str(form.get("kind") or "")
    if kind not in mq.MATCH:
        response = page(
            request, session, "dashboard/webmention_block.html", "Block source", mention=row,
            error="Choose the domain or the single URL.",
        )  # fmt: skip
        response.status_code = 400
        return response
    pattern = row["source_domain"] if kind == "domain" else row["source_norm"]
    reason = str(form.get("reason") or "").strip()[:1000] or None
    async with transaction(pool) as conn:
        deleted = await mq.block_source(conn, kind, pattern, reason)
    return _back("blocked", deleted=deleted)
