"""Whether a URL names a page of this node: its base URL's host or a channel's custom domain
(webmention-site-feeds R-W16: mentions between the node's own pages never go over HTTP). The
decision is `hub.core.urls`'; this module asks core's channels about custom domains."""

from __future__ import annotations

from hub.core.channels import channel_id_by_domain
from hub.core.resources import Resources
from hub.core.urls import custom_domain_host, same_origin_host


async def is_node_url(resources: Resources, url: str) -> bool:
    """The base URL's host and port, or a custom domain on its scheme's default port (the
    node serves custom domains on 80/443 only)."""
    if same_origin_host(url, resources.settings.base_url or ""):
        return True
    host = custom_domain_host(url)
    return host is not None and await channel_id_by_domain(resources.pool, host) is not None
