"""Authentication for a request: core's guarded token resolution, fed with the request's
resources, client address and the node's failed-authentication limit."""

from __future__ import annotations

from starlette.requests import Request

from hub.core.auth import PRINCIPAL_QUERY, PresentedToken, Principal, resolve_guarded
from hub.web.clients import client_ip
from hub.web.requests import resources_of


async def guarded_principal(
    request: Request,
    presented: PresentedToken | None,
    *,
    namespace: str,
    query: str = PRINCIPAL_QUERY,
) -> Principal:
    """`auth.resolve_guarded` for a request: its resources, its client address (behind the
    trusted proxies) and the node's failed-authentication limit, counted in `namespace`;
    with `query` (from `auth.principal_query`) what it reads beside the token."""
    resources = resources_of(request)
    settings = resources.settings
    return await resolve_guarded(
        resources.pool,
        resources.limiter,
        presented,
        client_ip=client_ip(request, settings.trusted_proxies),
        namespace=namespace,
        per_minute=settings.rate_failed_auth_per_ip,
        query=query,
    )
