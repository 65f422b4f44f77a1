"""The v1 API's own documentation (EXT §4.10): `GET /api/v1` (discovery), `/api/v1/openapi.json`,
`/api/v1/skill.md` and the human-readable `/api-docs`. No authentication; cacheable."""

from __future__ import annotations

import functools

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from hub.channels.docs import openapi, skill
from hub.channels.docs import page as api_docs
from hub.web.requests import resources_of

CACHE = {"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"}


def _base(request: Request) -> str:
    return resources_of(request).urls.base


@functools.lru_cache(maxsize=4)
def _openapi_bytes(base_url: str) -> bytes:
    return orjson.dumps(openapi.document(base_url))


@functools.lru_cache(maxsize=4)
def _docs_html(base_url: str) -> str:
    return api_docs.render(openapi.document(base_url), skill.render(base_url))


async def discovery(request: Request) -> Response:
    base = _base(request)
    body = {
        "version": "v1",
        "openapi": f"{base}/api/v1/openapi.json",
        "skill": f"{base}/api/v1/skill.md",
        "docs": f"{base}/api-docs",
    }
    return Response(orjson.dumps(body), headers=CACHE, media_type="application/json")


async def openapi_json(request: Request) -> Response:
    return Response(_openapi_bytes(_base(request)), headers=CACHE, media_type="application/json")


async def skill_md(request: Request) -> Response:
    return Response(
        skill.render(_base(request)), headers=CACHE, media_type="text/markdown; charset=utf-8"
    )


async def api_docs_page(request: Request) -> Response:
    return HTMLResponse(
        _docs_html(_base(request)), headers={"Cache-Control": "public, max-age=300"}
    )
