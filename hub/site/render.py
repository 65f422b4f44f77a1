"""Jinja2 rendering for the dashboard and the IndieAuth pages (templates/auth, /dashboard).

One autoescaping environment over `hub/templates`; pages are never cached by browsers or
proxies, carry a strict Content-Security-Policy (no external assets) and may not be framed
(the consent page must never be clickjacked). Only the dashboard's pages may run scripts, and
only the node's own files (`script-src 'self'`: the editor's `/dashboard/assets/editor.js`,
which may call back to the node alone, `connect-src 'self'`); the login, IndieAuth and error
pages run none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def content_security_policy(form_action: str = "'self'", *, scripts: bool = False) -> str:
    """No external assets, never framed; forms post to `form_action` (the consent form also
    names the client's redirect target: browsers apply it to the redirect too). No scripts,
    unless `scripts`: then the node's own script files (never inline) and requests back to
    the node only."""
    run = "script-src 'self'; connect-src 'self'; " if scripts else ""
    return (
        f"default-src 'none'; {run}style-src 'unsafe-inline'; img-src 'self' data:; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    )


SCRIPTED_PREFIX = "/dashboard"  # the owner's pages; the login form stays script-free
UNSCRIPTED_PATHS = ("/dashboard/login", "/dashboard/logout")


def scripts_allowed(path: str) -> bool:
    """Whether the page at `path` may run the node's own scripts: the dashboard's pages."""
    return (
        path == SCRIPTED_PREFIX or path.startswith(SCRIPTED_PREFIX + "/")
    ) and not path.startswith(UNSCRIPTED_PATHS)


SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": content_security_policy(),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
DASHBOARD_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": content_security_policy(scripts=True),
}


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    values = {"request_path": request.url.path, "session": None, **(context or {})}
    html = environment.get_template(template).render(values)
    base = DASHBOARD_HEADERS if scripts_allowed(request.url.path) else SECURITY_HEADERS
    return HTMLResponse(html, status_code=status_code, headers={**base, **(headers or {})})
