"""The page cache (issue 20): public pages, feeds and ActivityPub documents rendered once for
anonymous readers and served from memory until what they show changes.

- `store`: the answers, an LRU bounded by bytes (`HUB_PAGE_CACHE_BYTES`), tagged by channel.
- `keys`: which requests it may answer (anonymous GET/HEAD of public paths) and their key.
- `middleware`: serves hits (and 304s) before routing; keeps marked answers of misses.
- `following`: the listener on PostgreSQL's `hub_pages` notifications that drops a changed
  channel's answers, and everything while it is not listening.

A handler marks its answer as cacheable with `mark(request, channel_id)`; nothing else is kept.
"""

from __future__ import annotations

from starlette.requests import Request

from hub.web.page_cache.following import following
from hub.web.page_cache.middleware import MARK, Mark, PageCacheMiddleware
from hub.web.page_cache.store import PageCache

__all__ = ["PageCache", "PageCacheMiddleware", "following", "mark", "unmark"]


def _mark(request: Request) -> Mark | None:
    return request.scope.get("state", {}).get(MARK)


def mark(request: Request, channel_id: int | None) -> None:
    """The answer to `request` shows the channel `channel_id` (None: the node as a whole),
    and may be kept for anonymous readers until that changes."""
    tag = _mark(request)
    if tag is not None:
        tag.marked = True
        tag.channel = channel_id


def unmark(request: Request) -> None:
    """The answer to `request` is not to be kept after all."""
    tag = _mark(request)
    if tag is not None:
        tag.marked = False
