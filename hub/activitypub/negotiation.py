"""Content negotiation at the channels' and entries' own URLs (issue 19): a GET or HEAD whose
`Accept` prefers `application/activity+json` (or `application/ld+json` with the
ActivityStreams profile) over `text/html` gets the channel's actor or the entry's object;
everything else goes to the app unchanged. A normal page request costs one header scan.

A URL with no document to serve (an unknown or draft channel, a draft or private entry, an
old slug, a node path of a custom-domain channel) also goes to the app, which answers it as
it always does (404, or a 301 to the canonical URL, which the client follows with the same
`Accept`). A deleted entry answers a `Tombstone` with 410.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.activitypub.documents.actor import actor_of
from hub.activitypub.documents.context import with_context
from hub.activitypub.documents.objects import document_of
from hub.activitypub.documents.responses import GONE_CACHE, document_response
from hub.activitypub.errors import render
from hub.core import channels
from hub.core.federation import keys, local
from hub.core.outages import is_outage, unavailable
from hub.core.resources import Resources
from hub.core.slugs import RESERVED_CHANNEL_SLUGS
from hub.core.urls import Target, parse_path
from hub.web import page_cache

ACTIVITY_TYPES = ("application/activity+json",)
LD_JSON = "application/ld+json"
AS_PROFILE = "https://www.w3.org/ns/activitystreams"


def _q(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value.strip())))
            except ValueError:
                return 0.0
    return 1.0


def _profile(params: list[str]) -> str | None:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "profile":
            return value.strip().strip('"')
    return None


def prefers_activity(accept: str) -> bool:
    """True when `accept` ranks an ActivityStreams type above HTML (RFC 9110 §12.5.1: HTML's
    weight is that of its most specific range: `text/html`, else `text/*`, else `*/*`).
    `application/ld+json` counts with the ActivityStreams profile or with none. A tie goes
    to the ActivityStreams type the client named."""
    activity = 0.0
    html: dict[int, float] = {}
    for item in accept.split(","):
        media, *params = item.split(";")
        media = media.strip().lower()
        q = _q(params)
        if media in ACTIVITY_TYPES:
            activity = max(activity, q)
        elif media == LD_JSON:
            profile = _profile(params)
            if profile is None or AS_PROFILE in profile.split():
                activity = max(activity, q)
        elif media == "text/html":
            html[3] = max(html.get(3, 0.0), q)
        elif media == "text/*":
            html[2] = max(html.get(2, 0.0), q)
        elif media == "*/*":
            html[1] = max(html.get(1, 0.0), q)
    html_q = html[max(html)] if html else 0.0
    return activity > 0 and activity >= html_q


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value
    return b""


class NegotiationMiddleware:
    """Serves the ActivityPub documents at the channel and entry URLs; see the module."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or b"json" not in _header(scope, b"accept")
            or not prefers_activity(_header(scope, b"accept").decode("latin-1"))
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await serve(request, scope["app"].state.resources)
        except Exception as exc:
            if not is_outage(exc):
                raise
            response = render(request, unavailable(exc))
        if response is None:
            await self.app(scope, receive, send)
        else:
            await response(scope, receive, send)


async def serve(request: Request, resources: Resources) -> Response | None:
    """The actor or entry document at this URL, or None to let the app answer. A host that
    is neither the node's nor a channel's custom domain (an alias, a proxy's name) is read
    as the node, as the site does."""
    urls = resources.urls
    host = (request.url.hostname or "").lower()
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1").split("?", 1)[0]
    if host and host != urls.host:
        target = parse_path(path, "\0")  # the custom domain's channel is implied
        row = await _read(resources, target, host)
        if row is not None or await channels.channel_id_by_domain(resources.pool, host):
            return await _answer(request, resources, target, row, host)
    target = parse_path(path)
    if target.channel in RESERVED_CHANNEL_SLUGS:
        return None
    return await _answer(request, resources, target, await _read(resources, target, None), None)


async def _read(resources: Resources, target: Target, domain: str | None):
    pool = resources.pool
    if target.kind == "channel":
        if domain:
            return await local.actor_by_domain(pool, domain)
        return await local.actor_by_slug(pool, target.channel or "")
    if target.kind == "entry":
        if domain:
            return await local.entry_by_domain(pool, domain, target.slug or "")
        return await local.entry_by_slug(pool, target.channel or "", target.slug or "")
    return None


async def _answer(
    request: Request, resources: Resources, target: Target, row, domain: str | None
) -> Response | None:
    # unknown, or a node path of a custom-domain channel (the site answers 301)
    if row is None or row["custom_domain"] != domain:
        return None
    urls = resources.urls
    if target.kind == "channel":
        if row["status"] != "published":
            return None  # a draft channel: the site's 404
        public_pem = row["public_pem"]
        if public_pem is None:  # the channel's first fediverse visitor: its key is made now
            public_pem = (await keys.channel_key(resources.pool, row["id"])).public_pem
        document = with_context(actor_of(row, urls, public_pem))
        page_cache.mark(request, row["id"])  # kept until the channel changes
        return document_response(request, document, vary_accept=True)
    answer = document_of(row, urls)
    if answer is None:
        return None  # a draft, scheduled or private entry: the site's 404
    status, document = answer
    page_cache.mark(request, row["channel_id"])  # kept until the channel changes
    cache = GONE_CACHE if status == 410 else "public, max-age=60"
    return document_response(
        request, document, status=status, cache_control=cache, vary_accept=True
    )
