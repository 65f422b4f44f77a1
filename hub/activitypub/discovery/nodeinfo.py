"""NodeInfo 2.1 (nodeinfo.diaspora.software): `/.well-known/nodeinfo` links the document at
`/nodeinfo/2.1`, which names the software, the protocol and the node's usage (authors with a
published channel, public entries). The counts are one statement, cached by clients for
half an hour."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hub.activitypub.documents.responses import document_response
from hub.activitypub.errors import answers_errors
from hub.core.federation import local
from hub.core.version import VERSION
from hub.web.requests import resources_of

SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1"
MEDIA_TYPE = f'application/json; profile="{SCHEMA}#"'
CACHE = "public, max-age=1800"
CORS = {"Access-Control-Allow-Origin": "*"}


async def well_known(request: Request) -> Response:
    urls = resources_of(request).urls
    links = {"links": [{"rel": SCHEMA, "href": urls.absolute("nodeinfo/2.1")}]}
    return document_response(
        request, links, media_type="application/json", cache_control=CACHE, headers=CORS
    )


@answers_errors
async def nodeinfo(request: Request) -> Response:
    resources = resources_of(request)
    usage = await local.node_usage(resources.pool)
    document = {
        "version": "2.1",
        "software": {"name": "hub", "version": VERSION},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]},
        "openRegistrations": False,
        "usage": {
            "users": {
                "total": usage["total"],
                "activeMonth": usage["active_month"],
                "activeHalfyear": usage["active_halfyear"],
            },
            "localPosts": usage["local_posts"],
        },
        "metadata": {"nodeName": resources.urls.host},
    }
    return document_response(
        request, document, media_type=MEDIA_TYPE, cache_control=CACHE, headers=CORS
    )
