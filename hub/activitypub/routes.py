"""Routes of `hub/activitypub`: discovery under `/.well-known/` and `/nodeinfo`, the inboxes
and collections under `/activitypub/`. The actor and entry documents are served at the
channel's and entries' own URLs by content negotiation (`negotiation.py`)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from hub.activitypub.receive.routes import ROUTES as RECEIVE_ROUTES

ROUTES: list[BaseRoute] = [*RECEIVE_ROUTES]
