"""Routes of `hub/activitypub`: discovery under `/.well-known/` and `/nodeinfo`, the inboxes
and collections under `/activitypub/`. The actor and entry documents are served at the
channel's and entries' own URLs by content negotiation (`negotiation.py`)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from hub.activitypub.discovery import hostmeta, nodeinfo, webfinger
from hub.activitypub.documents import collections
from hub.activitypub.receive.routes import ROUTES as RECEIVE_ROUTES

GET = ["GET", "HEAD"]

ROUTES: list[BaseRoute] = [
    Route("/.well-known/webfinger", webfinger.webfinger, methods=GET),
    Route("/.well-known/host-meta", hostmeta.host_meta, methods=GET),
    Route("/.well-known/nodeinfo", nodeinfo.well_known, methods=GET),
    Route("/nodeinfo/2.1", nodeinfo.nodeinfo, methods=GET),
    Route("/activitypub/{channel}/outbox", collections.outbox, methods=GET),
    Route("/activitypub/{channel}/followers", collections.followers, methods=GET),
    Route("/activitypub/{channel}/following", collections.following, methods=GET),
    Route("/activitypub/{channel}/featured", collections.featured, methods=GET),
    *RECEIVE_ROUTES,  # POST /activitypub/inbox, /activitypub/{channel}/inbox
]
