"""Tags (4.9): list (name prefix filter), detail, and the sites of a tag."""

from __future__ import annotations

import re

from starlette.responses import Response

from hub.core.errors import NotFound
from hub.directory import schemas
from hub.directory.endpoints.formats import opml_response
from hub.directory.queries import sites as site_queries
from hub.directory.queries import tags as tag_queries
from hub.web.drf.endpoint import Call

_NAME = re.compile(r"^[a-z0-9-]{1,64}$")


def _links(call: Call) -> schemas.Links:
    return schemas.Links(call.resources.settings.base_url)


async def list_tags(call: Call) -> dict:
    page, size = schemas.parse_page(call.params)
    total, rows = await tag_queries.list_tags(
        call.resources.pool, prefix=call.params.get("q"), limit=size, offset=(page - 1) * size
    )
    return schemas.paginated(
        base=call.resources.settings.base_url,
        path=call.request.url.path,
        params=call.params,
        page=page,
        size=size,
        count=total,
        results=[schemas.tag(r, _links(call)) for r in rows],
    )


async def _tag(call: Call):
    name = call.request.path_params["name"].lower()
    row = await tag_queries.get_tag(call.resources.pool, name) if _NAME.match(name) else None
    if row is None:
        raise NotFound("Not found.")
    return row


async def tag_detail(call: Call) -> dict:
    return schemas.tag(await _tag(call), _links(call))


async def tag_sites(call: Call) -> dict | Response:
    row = await _tag(call)
    params = call.params
    page, size = schemas.parse_page(params)
    ordering = schemas.parse_ordering(
        params.get("ordering"), default="-total_recommendations", allow_relevance=False
    )
    total, rows = await site_queries.list_sites(
        call.resources.pool,
        types=schemas.parse_types(params.getlist("type")),
        tag=row["name"],
        ordering=ordering,
        author_id=call.author_id,
        limit=size,
        offset=(page - 1) * size,
    )
    authed = call.principal is not None
    if params.get("format") == "opml":
        sites = [schemas.site(r, _links(call), authed=authed) for r in rows]
        return opml_response(f"Sites tagged {row['name']}", sites)
    return schemas.paginated(
        base=call.resources.settings.base_url,
        path=call.request.url.path,
        params=params,
        page=page,
        size=size,
        count=total,
        results=[schemas.site(r, _links(call), authed=authed) for r in rows],
    )
