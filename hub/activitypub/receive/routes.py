"""The inboxes' routes (POST only; other methods answer 405)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from hub.activitypub.receive.inbox import channel_inbox, shared_inbox

ROUTES: list[BaseRoute] = [
    Route("/activitypub/inbox", shared_inbox, methods=["POST"]),
    Route("/activitypub/{slug}/inbox", channel_inbox, methods=["POST"]),
]
