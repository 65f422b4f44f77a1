"""The owner's dashboard session: a server-side row in Postgres behind a random cookie.

The cookie holds 32 random bytes (base64url); the table holds only their SHA-256, the owner
and a per-session CSRF token that every POST form must echo. The cookie is HttpOnly,
SameSite=Lax, and Secure with the `__Host-` prefix when the node's base URL is https. Before
login there is no session: the login form is protected by a double-submit cookie instead.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.core.inputs import refused_character
from hub.site.login import queries as q
from hub.site.render import render
from hub.web.clients import client_ip
from hub.web.requests import resources_of

SESSION_LIFETIME = timedelta(days=14)
LOGIN_PATH = "/dashboard/login"


@dataclass(frozen=True)
class Session:
    id: int
    author_id: int
    author_name: str
    csrf_token: str


def _secure(request: Request) -> bool:
    return resources_of(request).settings.base_url.startswith("https://")


def cookie_name(request: Request, name: str) -> str:
    """`__Host-name` over https (Secure, host-only, path /), plain `name` otherwise."""
    return f"__Host-{name}" if _secure(request) else name


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        cookie_name(request, name),
        value,
        max_age=max_age,
        path="/",
        secure=_secure(request),
        httponly=True,
        samesite="lax",
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        cookie_name(request, name), path="/", secure=_secure(request), httponly=True,
        samesite="lax",
    )  # fmt: skip


def _hash(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


async def start_session(request: Request, response: Response, author_id: int) -> None:
    """Create a session for `author_id` and set its cookie on `response`."""
    resources = resources_of(request)
    session_id = secrets.token_urlsafe(32)
    await q.delete_expired_sessions(resources.pool)
    await q.insert_session(
        resources.pool,
        session_hash=_hash(session_id),
        author_id=author_id,
        csrf_token=secrets.token_urlsafe(32),
        ip=client_ip(request, resources.settings.trusted_proxies),
        user_agent=(request.headers.get("user-agent") or "")[:500] or None,
        expires_at=datetime.now(UTC) + SESSION_LIFETIME,
    )
    set_cookie(request, response, "hub_session", session_id, int(SESSION_LIFETIME.total_seconds()))


async def end_session(request: Request, response: Response) -> None:
    raw = request.cookies.get(cookie_name(request, "hub_session"))
    if raw:
        await q.delete_session(resources_of(request).pool, _hash(raw))
    clear_cookie(request, response, "hub_session")


async def current_session(request: Request) -> Session | None:
    """The owner's live session named by the request's cookie, or None."""
    if "hub_session" in request.scope.get("state", {}):
        return request.scope["state"]["hub_session"]
    raw = request.cookies.get(cookie_name(request, "hub_session"))
    session = None
    if raw and len(raw) <= 100:
        pool = resources_of(request).pool
        row = await q.select_session(pool, _hash(raw))
        if row is not None:
            if row["stale"]:
                await q.touch_session(pool, row["id"])
            session = Session(row["id"], row["author_id"], row["author_name"], row["csrf_token"])
    request.scope.setdefault("state", {})["hub_session"] = session
    return session


def csrf_ok(expected: str, sent: object) -> bool:
    return isinstance(sent, str) and bool(sent) and secrets.compare_digest(expected, sent)


def safe_next(value: str | None, default: str = "/dashboard") -> str:
    """A local path to go to after login; anything else (other hosts, `//x`) → `default`."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if any(c in value for c in "\r\n\t"):
        return default
    return value


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{LOGIN_PATH}?next={quote(target, safe='')}", status_code=303)


Handler = Callable[[Request, Session], Awaitable[Response]]


def owner_only(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a dashboard endpoint: no owner session → 303 to the login page; a POST whose form
    lacks the session's CSRF token → 403. The handler gets the session."""

    async def endpoint(request: Request) -> Response:
        session = await current_session(request)
        if session is None:
            return login_redirect(request)
        if request.method == "POST":
            # text fields (the editor's body) as long as the body limit allows, not only
            # Starlette's 1 MiB per multipart part; the handler gets this same parsed form
            limit = resources_of(request).settings.max_body_bytes
            form = await request.form(max_part_size=limit)
            if not csrf_ok(session.csrf_token, form.get("csrf")):
                return csrf_failure(request)
            refused = _refused_field(form)
            if refused is not None:
                return _refused_text(request, *refused)
        return await handler(request, session)

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint


def _refused_field(form) -> tuple[str, str] | None:
    """(field, character) of the first text field holding a character hub cannot store."""
    for name, value in form.multi_items():
        if isinstance(value, str):
            bad = refused_character(value) or refused_character(name)
            if bad is not None:
                return name, bad
    return None


def _refused_text(request: Request, field: str, character: str) -> Response:
    """400: a NUL cannot be stored (PostgreSQL text); nothing was written."""
    return render(
        request,
        "auth/error.html",
        {
            "title": "Text not accepted",
            "message": f"The {field} field contains a character that cannot be saved "
            f"({character}). Go back, remove it and try again.",
        },
        status_code=400,
    )


def csrf_failure(request: Request) -> Response:
    return render(
        request,
        "auth/error.html",
        {
            "title": "Form expired",
            "message": "This form was not sent from this dashboard, or your session changed. "
            "Go back, reload the page and try again.",
        },
        status_code=403,
    )
