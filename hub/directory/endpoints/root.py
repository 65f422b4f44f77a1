"""`GET /api/`: the API root (DOC keys first, then ours)."""

from __future__ import annotations

from hub.web.drf.endpoint import Call


async def root(call: Call) -> dict:
    base = call.resources.settings.base_url + "/api"
    return {
        "sites": f"{base}/sites",
        "tags": f"{base}/tags",
        "search": f"{base}/sites/search",
        "webmentions": f"{base}/webmentions",
    }
