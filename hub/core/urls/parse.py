"""Reading the node's URLs back: a path or URL in, the page, entry, media or target it names
out (the inverse of `build.py`). Pure: no I/O; the callers look the names up.

- `parse_path`: the public router's reading of a request path, on the node host (`/{channel}`,
  `/{channel}/{slug}`, `/{channel}/tags/{tag}`, feeds) or on a channel's custom domain, where
  the channel segment is implied (`/`, `/{slug}`, `/tags/{tag}`, `/rss.xml`) (webmention-site-
  feeds §3.1, R-W30).
- `split_url`, `entry_of`, `media_ref`: an absolute URL (as Micropub receives them) read as
  host + path segments under the base path, then as an entry (`/{channel}/{slug}`, the
  dashboard's `/dashboard/posts/{id}/edit`, `/{slug}` on a custom domain) or as the node's own
  media (`/micropub/media/{id}`, `/storage/{path}`).
- `parse_target`, `custom_domain_host`: a webmention target split into host, segments and
  `lang` (R-W3); the host a URL would name if it were a channel's custom domain (R-W16).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from hub.core.urls.build import DASHBOARD_ENTRY, FEED_FILES, MICROPUB_MEDIA, STORAGE, TAGS, Urls
from hub.core.urls.normalize import BadURL, split

FEED_KINDS = {name: kind for kind, name in FEED_FILES.items()}  # file name → kind

# --- request paths (the public site) ---------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a public path names. `kind` is `node`, `channel`, `tag`, `entry`, `feed` or
    `missing`; `feed` is `rss`, `atom` or `json` for feed kinds (channel or tag feed)."""

    kind: str
    channel: str | None = None
    slug: str | None = None
    tag: str | None = None
    feed: str | None = None


MISSING = Target("missing")


def parse_path(raw_path: str, channel: str | None = None) -> Target:
    """The page named by a request path as sent (percent-encoded: each segment is decoded
    on its own, so a tag may contain `/`). `channel` is the channel whose custom domain
    served the request, else None (the node host)."""
    segments = raw_path.split("/")[1:] if raw_path.startswith("/") else raw_path.split("/")
    if segments and segments[-1] == "":
        segments = segments[:-1]  # one trailing slash is the same page
    if any(s == "" for s in segments):
        return MISSING
    try:
        segments = [unquote(s, errors="strict") for s in segments]
    except UnicodeDecodeError:
        return MISSING
    if channel is None:
        if not segments:
            return Target("node")
        channel, *segments = segments
    return _in_channel(channel, segments)


def _in_channel(channel: str, rest: list[str]) -> Target:
    match rest:
        case []:
            return Target("channel", channel)
        case [name] if name in FEED_KINDS:
            return Target("feed", channel, feed=FEED_KINDS[name])
        case [tags, tag] if tags == TAGS:
            return Target("tag", channel, tag=tag)
        case [tags, tag, name] if tags == TAGS and name in FEED_KINDS:
            return Target("feed", channel, tag=tag, feed=FEED_KINDS[name])
        case [slug] if slug != TAGS:
            return Target("entry", channel, slug=slug)
    return MISSING


# --- absolute URLs (Micropub's `url`, media in properties) ----------------------------------


@dataclass(frozen=True)
class UrlParts:
    """An http(s) URL: its lowercase host, whether that is the node's base host, and its
    decoded, non-empty path segments (below the base path on the base host)."""

    host: str
    on_base: bool
    segments: tuple[str, ...]


def split_url(url: str, urls: Urls) -> UrlParts | None:
    """None for anything but an http(s) URL with a host, or a base-host URL outside the base
    path. Scheme, query, fragment and empty segments (a trailing `/`) are ignored."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    base_path = [s for s in urlsplit(urls.base).path.split("/") if s]
    segments = [unquote(s) for s in parts.path.split("/") if s]
    on_base = host == urls.host
    if on_base:
        if segments[: len(base_path)] != base_path:
            return None
        segments = segments[len(base_path) :]
    return UrlParts(host, on_base, tuple(segments))


@dataclass(frozen=True)
class EntryRef:
    host: str  # lowercase host name of the URL
    on_base: bool  # the node's base host (else maybe a custom domain)
    channel_slug: str | None = None  # None: the custom domain's channel (or the caller's)
    slug: str | None = None
    entry_id: int | None = None  # the dashboard edit URL


def entry_of(parts: UrlParts) -> EntryRef | None:
    """The entry a URL's parts name: `/{channel}/{slug}` or `/dashboard/posts/{id}/edit` on
    the base host, `/{slug}` on any other (a custom domain, which the caller checks)."""
    host, s = parts.host, parts.segments
    if parts.on_base:
        if len(s) == 4 and (s[0], s[1], s[3]) == DASHBOARD_ENTRY:
            return EntryRef(host, True, entry_id=int(s[2])) if s[2].isdigit() else None
        if len(s) == 2:
            return EntryRef(host, True, channel_slug=s[0], slug=s[1])
        return None
    if len(s) == 1:
        return EntryRef(host, False, slug=s[0])
    return None


@dataclass(frozen=True)
class MediaRef:
    host: str
    on_base: bool
    public_id: str | None = None  # …/micropub/media/{id}
    path: str | None = None  # …/storage/{path}, relative to the media dir


def media_ref(url: str, urls: Urls) -> MediaRef | None:
    """The node's own media a URL may name (the caller checks the host and the owner)."""
    found = split_url(url, urls)
    if found is None:
        return None
    host, on_base, s = found.host, found.on_base, found.segments
    if len(s) == 3 and s[:2] == MICROPUB_MEDIA:
        return MediaRef(host, on_base, public_id=s[2])
    if len(s) >= 2 and s[0] == STORAGE and ".." not in s:
        return MediaRef(host, on_base, path="/".join(s[1:]))
    return None


# --- webmention targets ------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetPath:
    """A target URL, split: the node's paths are `/{channel}` and `/{channel}/{slug}`; a
    custom domain's are `/` and `/{slug}` (the host names the channel)."""

    host: str
    port: int | None
    segments: tuple[str, ...]
    lang: str | None


def parse_target(url: str) -> TargetPath | None:
    """Split a target into host, decoded path segments and `lang` (the only query parameter
    kept, R-W3); None when it is not an http(s) URL or its path has more than two segments."""
    try:
        _, host, port, path, query = split(url)
    except BadURL:
        return None
    lang = next((v for k, v in parse_qsl(query, keep_blank_values=True) if k == "lang"), None)
    segments = [unquote(s) for s in path.strip("/").split("/")] if path.strip("/") else []
    if len(segments) > 2 or any(not s for s in segments):
        return None
    return TargetPath(host, port, tuple(segments), lang or None)


def custom_domain_host(url: str) -> str | None:
    """The host to look up among the channels' custom domains: the URL's host when it is on
    its scheme's default port (the node serves custom domains on 80/443 only), else None."""
    try:
        _, host, port, _, _ = split(url)
    except BadURL:
        return None
    return host if port is None else None
