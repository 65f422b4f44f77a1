"""The IndieAuth server's JSON endpoints: metadata, token (+ legacy verification and
revocation), introspection, revocation and userinfo.

Failed grants (a wrong code, verifier or refresh token) and unknown bearer tokens count per
client IP; past `HUB_RATE_FAILED_AUTH` a minute these endpoints answer 429 with `Retry-After`
and `{"error": "rate_limited"}` without checking anything (micropub-resolved §2.5).

They read no cookies, so they answer any origin (CORS `*`, like /micropub). Errors are
OAuth's `{"error", "error_description"}` (RFC 6749 §5.2; RFC 6750 §3 for bearer failures),
never the site's HTML error pages.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hub.core import auth
from hub.core.channels import select_channel_by_domain
from hub.core.errors import DomainError, RateLimited, Unauthenticated
from hub.site.indieauth import service
from hub.site.indieauth.model import SCOPES, OAuthError, parse_scope
from hub.web.clients import client_ip
from hub.web.requests import resources_of
from hub.web.responses import JSONResponse
from hub.web.tokens import read_token

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
}
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
GUESSES = frozenset({"invalid_grant", "invalid_client"})  # a wrong code, verifier or token


def json_response(body: Any, status_code: int = 200, headers: dict | None = None) -> Response:
    return JSONResponse(
        body, status_code=status_code, headers={**CORS, **NO_STORE, **(headers or {})}
    )


def oauth_error(exc: OAuthError, headers: dict | None = None) -> Response:
    body = {"error": exc.error, "error_description": exc.description}
    return json_response(body, exc.status, headers)


async def preflight(request: Request) -> Response:
    return Response(status_code=204, headers={**CORS, "Access-Control-Max-Age": "86400"})


async def site_channel(request: Request) -> int | None:
    """The channel whose custom domain the request came to, if any."""
    host = (request.headers.get("host") or "").rsplit(":", 1)[0].strip("[]").lower()
    resources = resources_of(request)
    if not host or host == resources.urls.host:
        return None
    row = await select_channel_by_domain(resources.pool, host)
    return row["id"] if row else None


async def base_for(request: Request) -> str:
    """The origin the client talks to: the node's base URL, or a channel's custom domain."""
    if await site_channel(request) is not None:
        host = (request.headers.get("host") or "").rsplit(":", 1)[0].lower()
        return f"https://{host}"
    return resources_of(request).urls.base


async def issuer_for(request: Request) -> str:
    """The issuer identifier (IndieAuth §3.1): the base URL plus `/`, a prefix of the metadata
    URL. On a custom domain it is that domain's origin plus `/`."""
    return await base_for(request) + "/"


async def metadata(request: Request) -> Response:
    """GET /.well-known/oauth-authorization-server (RFC 8414 as IndieAuth §4.1.1 profiles it)."""
    base = await base_for(request)
    return json_response(
        {
            "issuer": base + "/",
            "authorization_endpoint": f"{base}/auth",
            "token_endpoint": f"{base}/auth/token",
            "introspection_endpoint": f"{base}/auth/introspect",
            "introspection_endpoint_auth_methods_supported": ["bearer"],
            "revocation_endpoint": f"{base}/auth/revoke",
            "revocation_endpoint_auth_methods_supported": ["none"],
            "userinfo_endpoint": f"{base}/auth/userinfo",
            "scopes_supported": list(SCOPES),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": True,
            "service_documentation": "https://indieauth.spec.indieweb.org/",
        },
        headers={"Cache-Control": "public, max-age=300"},
    )


async def _form(request: Request):
    content_type = request.headers.get("content-type", "").lower()
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        raise OAuthError("invalid_request", "Send the parameters form-encoded.")
    return await request.form()


def _fail_key(request: Request) -> str:
    ip = client_ip(request, resources_of(request).settings.trusted_proxies) or "unknown"
    return f"indieauth:authfail:{ip}"


async def blocked_by_failures(request: Request) -> Response | None:
    """429 when this client IP already failed `HUB_RATE_FAILED_AUTH` times in the last
    minute (guessing codes, verifiers, refresh or bearer tokens): nothing is checked."""
    resources = resources_of(request)
    limit = resources.settings.rate_failed_auth_per_ip
    if limit <= 0:
        return None
    standing = await resources.limiter.status(_fail_key(request), limit)
    if standing.remaining > 0:
        return None
    return _too_many(standing.reset_after)


def _too_many(retry_after: int) -> Response:
    seconds = max(1, retry_after)
    return json_response(
        {"error": "rate_limited",
         "error_description": f"Too many failed attempts; wait {seconds} seconds."},
        429, {"Retry-After": str(seconds)},
    )  # fmt: skip


async def count_failure(request: Request, answer: Response) -> Response:
    """Count a failed attempt from the client's IP; the 429 once it is one too many."""
    resources = resources_of(request)
    try:
        await resources.limiter.hit(_fail_key(request), resources.settings.rate_failed_auth_per_ip)
    except RateLimited as exc:
        return _too_many(exc.retry_after)
    return answer


