"""host-meta (RFC 6415): the XRD naming the WebFinger endpoint as an `lrdd` template, on the
node's origin or the custom domain the request came on."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from starlette.requests import Request
from starlette.responses import Response

from hub.activitypub.discovery.webfinger import request_domain
from hub.activitypub.documents.responses import document_response
from hub.web.requests import resources_of

XRD = "application/xrd+xml"


async def host_meta(request: Request) -> Response:
    urls = resources_of(request).urls
    domain = request_domain(request, urls)
    origin = f"https://{domain}" if domain else urls.origin
    template = f"{origin}/.well-known/webfinger?resource={{uri}}"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" type="application/jrd+json" template={quoteattr(template)}/>\n'
        "</XRD>\n"
    )
    return document_response(
        request, body.encode(), media_type=XRD, cache_control="public, max-age=3600",
        headers={"Access-Control-Allow-Origin": "*"},
    )  # fmt: skip
