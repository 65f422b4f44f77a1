"""Owner login and logout for the dashboard (and the IndieAuth consent page).

Only the node's owner (`authors.is_owner`) signs in, with their name and the password set by
`hub owner password`. Failed attempts are counted per client IP in Redis; past
`HUB_RATE_FAILED_AUTH` a minute the form answers 429 without checking the password. The form
is protected by a double-submit cookie, since there is no session yet.
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.core.authors import select_owner, set_password_hash
from hub.core.errors import RateLimited
from hub.site.login.passwords import hash_password, needs_rehash, verify_password
from hub.site.login.session import (
    Session,
    clear_cookie,
    cookie_name,
    csrf_ok,
    current_session,
    end_session,
    owner_only,
    safe_next,
    set_cookie,
    start_session,
)
from hub.site.render import render
from hub.web.clients import client_ip
from hub.web.requests import resources_of

LOGIN_CSRF = "hub_login_csrf"


def _fail_key(request: Request) -> str:
    ip = client_ip(request, resources_of(request).settings.trusted_proxies) or "unknown"
    return f"site-login-fail:{ip}"


async def _login_page(
    request: Request, *, next_path: str, name: str = "", error: str | None = None,
    status_code: int = 200, headers: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    token = secrets.token_urlsafe(32)
    owner = await select_owner(resources_of(request).pool)
    response = render(
        request,
        "auth/login.html",
        {
            "csrf": token,
            "next": next_path,
            "name": name,
            "error": error,
            "has_password": bool(owner and owner["password_hash"]),
        },
        status_code=status_code,
        headers=headers,
    )
    set_cookie(request, response, LOGIN_CSRF, token, 3600)
    return response


async def login_form(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    if await current_session(request) is not None:
        return RedirectResponse(next_path, status_code=303)
    return await _login_page(request, next_path=next_path)


async def login(request: Request) -> Response:
    resources = resources_of(request)
    form = await request.form()
    next_path = safe_next(str(form.get("next") or ""))
    name = str(form.get("name") or "").strip()[:200]
    password = str(form.get("password") or "")
    if not csrf_ok(request.cookies.get(cookie_name(request, LOGIN_CSRF), ""), form.get("csrf")):
        return render(
            request,
            "auth/error.html",
            {"title": "Form expired", "message": "Reload the sign-in page and try again."},
            status_code=403,
        )
    limit = resources.settings.rate_failed_auth_per_ip
    key = _fail_key(request)
    if limit > 0:
        standing = await resources.limiter.status(key, limit)
        if standing.remaining <= 0:
            return await _too_many(request, next_path, name, standing.reset_after)
    owner = await select_owner(resources.pool)
    name_matches = owner is not None and owner["name"].casefold() == name.casefold()
    stored = owner["password_hash"] if name_matches else None
    if not verify_password(stored, password):
        try:
            await resources.limiter.hit(key, limit)
        except RateLimited as exc:
            return await _too_many(request, next_path, name, exc.retry_after)
        return await _login_page(
            request, next_path=next_path, name=name,
            error="That name and password do not match.", status_code=401,
        )  # fmt: skip
    if needs_rehash(stored):
        await set_password_hash(resources.pool, owner["id"], hash_password(password))
    response = RedirectResponse(next_path, status_code=303)
    await start_session(request, response, owner["id"])
    clear_cookie(request, response, LOGIN_CSRF)
    return response


async def _too_many(request: Request, next_path: str, name: str, retry_after: int) -> Response:
    seconds = max(1, retry_after)
    return await _login_page(
        request, next_path=next_path, name=name, status_code=429,
        error=f"Too many failed sign-ins from your address. Try again in {seconds} seconds.",
        headers={"Retry-After": str(seconds)},
    )  # fmt: skip


@owner_only
async def logout(request: Request, session: Session) -> Response:
    response = RedirectResponse("/dashboard/login", status_code=303)
    await end_session(request, response)
    return response