async def token(request: Request) -> Response:
    """POST /auth/token: authorization_code and refresh_token grants; `action=revoke` (legacy
    revocation). Failed grants count against the client IP's failed-authentication limit."""
    resources = resources_of(request)
    if (blocked := await blocked_by_failures(request)) is not None:
        return blocked
    try:
        form = await _form(request)
        if form.get("action") == "revoke":
            await service.revoke(resources, str(form.get("token") or ""))
            return json_response({})
        grant_type = form.get("grant_type")
        client_id = str(form.get("client_id") or "")
        if grant_type == "authorization_code":
            body = await service.redeem_code(
                resources,
                code=str(form.get("code") or ""),
                client_id=client_id,
                redirect_uri=str(form.get("redirect_uri") or ""),
                code_verifier=str(form.get("code_verifier") or "") or None,
                for_token=True,
            )
        elif grant_type == "refresh_token":
            scope = form.get("scope")
            body = await service.refresh(
                resources,
                refresh_token=str(form.get("refresh_token") or ""),
                client_id=client_id,
                scope=parse_scope(str(scope)) if scope else None,
            )
        else:
            raise OAuthError("unsupported_grant_type", "Use authorization_code or refresh_token.")
    except OAuthError as exc:
        if exc.error in GUESSES:
            return await count_failure(request, oauth_error(exc))
        return oauth_error(exc)
    return json_response(body)


async def _bearer(request: Request) -> auth.Principal:
    """The principal of the bearer token; a 429 (as `RateLimited`) once this IP failed too
    often, and every unknown or dead token counts as a failure."""
    if (blocked := await blocked_by_failures(request)) is not None:
        raise _Blocked(blocked)
    presented = read_token(request.headers, accept={auth.VIA_BEARER})
    resources = resources_of(request)
    try:
        return await auth.resolve_principal(
            resources.pool, presented,
            client_ip=client_ip(request, resources.settings.trusted_proxies),
        )  # fmt: skip
    except Unauthenticated as exc:
        if exc.code != "missing_token":
            raise _Blocked(await count_failure(request, _unauthorized(exc))) from exc
        raise


class _Blocked(Exception):
    """Carries the answer to a request refused or counted by the failed-auth limit."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _unauthorized(exc: DomainError) -> Response:
    if exc.code == "missing_token":
        return json_response(
            {"error": "unauthorized", "error_description": exc.message}, 401,
            {"WWW-Authenticate": 'Bearer realm="hub"'},
        )  # fmt: skip
    return json_response(
        {"error": "invalid_token", "error_description": exc.message}, 401,
        {"WWW-Authenticate": 'Bearer realm="hub", error="invalid_token"'},
    )  # fmt: skip


async def token_verify(request: Request) -> Response:
    """Legacy GET /auth/token with a bearer: `{"me", "client_id", "scope"}`."""
    try:
        principal = await _bearer(request)  # records the use, like any other
    except _Blocked as exc:
        return exc.response
    except Unauthenticated as exc:
        return _unauthorized(exc)
    presented = read_token(request.headers, accept={auth.VIA_BEARER})
    info = await service.token_info(resources_of(request), presented.secret)
    if info is None or info["author_id"] != principal.author_id:
        return _unauthorized(Unauthenticated("The token is not live.", code="invalid_token"))
    return json_response(
        {"me": info["me"], "client_id": info.get("client_id", ""), "scope": info["scope"],
         "issued_at": info["iat"]}
    )  # fmt: skip


async def introspect(request: Request) -> Response:
    """POST /auth/introspect (IndieAuth §6, RFC 7662). The caller authenticates with a bearer
    token of this node; a token of another author is reported inactive."""
    try:
        caller = await _bearer(request)
        form = await _form(request)
    except _Blocked as exc:
        return exc.response
    except Unauthenticated as exc:
        return _unauthorized(exc)
    except OAuthError as exc:
        return oauth_error(exc)
    info = await service.token_info(resources_of(request), str(form.get("token") or ""))
    if info is None or info.pop("author_id") != caller.author_id:
        return json_response({"active": False})
    return json_response(info)


async def revoke(request: Request) -> Response:
    """POST /auth/revoke (RFC 7009): 200 whether or not the token was live."""
    try:
        form = await _form(request)
    except OAuthError as exc:
        return oauth_error(exc)
    await service.revoke(resources_of(request), str(form.get("token") or ""))
    return json_response({})


async def userinfo(request: Request) -> Response:
    """GET /auth/userinfo (IndieAuth §9): the profile, for a token with the profile scope."""
    try:
        principal = await _bearer(request)
    except _Blocked as exc:
        return exc.response
    except Unauthenticated as exc:
        return _unauthorized(exc)
    if "profile" not in principal.scopes:
        return json_response(
            {"error": "insufficient_scope", "error_description": "The profile scope is needed.",
             "scope": "profile"}, 403,
            {"WWW-Authenticate": 'Bearer realm="hub", error="insufficient_scope", '
                                 'scope="profile"'},
        )  # fmt: skip
    profile = await service.userinfo(
        resources_of(request), principal.author_id, principal.channel_id, principal.scopes
    )
    return json_response(profile or {})
