"""What a URL sent to `/micropub` points at (micropub-resolved.md §3.4, §4.1, R-M7, R-M20).

Pure. `entry_ref` reads the `url` of an update, delete, undelete or `q=source` as one of the
accepted forms of an entry URL; `media_ref` recognises the node's own media in `photo`,
`video`, `audio` values and images in content. Matching ignores the scheme (http or https),
the query string, the fragment and a trailing `/`; the service then finds the entry.

Entry URL forms (`base` is the node's base URL, `domain` a blog's custom domain):
- `{base}/{channel}/{slug}`: the canonical permalink (`Urls.entry`), also with `/posts/`
  between channel and slug;
- `{base}/posts/{slug}`: Pika's permalink shape, in the token's blog;
- `https://{domain}/{slug}` and `https://{domain}/posts/{slug}`;
- `{base}/dashboard/posts/{id}/edit`: the draft Location (R-M7).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from hub.core.urls import Urls

MEDIA_PREFIX = ("micropub", "media")
STORAGE_PREFIX = "storage"


@dataclass(frozen=True)
class EntryRef:
    host: str  # lowercase host name of the URL
    on_base: bool  # the node's base host (else maybe a custom domain)
    channel_slug: str | None = None  # None: the token's blog, or the custom domain's
    slug: str | None = None
    entry_id: int | None = None  # the dashboard edit URL


@dataclass(frozen=True)
class MediaRef:
    host: str
    on_base: bool
    public_id: str | None = None  # …/micropub/media/{id}
    path: str | None = None  # …/storage/{path}, relative to the media dir


def _parts(url: str, urls: Urls) -> tuple[str, bool, list[str]] | None:
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
    return host, on_base, segments


def entry_ref(url: str, urls: Urls) -> EntryRef | None:
    """The entry a URL names, or None when it has none of the accepted shapes."""
    found = _parts(url, urls)
    if found is None:
        return None
    host, on_base, s = found
    if on_base:
        if len(s) == 4 and s[0] == "dashboard" and s[1] == "posts" and s[3] == "edit":
            return EntryRef(host, True, entry_id=int(s[2])) if s[2].isdigit() else None
        if len(s) == 2 and s[0] == "posts":
            return EntryRef(host, True, slug=s[1])
        if len(s) == 2:
            return EntryRef(host, True, channel_slug=s[0], slug=s[1])
        if len(s) == 3 and s[1] == "posts":
            return EntryRef(host, True, channel_slug=s[0], slug=s[2])
        return None
    if len(s) == 1:
        return EntryRef(host, False, slug=s[0])
    if len(s) == 2 and s[0] == "posts":
        return EntryRef(host, False, slug=s[1])
    return None


def media_ref(url: str, urls: Urls) -> MediaRef | None:
    """The node's own media a URL may name (the service checks the host and the owner)."""
    found = _parts(url, urls)
    if found is None:
        return None
    host, on_base, s = found
    if len(s) == 3 and tuple(s[:2]) == MEDIA_PREFIX:
        return MediaRef(host, on_base, public_id=s[2])
    if len(s) >= 2 and s[0] == STORAGE_PREFIX and ".." not in s:
        return MediaRef(host, on_base, path="/".join(s[1:]))
    return None
