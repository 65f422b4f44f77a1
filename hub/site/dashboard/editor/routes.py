"""Routes of the post editor (added to the dashboard's in `hub/site/dashboard/routes.py`)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from hub.site.dashboard.editor import endpoints

_GET = ["GET", "HEAD"]

ROUTES: list[BaseRoute] = [
    Route("/dashboard/new", endpoints.new, methods=_GET),
    Route("/dashboard/new", endpoints.create, methods=["POST"]),
    # Urls.dashboard_entry: the Location of a Micropub draft
    Route("/dashboard/posts/{entry_id:int}/edit", endpoints.edit, methods=_GET),
    Route("/dashboard/posts/{entry_id:int}/edit", endpoints.save, methods=["POST"]),
    Route("/dashboard/posts/{entry_id:int}/delete", endpoints.delete_confirm, methods=_GET),
    Route("/dashboard/posts/{entry_id:int}/delete", endpoints.delete, methods=["POST"]),
    Route("/dashboard/posts/{entry_id:int}/undelete", endpoints.undelete, methods=["POST"]),
]
