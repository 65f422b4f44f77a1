"""Dashboard: the node's directory. Every site with its feeds and their poll health (the
node's own feeds are indexed when an entry is published, never polled); a form to add a site
by URL, whose discovery runs as a job (`discover_site`) while the page shows its progress
(pending, found N feeds, failed and why); and the owner's subscriptions to feeds.

The directory's tables belong to `hub.directory`, which the site may not import: reads go
through `DirectoryHealth`, writes through `DirectoryDesk` (`hub.core`), both handed over by
`hub.app`. A URL is checked before anything is written: http(s) with a host, and a host that
resolves to a public address (the fetch client refuses the others when the job runs anyway).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.core import writes
from hub.core.directory_desk import DirectoryDesk
from hub.core.errors import FetchFailed, FetchRefused, Invalid
from hub.core.fetch import check_destination
from hub.site.dashboard.pages import PAGE_SIZE, directory_health, page, pager
from hub.site.login.session import Session, owner_only
from hub.web.requests import resources_of

SUBMISSIONS_SHOWN = 10
NOTICES = {
    "added": "Looking for feeds at {url}: the list below shows what is found.",
    "subscribed": "Subscribed.",
    "unsubscribed": "Unsubscribed.",
}


def directory_desk(request: Request) -> DirectoryDesk:
    """The directory's writes for the dashboard, handed over by `hub.app` as well."""
    return request.app.state.directory_desk


async def _page(
    request: Request,
    session: Session,
    *,
    url: str = "",
    url_error: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    pool = resources_of(request).pool
    reads, desk = directory_health(request), directory_desk(request)
    paging = pager(request, await reads.count_sites(pool))
    sites = await reads.list_sites(pool, PAGE_SIZE, paging.offset)
    feeds: dict[Any, list] = {s["id"]: [] for s in sites}
    for feed in await reads.list_feeds_of(pool, list(feeds)):
        feeds[feed["site_id"]].append(feed)
    feed_ids = [f["id"] for site_feeds in feeds.values() for f in site_feeds]
    params = request.query_params
    done = next((name for name in NOTICES if name in params), None)
    response = page(
        request, session, "dashboard/directory.html", "Directory",
        sites=sites, feeds=feeds, pager=paging, health=await reads.feed_health(pool),
        submissions=await desk.list_submissions(pool, session.author_id, SUBMISSIONS_SHOWN),
        subscribed=await desk.subscribed_feed_ids(pool, session.author_id, feed_ids),
        url=url, url_error=url_error, error=error,
        notice=NOTICES[done].format(url=params[done]) if done else None,
    )  # fmt: skip
    response.status_code = status_code
    return response


@owner_only
async def directory(request: Request, session: Session) -> Response:
    return await _page(request, session)


async def _checked_url(request: Request, raw: str) -> str:
    """The URL to submit; Invalid (field `url`) with what to fix otherwise."""
    settings = resources_of(request).settings
    url = directory_desk(request).check_url(raw)
    try:
        await check_destination(url, allow_loopback=settings.allow_loopback_fetch)
    except (FetchRefused, FetchFailed) as exc:
        raise Invalid.field("url", f"{exc.message} Enter the address of a public site.") from None
    return url


@owner_only
async def add_site(request: Request, session: Session) -> Response:
    """Add a site by URL: a pending submission and its discovery job, written together."""
    form = await request.form()
    raw = str(form.get("url") or "").strip()[:2000]
    try:
        url = await _checked_url(request, raw)
    except Invalid as exc:
        message = "; ".join(exc.fields.get("url") or [exc.message])
        return await _page(request, session, url=raw, url_error=message, status_code=422)
    async with writes.write(resources_of(request)) as tx:
        await directory_desk(request).submit_site(tx.conn, session.author_id, url)
    return _back(added=url)


def _back(**params: str) -> RedirectResponse:
    return RedirectResponse(f"/dashboard/directory?{urlencode(params)}", status_code=303)


async def _follow(request: Request, session: Session, *, subscribe: bool) -> Response:
    try:
        feed_id = UUID(str(request.path_params["feed_id"]))
    except ValueError:
        feed_id = None
    desk = directory_desk(request)
    async with writes.write(resources_of(request)) as tx:
        if feed_id is None:
            done = False
        elif subscribe:
            done = await desk.subscribe(tx.conn, session.author_id, feed_id)
        else:
            done = await desk.unsubscribe(tx.conn, session.author_id, feed_id)
    if not done:
        message = "No such feed." if subscribe else "You were not subscribed to that feed."
        return await _page(request, session, error=message, status_code=404)
    return _back(**{"subscribed" if subscribe else "unsubscribed": str(feed_id)})


@owner_only
async def subscribe(request: Request, session: Session) -> Response:
    return await _follow(request, session, subscribe=True)


@owner_only
async def unsubscribe(request: Request, session: Session) -> Response:
    return await _follow(request, session, subscribe=False)
