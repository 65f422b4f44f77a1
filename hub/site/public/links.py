"""Every URL the public pages and feeds print: discovery endpoints, channel pages, entries,
tags and feeds, on the node host or on a channel's custom domain (R-W30). Pure.

The endpoint rels follow webmention-site-feeds §3.2 and micropub-resolved §1.2; the token
endpoint is `{base}/auth/token` (micropub-resolved §1.2 and §2.4; §3.2 of the site contract
writes `{base}/token`, which nothing serves).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from hub.core.urls import Urls

FEED_TYPES = {
    "rss": ("application/rss+xml", "RSS", "rss.xml"),
    "atom": ("application/atom+xml", "Atom", "atom.xml"),
    "json": ("application/feed+json", "JSON Feed", "feed.json"),
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


def with_query(url: str, **params: str | None) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    if not query:
        return url
    return f"{url}{'&' if '?' in url else '?'}{query}"


def _lang(language: str | None) -> str:
    return f"?lang={quote(language)}" if language else ""


@dataclass(frozen=True)
class ChannelLinks:
    """URLs of one channel's pages and feeds: the same strings as `hub.core.urls.Urls` (the
    v1 API's `url` fields), with the channel root computed once."""

    urls: Urls
    slug: str
    custom_domain: str | None

    @functools.cached_property
    def _root(self) -> str:
        return self.urls.channel(self.slug, custom_domain=self.custom_domain).rstrip("/")

    @functools.cached_property
    def _home(self) -> str:
        return self.urls.channel(self.slug, custom_domain=self.custom_domain)

    @functools.cached_property
    def endpoints(self) -> Endpoints:
        base = f"https://{self.custom_domain}" if self.custom_domain else self.urls.base
        return Endpoints(base)

    def home(self, language: str | None = None) -> str:
        return self._home + _lang(language)

    def entry(self, slug: str, language: str | None = None) -> str:
        return f"{self._root}/{quote(slug)}{_lang(language)}"

    def tag(self, tag: str, language: str | None = None) -> str:
        return f"{self._root}/tags/{quote(tag, safe='')}{_lang(language)}"

    def feed(self, kind: str, *, tag: str | None = None, language: str | None = None) -> str:
        root = f"{self._root}/tags/{quote(tag, safe='')}" if tag is not None else self._root
        return f"{root}/{FEED_TYPES[kind][2]}{_lang(language)}"

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

    def node_path(self, rest: str) -> str:
        """Where a node path of this channel (`/{channel}/{rest}`, `rest` as sent, still
        percent-encoded) lives on its custom domain: the 301 target."""
        return f"https://{self.custom_domain}/{quote(rest, safe='/%:@!$&()*+,;=~')}"
