"""The owner's dashboard: entries, moderation, schedules, settings, and the menu.

Every page needs the owner's session (`owner_only`: otherwise 303 to the login page) and
every POST form its CSRF token. Destructive actions (block, revoke) go through a
confirmation page. Lists paginate by `?page=N`. Tokens and keys are in
tokens.py, webmentions in mentions.py, the directory in directory.py.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.config import documented_settings
from hub.core import auth, writes
from hub.core.channels import select_author_channels
from hub.core.directory_health import DirectoryHealth
from hub.core.entries import dashboard as entry_reads
from hub.core.entries import publishing
from hub.core.errors import Conflict
from hub.site.login.session import Session, owner_only
from hub.site.render import render
from hub.web.requests import resources_of

PAGE_SIZE = 50
ENTRY_STATUSES = ("draft", "moderation_review", "scheduled", "published", "archived", "deleted")
NAV = (
    ("/dashboard", "Overview"),
    ("/dashboard/entries", "Entries"),
    ("/dashboard/moderation", "Moderation"),
    ("/dashboard/scheduled", "Scheduled"),
    ("/dashboard/tokens", "Tokens and keys"),
    ("/dashboard/directory", "Directory"),
    ("/dashboard/webmentions", "Webmentions"),
    ("/dashboard/fediverse", "Fediverse"),
    ("/dashboard/channels", "Blogs"),
    ("/dashboard/profile", "Profile"),
    ("/dashboard/settings", "Settings"),
)
# Pages outside the menu's paths, by path prefix, and the menu section they belong to.
SECTION_ALIASES = (
    ("/dashboard/posts", "/dashboard/entries"),  # an entry's edit page
    ("/dashboard/new", "/dashboard/entries"),  # the editor of a new entry
)
SECRET_SETTINGS = frozenset({"DATABASE_URL", "REDIS_URL"})


def section_of(path: str, nav: tuple[tuple[str, str], ...] = NAV) -> str:
    """The menu section of the page at `path`: the longest menu path (or alias) it is or lies
    under (a menu path beats an alias of the same length); "Overview" is only /dashboard."""
    prefixes = [(p, p) for p, _ in nav if p != "/dashboard"] + list(SECTION_ALIASES)
    under = [(prefix, target) for prefix, target in prefixes
             if path == prefix or path.startswith(prefix + "/")]  # fmt: skip
    if not under:
        return "/dashboard"
    return max(under, key=lambda found: len(found[0]))[1]


@dataclasses.dataclass(frozen=True)
class Pager:
    page: int
    pages: int
    total: int
    prev_url: str | None
    next_url: str | None

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE


def pager(request: Request, total: int) -> Pager:
    """Page numbers from `?page=` (clamped), with links that keep the other parameters."""
    try:
        wanted = int(request.query_params.get("page", "1"))
    except ValueError:
        wanted = 1
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, wanted), pages)
    params = {k: v for k, v in request.query_params.items() if k != "page"}

    def link(n: int) -> str:
        return request.url.path + "?" + urlencode({**params, "page": n})

    return Pager(
        page, pages, total, link(page - 1) if page > 1 else None,
        link(page + 1) if page < pages else None,
    )  # fmt: skip


def page(request: Request, session: Session, template: str, title: str, **context: Any):
    section = section_of(request.url.path)
    return render(
        request,
        template,
        {"session": session, "nav": NAV, "section": section, "title": title, **context},
    )


def directory_health(request: Request) -> DirectoryHealth:
    """The directory's reads, handed to the site by `hub.app` (the site never imports it)."""
    return request.app.state.directory_health


@owner_only
async def home(request: Request, session: Session) -> Response:
    pool = resources_of(request).pool
    health = directory_health(request)
    counts = await entry_reads.count_by_status(pool)
    return page(
        request, session, "dashboard/home.html", "Overview",
        counts=[(s, counts.get(s, 0)) for s in ENTRY_STATUSES],
        live_credentials=await auth.count_credentials(pool, False),
        sites=await health.count_sites(pool),
        feeds=await health.feed_health(pool),
    )  # fmt: skip


@owner_only
async def entries(request: Request, session: Session) -> Response:
    pool = resources_of(request).pool
    status = request.query_params.get("status") or None
    if status not in (None, *ENTRY_STATUSES):
        status = None
    paging = pager(request, await entry_reads.count_entries(pool, status))
    rows = await entry_reads.list_entries(pool, status, PAGE_SIZE, paging.offset)
    return page(
        request, session, "dashboard/entries.html", "Entries",
        rows=rows, pager=paging, status=status, statuses=ENTRY_STATUSES,
    )  # fmt: skip


