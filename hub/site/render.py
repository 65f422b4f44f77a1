"""Jinja2 rendering for the dashboard and the IndieAuth pages (templates/auth, /dashboard).

One autoescaping environment over `hub/templates`; pages are never cached by browsers or
proxies, carry a strict Content-Security-Policy (no scripts, no external assets) and may not
be framed (the consent page must never be clickjacked).
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


def content_security_policy(form_action: str = "'self'") -> str:
    """No scripts, no external assets, never framed; forms post to `form_action` (the consent
    form also names the client's redirect target: browsers apply it to the redirect too)."""
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    )


SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": content_security_policy(),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
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
    return HTMLResponse(
        html, status_code=status_code, headers={**SECURITY_HEADERS, **(headers or {})}
    )
