"""Building the node's URLs: every link hub prints or serves (channel pages, entries, tags,
feeds, media, Micropub, the dashboard), on the node's base URL or on a channel's custom domain
(R-W30). Pure: strings in, strings out. `parse.py` reads the same shapes back.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from hub.core.urls.normalize import same_origin_host

FEED_FILES = {"rss": "rss.xml", "atom": "atom.xml", "json": "feed.json"}  # kind → file name
TAGS = "tags"  # `/{channel}/tags/{tag}`
STORAGE = "storage"  # `/storage/{path}`: media files
MICROPUB_MEDIA = ("micropub", "media")  # `/micropub/media/{public_id}`
DASHBOARD_ENTRY = ("dashboard", "posts", "edit")  # `/dashboard/posts/{id}/edit`
ACTIVITYPUB = "activitypub"  # `/activitypub/...`: inboxes and collections (issue 19)
AP_COLLECTIONS = ("inbox", "outbox", "followers", "following", "featured")


def _lang(language: str | None) -> str:
    return f"?lang={quote(language)}" if language else ""


def _entry_lang(language: str | None, primary: str | None) -> str:
    """An entry's language query: none for its primary language, whose page is the entry's
    one canonical URL (`/{channel}/{slug}`); `?lang=xx` for every other translation."""
    return "" if language is None or language == primary else _lang(language)


class Urls:
    """The node's URLs, from its base URL (`HUB_BASE_URL`)."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")
        parts = urlsplit(self.base)
        self.host = (parts.hostname or "").lower()
        self.origin = f"{parts.scheme}://{parts.netloc}"

    def absolute(self, path: str) -> str:
        return self.base + "/" + path.lstrip("/")

    def channel_origin(self, custom_domain: str | None) -> str:
        """Where a channel's pages and discovery endpoints live: its custom domain, else the
        node's base URL."""
        return f"https://{custom_domain}" if custom_domain else self.base

    def channel_root(self, channel_slug: str, custom_domain: str | None) -> str:
        """The channel's pages' common prefix, without a trailing `/`."""
        if custom_domain:
            return f"https://{custom_domain}"
        return self.absolute(quote(channel_slug))

    def channel(self, channel_slug: str, *, custom_domain: str | None = None) -> str:
        root = self.channel_root(channel_slug, custom_domain)
        return root + "/" if custom_domain else root

    def entry(
        self,
        channel_slug: str,
        slug: str,
        *,
        language: str | None = None,
        primary: str | None = None,
        custom_domain: str | None = None,
    ) -> str:
        """The permalink of an entry in `language`: the canonical `{channel root}/{slug}`
        when `language` is None or the entry's `primary` language, else `…?lang={language}`.
        Pass `primary` (the entry's `default_language`) with every `language`."""
        url = f"{self.channel_root(channel_slug, custom_domain)}/{quote(slug)}"
        return url + _entry_lang(language, primary)

    def tag(self, channel_slug: str, tag: str, *, custom_domain: str | None = None) -> str:
        return f"{self.channel_root(channel_slug, custom_domain)}/{TAGS}/{quote(tag, safe='')}"

    def media_file(self, relative_path: str) -> str:
        return self.absolute(f"{STORAGE}/" + quote(relative_path.lstrip("/")))

    def micropub(self) -> str:
        return self.absolute("micropub")

    def micropub_media(self, public_id: str | None = None) -> str:
        return self.absolute(
            "/".join(MICROPUB_MEDIA) + (f"/{quote(public_id)}" if public_id else "")
        )

    def dashboard_entry(self, entry_id: int) -> str:
        first, second, last = DASHBOARD_ENTRY
        return self.absolute(f"{first}/{second}/{entry_id}/{last}")

    def ap_collection(self, channel_slug: str, name: str) -> str:
        """A channel actor's `inbox`, `outbox`, `followers` or `featured` collection, on the
        node's base URL: `/activitypub/{channel}/{name}`. (The actor itself is the channel's
        URL, served on content negotiation.)"""
        assert name in AP_COLLECTIONS
        return self.absolute(f"{ACTIVITYPUB}/{quote(channel_slug)}/{name}")

    def ap_shared_inbox(self) -> str:
        """The node's shared inbox: one delivery per node for all its followed channels."""
        return self.absolute(f"{ACTIVITYPUB}/inbox")

    def is_own(self, url: str) -> bool:
        """True when `url` points at this node's base origin: its host and its port (each
        scheme's default port when none is written; http and https alike, as R-W3). Another
        port of the same host is another server. Custom domains are checked by the caller,
        which knows the channels."""
        return same_origin_host(url, self.base)


@dataclass(frozen=True)
class ChannelUrls:
    """The URLs of one channel's pages and feeds: the same strings as `Urls` (the v1 API's
    `url` fields), with the channel root computed once (the site prints many per page)."""

    urls: Urls
    slug: str
    custom_domain: str | None

    @functools.cached_property
    def _root(self) -> str:
        return self._home.rstrip("/")

    @functools.cached_property
    def _home(self) -> str:
        return self.urls.channel(self.slug, custom_domain=self.custom_domain)

    @functools.cached_property
    def origin(self) -> str:
        """The channel's custom domain origin, else the node's base URL."""
        return self.urls.channel_origin(self.custom_domain)

    def home(self, language: str | None = None) -> str:
        return self._home + _lang(language)

    def entry(self, slug: str, language: str | None = None, *, primary: str | None) -> str:
        """An entry's permalink in `language` (see `Urls.entry`): no query for its `primary`
        language."""
        return f"{self._root}/{quote(slug)}{_entry_lang(language, primary)}"

    def tag(self, tag: str, language: str | None = None) -> str:
        return f"{self._root}/{TAGS}/{quote(tag, safe='')}{_lang(language)}"

    def feed(self, kind: str, *, tag: str | None = None, language: str | None = None) -> str:
        """A channel feed (`rss`, `atom` or `json`), or a tag's when `tag` is given."""
        root = f"{self._root}/{TAGS}/{quote(tag, safe='')}" if tag is not None else self._root
        return f"{root}/{FEED_FILES[kind]}{_lang(language)}"

    def node_path(self, rest: str) -> str:
        """Where a node path of this channel (`/{channel}/{rest}`, `rest` as sent, still
        percent-encoded) lives on its custom domain: the 301 target."""
        return f"https://{self.custom_domain}/{quote(rest, safe='/%:@!$&()*+,;=~')}"