@owner_only
async def entry(request: Request, session: Session) -> Response:
    pool = resources_of(request).pool
    entry_id = request.path_params["entry_id"]
    row = await entry_reads.select_entry(pool, entry_id)
    if row is None:
        return render(
            request, "auth/error.html",
            {"session": session, "title": "Not found", "message": f"No entry {entry_id}."},
            status_code=404,
        )  # fmt: skip
    return page(
        request, session, "dashboard/entry.html", row["title"],
        entry=row,
        url=_entry_url(request, row),
        translations=await entry_reads.select_entry_translations(pool, entry_id),
        revisions=await entry_reads.select_pending_revisions(pool, entry_id),
    )  # fmt: skip


def _entry_url(request: Request, row) -> str:
    urls = resources_of(request).urls
    return urls.entry(row["channel"], row["slug"], custom_domain=row["custom_domain"])


@owner_only
async def moderation(request: Request, session: Session) -> Response:
    pool = resources_of(request).pool
    paging = pager(request, await entry_reads.count_entries(pool, "moderation_review"))
    rows = await entry_reads.list_moderation(pool, PAGE_SIZE, paging.offset)
    done = request.query_params.get("done")
    return page(
        request, session, "dashboard/moderation.html", "Moderation",
        rows=rows, pager=paging,
        done=done if done in ("approved", "blocked", "nothing") else None,
        done_entry=request.query_params.get("entry", ""),
        done_status=request.query_params.get("status", ""),
    )  # fmt: skip


async def _decide(request: Request, action: str, reason: str | None) -> Response:
    resources = resources_of(request)
    entry_id = request.path_params["entry_id"]
    try:
        async with writes.write(resources) as tx:
            conn = tx.conn
            if action == "approve":
                status = await publishing.approve(conn, entry_id, now=datetime.now(UTC))
            else:
                status = await publishing.block(conn, entry_id, reason=reason)
    except Conflict:
        done, status = "nothing", ""
    else:
        done = "approved" if action == "approve" else "blocked"
    query = urlencode({"done": done, "entry": entry_id, "status": status})
    return RedirectResponse(f"/dashboard/moderation?{query}", status_code=303)


@owner_only
async def approve(request: Request, session: Session) -> Response:
    return await _decide(request, "approve", None)


@owner_only
async def block_confirm(request: Request, session: Session) -> Response:
    pool = resources_of(request).pool
    row = await entry_reads.select_entry(pool, request.path_params["entry_id"])
    if row is None:
        return RedirectResponse("/dashboard/moderation", status_code=303)
    return page(request, session, "dashboard/block.html", "Block entry", entry=row)


@owner_only
async def block(request: Request, session: Session) -> Response:
    form = await request.form()
    reason = str(form.get("reason") or "").strip()[:1000] or None
    return await _decide(request, "block", reason)


@owner_only
async def scheduled(request: Request, session: Session) -> Response:
    pool = resources_of(request).pool
    paging = pager(request, await entry_reads.count_entries(pool, "scheduled"))
    rows = await entry_reads.list_scheduled(pool, PAGE_SIZE, paging.offset)
    return page(request, session, "dashboard/scheduled.html", "Scheduled", rows=rows, pager=paging)


def visible_settings(settings) -> list[tuple[str, str, str]]:
    """(variable, value, description) of every setting; connection URLs (which may carry
    passwords) are only said to be set or embedded."""
    rows = []
    for (env, _default, doc), field in zip(
        documented_settings(), dataclasses.fields(settings), strict=True
    ):
        value = getattr(settings, field.name)
        if env in SECRET_SETTINGS:
            shown = "set" if value else "unset"
        elif isinstance(value, tuple):
            shown = ", ".join(map(str, value)) or "(none)"
        else:
            shown = "(default)" if value is None else str(value)
        rows.append((env, shown, doc))
    return rows


@owner_only
async def settings_page(request: Request, session: Session) -> Response:
    resources = resources_of(request)
    params = request.query_params
    return page(
        request, session, "dashboard/settings.html", "Settings",
        rows=visible_settings(resources.settings),
        blogs=await select_author_channels(resources.pool, session.author_id),
        node_host=resources.urls.host, saved=params.get("saved"), error=params.get("error"),
        error_blog=params.get("blog"),
    )  # fmt: skip
