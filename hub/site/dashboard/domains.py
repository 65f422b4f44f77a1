"""Dashboard: a custom domain per blog (webmention-site-feeds §3.1, R-W30). The owner names a
domain for one of their channels on the settings page or on the blog's own page
(`/dashboard/channels/{id}`, which the form's `back=channel` returns to); the channel is then
served at `https://{domain}/` (home, `/{slug}`, `/tags/{tag}`, feeds, IndieAuth), and its
node paths answer 301 there. An empty field removes the domain. The DNS name must point at this node
(and its TLS be served by the proxy in front): hub only answers for the names it knows."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import asyncpg
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.core.channels import select_channel, set_custom_domain
from hub.site.login.session import Session, owner_only
from hub.web.requests import resources_of

LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOSTNAME = re.compile(rf"^(?=.{{4,253}}$)(?:{LABEL}\.)+[a-z][a-z0-9-]{{0,61}}[a-z0-9]$")


def normalise_domain(raw: str, node_host: str) -> tuple[str | None, str | None]:
    """(domain or None to remove, error or None) from what the owner typed: lowercase, IDNA,
    no scheme, port, path or trailing dot; never the node's own host."""
    text = raw.strip().lower().removesuffix(".")
    if not text:
        return None, None
    if "/" in text or ":" in text or "@" in text:
        return None, "Type the name only, like blog.example.org (no https://, port or path)."
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError:
        return None, "That is not a valid domain name."
    if not HOSTNAME.match(text):
        return None, "That is not a valid domain name."
    if text == node_host:
        return None, "That is this node's own name; pick another one."
    return text, None


def _back(**params: str) -> RedirectResponse:
    return RedirectResponse(f"/dashboard/settings?{urlencode(params)}#blogs", status_code=303)


def _to_channel(channel_id: int, **params: str) -> RedirectResponse:
    """Back to the blog's own settings page (`channels.py`), where the form also is."""
    query = urlencode(params)
    return RedirectResponse(f"/dashboard/channels/{channel_id}?{query}#domain", status_code=303)


@owner_only
async def set_domain(request: Request, session: Session) -> Response:
    resources = resources_of(request)
    channel = await select_channel(resources.pool, request.path_params["channel_id"])
    if channel is None or channel["author_id"] != session.author_id:
        return _back(error="Unknown blog.")
    form = await request.form()
    domain, error = normalise_domain(str(form.get("domain") or ""), resources.urls.host)
    if not error:
        try:
            await set_custom_domain(resources.pool, channel["id"], domain)
        except asyncpg.UniqueViolationError:
            error = f"{domain} is already the domain of another blog."
    if form.get("back") == "channel":
        if error:
            return _to_channel(channel["id"], error=error)
        return _to_channel(channel["id"], domain_saved="1")
    if error:
        return _back(error=error, blog=channel["slug"])
    return _back(saved=channel["slug"])
