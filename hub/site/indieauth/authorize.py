"""The authorization endpoint: `GET /auth` (consent page) and `POST /auth` (the owner's
decision, or a client redeeming a code for the profile URL only).

Until the client and its redirect_uri are verified, every problem is an error page and
nothing is redirected; after that, problems go back to the client as `?error=…&state=…&iss=…`
(RFC 6749 §4.1.2.1, RFC 9207).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.core.channels import select_author_channels
from hub.site.indieauth import service
from hub.site.indieauth.client import ClientInfo, ClientRefused, fetch_client, redirect_allowed
from hub.site.indieauth.endpoints import (
    GUESSES,
    blocked_by_failures,
    count_failure,
    issuer_for,
    json_response,
    oauth_error,
    site_channel,
)
from hub.site.indieauth.model import (
    LIFETIME_LABELS,
    LIFETIMES,
    SCOPES,
    OAuthError,
    client_id_problem,
    origin,
    parse_scope,
    redirect_uri_problem,
    same_origin,
    valid_challenge,
    with_query,
)
from hub.site.login.session import csrf_failure, csrf_ok, current_session, login_redirect
from hub.site.render import content_security_policy, render
from hub.web.requests import resources_of


class PageError(Exception):
    """Shown to the owner; the client is not redirected to."""


@dataclass(frozen=True)
class AuthRequest:
    client: ClientInfo
    redirect_uri: str
    state: str
    code_challenge: str | None
    scopes: list[str]  # as requested, unknown ones included
    me: str
    identity_only: bool  # legacy response_type=id
    params: dict[str, str]  # the request as received, for the consent form


class RedirectError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


_PARAMS = (
    "response_type", "client_id", "redirect_uri", "state", "code_challenge",
    "code_challenge_method", "scope", "me",
)  # fmt: skip


async def _prepare(request: Request, params: Mapping[str, str]) -> AuthRequest:
    """Check an authorization request. Raises PageError before the redirect_uri is trusted,
    RedirectError after."""
    resources = resources_of(request)
    given = {k: str(params.get(k) or "") for k in _PARAMS}
    client_id, redirect_uri = given["client_id"].strip(), given["redirect_uri"].strip()
    problem = client_id_problem(client_id) or redirect_uri_problem(redirect_uri)
    if problem:
        raise PageError(problem)
    try:
        client = await fetch_client(
            resources.fetcher, client_id, allow_loopback=resources.settings.allow_loopback_fetch
        )
    except ClientRefused as exc:
        raise PageError(str(exc)) from None
    if not redirect_allowed(client, redirect_uri):
        raise PageError(
            f"The redirect_uri {redirect_uri} is on another host than the client "
            f"{client_id}, and the client does not list it as one of its redirect URLs."
        )
    return _check_params(client, redirect_uri, given)


def _check_params(client: ClientInfo, redirect_uri: str, given: dict[str, str]) -> AuthRequest:
    response_type = given["response_type"]
    if response_type not in ("code", "id"):
        raise RedirectError("unsupported_response_type", "Only response_type=code is supported.")
    if not given["state"]:
        raise RedirectError("invalid_request", "The state parameter is required.")
    challenge = given["code_challenge"] or None
    if challenge:
        if given["code_challenge_method"] != "S256":
            raise RedirectError("invalid_request", "Only code_challenge_method=S256 is supported.")
        if not valid_challenge(challenge):
            raise RedirectError("invalid_request", "The code_challenge is malformed.")
    identity_only = response_type == "id"
    return AuthRequest(
        client=client,
        redirect_uri=redirect_uri,
        state=given["state"],
        code_challenge=challenge,
        scopes=[] if identity_only else parse_scope(given["scope"]),
        me=given["me"].strip(),
        identity_only=identity_only,
        params=given,
    )


def _error_page(request: Request, message: str, status_code: int = 400) -> Response:
    return render(
        request,
        "auth/error.html",
        {"title": "This sign-in request cannot go on", "message": message,
         "details": "You were not sent back to the application."},
        status_code=status_code,
    )  # fmt: skip


async def _redirect_error(request: Request, redirect_uri: str, state: str, exc: RedirectError):
    target = with_query(
        redirect_uri,
        {"error": exc.error, "error_description": exc.description, "state": state or None,
         "iss": await issuer_for(request)},
    )  # fmt: skip
    return RedirectResponse(target, status_code=302)


async def _owner_channels(request: Request, author_id: int, me_hint: str):
    """The owner's channels, and the one to sign in as: the custom-domain host's, else the
    one whose URL the client named as `me`, else the default channel."""
    resources = resources_of(request)
    channels = await select_author_channels(resources.pool, author_id)
    host_channel = await site_channel(request)
    chosen = next((c for c in channels if host_channel and c["id"] == host_channel), None)
    wanted = me_hint.rstrip("/").split("://")[-1].lower()
    if chosen is None and wanted:
        for channel in channels:
            url = service.me_for(resources, channel).rstrip("/").split("://")[-1].lower()
            if url == wanted:
                chosen = channel
    return channels, chosen or (channels[0] if channels else None)


async def authorize(request: Request) -> Response:
    """GET /auth: check the request, make sure the owner is signed in, show the consent page."""
    try:
        prepared = await _prepare(request, request.query_params)
    except PageError as exc:
        return _error_page(request, str(exc))
    except RedirectError as exc:
        return await _redirect_error(
            request, request.query_params["redirect_uri"].strip(),
            request.query_params.get("state", ""), exc,
        )  # fmt: skip
    session = await current_session(request)
    if session is None:
        return login_redirect(request)
    channels, chosen = await _owner_channels(request, session.author_id, prepared.me)
    if chosen is None:
        return _error_page(request, "You have no blog yet: add one with `hub author add`.", 409)
    resources = resources_of(request)
    redirect_scheme, redirect_host, _ = origin(prepared.redirect_uri)
    if ":" in redirect_host:
        redirect_host = f"[{redirect_host}]"
    context = {
        "session": session,
        "req": prepared,
        "client": prepared.client,
        "scopes": [(s, SCOPES.get(s)) for s in prepared.scopes],
        "channels": [(c["id"], service.me_for(resources, c)) for c in channels],
        "chosen": chosen["id"],
        "lifetimes": list(LIFETIME_LABELS.items()),
        "other_host": not same_origin(prepared.client.client_id, prepared.redirect_uri),
        "csrf": session.csrf_token,
    }
    form_action = "'self' " + (
        f"{redirect_scheme}://{redirect_host}:*"
        if redirect_scheme in ("http", "https")
        else f"{redirect_scheme}:"
    )
    return render(
        request,
        "auth/consent.html",
        context,
        headers={"Content-Security-Policy": content_security_policy(form_action)},
    )


async def decide(request: Request) -> Response:
    """POST /auth: a client redeeming a code (grant_type=authorization_code), or the owner's
    approve/deny from the consent form."""
    form = await request.form()
    if form.get("grant_type") is not None or (form.get("code") and not form.get("decision")):
        return await _redeem_profile(request, form)
    session = await current_session(request)
    if session is None:
        return login_redirect(request)
    if not csrf_ok(session.csrf_token, form.get("csrf")):
        return csrf_failure(request)
    try:
        prepared = await _prepare(request, form)
    except PageError as exc:
        return _error_page(request, str(exc))
    except RedirectError as exc:
        return await _redirect_error(request, str(form.get("redirect_uri")).strip(),
                               str(form.get("state") or ""), exc)  # fmt: skip
    if form.get("decision") != "approve":
        exc = RedirectError("access_denied", "The owner denied the request.")
        return await _redirect_error(request, prepared.redirect_uri, prepared.state, exc)
    channels, chosen = await _owner_channels(request, session.author_id, prepared.me)
    picked = str(form.get("channel") or "")
    chosen = next((c for c in channels if str(c["id"]) == picked), chosen)
    if chosen is None:
        return _error_page(request, "You have no blog yet.", 409)
    ticked = set(form.getlist("scopes"))
    scopes = [s for s in prepared.scopes if s in SCOPES and s in ticked]
    lifetime_key = str(form.get("lifetime") or "never")
    resources = resources_of(request)
    code = await service.issue_code(
        resources,
        service.Approval(
            author_id=session.author_id,
            channel_id=chosen["id"],
            me=service.me_for(resources, chosen),
            client_id=prepared.client.client_id,
            client_name=prepared.client.display_name,
            redirect_uri=prepared.redirect_uri,
            code_challenge=prepared.code_challenge,
            scopes=scopes,
            lifetime_seconds=LIFETIMES.get(lifetime_key),
        ),
    )
    target = with_query(
        prepared.redirect_uri,
        {"code": code, "state": prepared.state, "iss": await issuer_for(request)},
    )
    return RedirectResponse(target, status_code=302)


async def _redeem_profile(request: Request, form) -> Response:
    """IndieAuth §5.3.2: the code for the profile URL (and profile), no access token."""
    if form.get("grant_type") != "authorization_code":
        return oauth_error(OAuthError("unsupported_grant_type", "Use authorization_code."))
    if (blocked := await blocked_by_failures(request)) is not None:
        return blocked
    try:
        body = await service.redeem_code(
            resources_of(request),
            code=str(form.get("code") or ""),
            client_id=str(form.get("client_id") or ""),
            redirect_uri=str(form.get("redirect_uri") or ""),
            code_verifier=str(form.get("code_verifier") or "") or None,
            for_token=False,
        )
    except OAuthError as exc:
        if exc.error in GUESSES:
            return await count_failure(request, oauth_error(exc))
        return oauth_error(exc)
    return json_response(body)
