"""Answers in formats other than JSON: EXT `format=opml` on site lists."""

from __future__ import annotations

from starlette.responses import Response

from hub.directory.reader.opml import render_opml, sites_as_feeds


def opml_response(title: str, sites: list[dict]) -> Response:
    """The page's sites as an OPML list of their main feeds."""
    return Response(render_opml(title, sites_as_feeds(sites)), media_type="text/x-opml")
