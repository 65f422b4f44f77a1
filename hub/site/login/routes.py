"""Routes of owner login and the IndieAuth server (listed in hub/site/routes.py)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from hub.site.indieauth import authorize as indieauth_authorize
from hub.site.indieauth import endpoints as indieauth_endpoints
from hub.site.login import endpoints as auth_login

ROUTES: list[BaseRoute] = [
    Route("/.well-known/oauth-authorization-server", indieauth_endpoints.metadata,
          methods=["GET", "HEAD"]),
    Route("/auth", indieauth_authorize.authorize, methods=["GET", "HEAD"]),
    Route("/auth", indieauth_authorize.decide, methods=["POST"]),
    Route("/auth/token", indieauth_endpoints.token, methods=["POST"]),
    Route("/auth/token", indieauth_endpoints.token_verify, methods=["GET"]),
    Route("/auth/introspect", indieauth_endpoints.introspect, methods=["POST"]),
    Route("/auth/revoke", indieauth_endpoints.revoke, methods=["POST"]),
    Route("/auth/userinfo", indieauth_endpoints.userinfo, methods=["GET"]),
    *(
        Route(path, indieauth_endpoints.preflight, methods=["OPTIONS"])
        for path in ("/.well-known/oauth-authorization-server", "/auth/token",
                     "/auth/introspect", "/auth/revoke", "/auth/userinfo")
    ),
    Route("/dashboard/login", auth_login.login_form, methods=["GET", "HEAD"]),
    Route("/dashboard/login", auth_login.login, methods=["POST"]),
    Route("/dashboard/logout", auth_login.logout, methods=["POST"]),
]  # fmt: skip
