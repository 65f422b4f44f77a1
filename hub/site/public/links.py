"""The links the public pages and feeds print beyond the URL scheme itself (which is
`hub.core.urls`): the discovery endpoints of an origin (the node's or a custom domain's, R-W30),
as `<link rel>`s and one `Link` header, and the feeds' `<link rel=alternate>`s. Pure.

The endpoint rels follow webmention-site-feeds §3.2 and micropub-resolved §1.2; the token
endpoint is `{base}/auth/token` (micropub-resolved §1.2 and §2.4; §3.2 of the site contract
writes `{base}/token`, which nothing serves).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from hub.core.urls import FEED_FILES, ChannelUrls

FEED_TYPES = {  # kind → (media type, label, file name)
    "rss": ("application/rss+xml", "RSS", FEED_FILES["rss"]),
    "atom": ("application/atom+xml", "Atom", FEED_FILES["atom"]),
    "json": ("application/feed+json", "JSON Feed", FEED_FILES["json"]),
}


@functools.lru_cache(maxsize=256)
def _rels(base: str) -> tuple[tuple[str, str], ...]:
    return (
        ("webmention", f"{base}/api/webmentions"),
        ("micropub", f"{base}/micropub"),
        ("media-endpoint", f"{base}/micropub/media"),
        ("indieauth-metadata", f"{base}/.well-known/oauth-authorization-server"),
        ("authorization_endpoint", f"{base}/auth"),
        ("token_endpoint", f"{base}/auth/token"),
    )


@functools.lru_cache(maxsize=256)
def _link_header(base: str) -> str:
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in _rels(base))


@dataclass(frozen=True)
class Endpoints:
    """The discovery endpoints of one origin (the node's, or a custom domain's)."""

    base: str

    def rels(self) -> list[tuple[str, str]]:
        """(rel, absolute URL) in the order they appear in `<head>` and the `Link` header."""
        return list(_rels(self.base))

    @property
    def webmention(self) -> str:
        return f"{self.base}/api/webmentions"

    def link_header(self) -> str:
        """One `Link` header value with every endpoint rel."""
        return _link_header(self.base)


@dataclass(frozen=True)
class ChannelLinks(ChannelUrls):
    """One channel's URLs (`hub.core.urls.ChannelUrls`: pages, entries, tags, feeds) with what
    the public pages add: the discovery endpoints of its origin and its feeds' `<link>`s."""

    @functools.cached_property
    def endpoints(self) -> Endpoints:
        return Endpoints(self.origin)

    def feeds(
        self, title: str, *, tag: str | None = None, language: str | None = None
    ) -> list[dict[str, str]]:
        """`<link rel=alternate>` entries for the three feeds of a scope."""
        return [
            {
                "type": media_type,
                "title": f"{title} ({label})",
                "label": label,
                "href": self.feed(kind, tag=tag, language=language),
            }
            for kind, (media_type, label, _) in FEED_TYPES.items()
        ]
