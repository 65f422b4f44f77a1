"""Dashboard: each blog's fediverse followers and the health of what it sends (issue 19).

`/dashboard/fediverse` lists the owner's blogs with their fediverse address and follower
counts; `/dashboard/fediverse/{channel_id}` shows one blog's pending follow requests (Approve,
Reject), its followers newest first (paged by keyset: `?before=`), each with Remove and
Block…, and its delivery health: the newest activities it sent with their deliveries by
outcome, and the inboxes that fail. Every decision tells the follower (an `Accept` or a
`Reject`, sent by the `send_follow_decision` job). Blocking goes through a confirmation page
and uses the webmentions' blocklist (the actor, or its whole domain): its follows end, its
replies, likes and boosts are deleted, and the inbox refuses it from then on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.core import writes
from hub.core.federation import desk
from hub.core.webmentions import moderation
from hub.site.dashboard.channels import fediverse_address, not_found
from hub.site.dashboard.pages import PAGE_SIZE, page
from hub.site.login.session import Session, owner_only
from hub.web.requests import resources_of

LIST = "/dashboard/fediverse"
ACTIVITIES = 20  # the newest activities shown, and searched for failing inboxes
FAILING = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DONE = {
    "approved": "Follower approved; they were sent the acceptance.",
    "rejected": "Follow request rejected; they were told.",
    "removed": "Follower removed; they were told and get no more posts.",
    "blocked": "Blocked.",
    "nothing": "That follower was already decided or removed.",
}


def cursor_of(row) -> str:
    """The keyset of a follower row as a URL parameter."""
    return f"{(row['created_at'] - EPOCH) // timedelta(microseconds=1)}-{row['id']}"


def parse_cursor(raw: str | None) -> tuple[datetime, int] | None:
    when, _, row_id = (raw or "").partition("-")
    if not (when.isdigit() and row_id.isdigit() and len(when) < 18 and len(row_id) < 19):
        return None
    return EPOCH + timedelta(microseconds=int(when)), int(row_id)


@owner_only
async def index(request: Request, session: Session) -> Response:
    resources = resources_of(request)
    blogs = await desk.list_actor_channels(resources.pool, session.author_id)
    return page(
        request, session, "dashboard/fediverse.html", "Fediverse",
        blogs=blogs, address=lambda b: fediverse_address(resources.urls, b),
    )  # fmt: skip


async def _own_channel(request: Request, session: Session):
    blogs = await desk.list_actor_channels(
        resources_of(request).pool, session.author_id, request.path_params["channel_id"]
    )
    return blogs[0] if blogs else None


@owner_only
async def channel(request: Request, session: Session) -> Response:
    resources = resources_of(request)
    pool = resources.pool
    blog = await _own_channel(request, session)
    if blog is None:
        return not_found(request, session)
    before = parse_cursor(request.query_params.get("before"))
    followers = await desk.list_followers(pool, blog["id"], "accepted", PAGE_SIZE + 1, before)
    more = len(followers) > PAGE_SIZE
    followers = followers[:PAGE_SIZE]
    older = (
        f"{request.url.path}?{urlencode({'before': cursor_of(followers[-1])})}" if more else None
    )
    done = request.query_params.get("done")
    return page(
        request, session, "dashboard/fediverse_channel.html", f"Fediverse: {blog['slug']}",
        blog=blog, address=fediverse_address(resources.urls, blog),
        pending=await desk.list_followers(pool, blog["id"], "pending", PAGE_SIZE),
        followers=followers, older=older, first_page=request.url.path if before else None,
        activities=await desk.recent_activities(pool, blog["id"], ACTIVITIES),
        failing=await desk.failing_inboxes(
            pool, blog["id"], activities=ACTIVITIES, limit=FAILING
        ),
        handle_of=desk.handle_of, done=DONE.get(done or ""),
        deleted=request.query_params.get("deleted", ""),
        removed=request.query_params.get("removed", ""),
    )  # fmt: skip


async def _follower(request: Request, session: Session):
    row = await desk.select_follower(resources_of(request).pool, request.path_params["follower_id"])
    return row if row is not None and row["author_id"] == session.author_id else None


def _back(channel_id: int | None, done: str, **extra: str | int) -> RedirectResponse:
    where = f"{LIST}/{channel_id}" if channel_id else LIST
    return RedirectResponse(f"{where}?{urlencode({'done': done, **extra})}", status_code=303)


async def _decide(request: Request, session: Session, action: str) -> Response:
    follower = await _follower(request, session)
    if follower is None:
        return _back(None, "nothing")
    async with writes.write(resources_of(request)) as tx:
        if action == "approved":
            changed = await desk.approve_follower(tx.conn, follower["id"])
        elif action == "rejected" and follower["status"] != "pending":
            changed = False
        else:
            changed = await desk.reject_followers(tx.conn, [follower["id"]]) == 1
    return _back(follower["channel_id"], action if changed else "nothing")


@owner_only
async def approve(request: Request, session: Session) -> Response:
    return await _decide(request, session, "approved")


@owner_only
async def reject(request: Request, session: Session) -> Response:
    return await _decide(request, session, "rejected")


@owner_only
async def remove(request: Request, session: Session) -> Response:
    return await _decide(request, session, "removed")


def _block_page(request: Request, session: Session, follower, error: str | None) -> Response:
    response = page(
        request, session, "dashboard/fediverse_block.html", "Block follower",
        follower=follower, handle=desk.handle_of(follower), error=error,
    )  # fmt: skip
    response.status_code = 400 if error else 200
    return response


@owner_only
async def block_confirm(request: Request, session: Session) -> Response:
    follower = await _follower(request, session)
    if follower is None:
        return RedirectResponse(LIST, status_code=303)
    return _block_page(request, session, follower, None)


@owner_only
async def block(request: Request, session: Session) -> Response:
    follower = await _follower(request, session)
    if follower is None:
        return _back(None, "nothing")
    form = await request.form()
    kind = str(form.get("kind") or "")
    if kind not in moderation.MATCH:
        return _block_page(request, session, follower, "Choose the account or its whole domain.")
    reason = str(form.get("reason") or "").strip()[:1000] or None
    async with writes.write(resources_of(request)) as tx:
        blocked = await desk.block_follower(tx.conn, follower, kind, reason)
    return _back(
        follower["channel_id"], "blocked",
        removed=blocked.followers_removed, deleted=blocked.responses_deleted,
    )  # fmt: skip
