"""Routes of `hub/webmentions`: its rows of the `/api` table (the endpoint path comes from the
directory's API, pine-blog-api.txt), which the app factory mounts at `/api` before the
directory's rows (`hub.web.drf.mounts.drf_mount`). Each row feeds OPTIONS, `Allow` and
`_meta` as the directory's do."""

from __future__ import annotations

from hub.core.webmentions.moderation import STATUSES
from hub.web.drf.endpoint import Endpoint, Param
from hub.webmentions.endpoints import list_webmentions, post_webmention, webmention_status

ENDPOINTS = [
    Endpoint(
        "/webmentions",
        "Webmentions",
        "POST a webmention (form-encoded source and target; 201 with the status URL in "
        "Location). GET lists the approved mentions of a target, newest first; with a "
        "token and `status`, the owner's mentions in that status.",
        {"GET": list_webmentions, "POST": post_webmention},
        query_parameters=(
            Param("target", "The page whose mentions to list (unless `status` is given)."),
            Param("status", "Owner only (token): " + ", ".join(STATUSES) + "."),
            Param("type", "Only reply, repost, like, bookmark or mention."),
            Param("before", "The cursor of the next page."),
        ),
        actions={
            "POST": {
                "source": {"type": "url", "required": True, "read_only": False},
                "target": {"type": "url", "required": True, "read_only": False},
            }
        },
    ),
    Endpoint(
        "/webmentions/{mention_id}",
        "Webmention Status",
        "The status of a received webmention.",
        {"GET": webmention_status},
    ),
]
