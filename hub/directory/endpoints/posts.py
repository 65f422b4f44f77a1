"""Posts (4.8): detail only; there is no global post list in v1."""

from __future__ import annotations

from hub.core.errors import NotFound
from hub.directory import schemas
from hub.directory.queries import posts as post_queries
from hub.web.drf.endpoint import Call


async def post_detail(call: Call) -> dict:
    post_id = schemas.parse_uuid(call.request.path_params["post_id"])
    row = await post_queries.get_post(call.resources.pool, post_id)
    if row is None:
        raise NotFound("Not found.")
    return schemas.post(row, schemas.Links(call.resources.settings.base_url))
