"""The ASGI middleware of the page cache, placed before compression, negotiation and routing.

A hit sends the stored status, headers and bytes (gzip ones to a client that accepts gzip),
or a 304 when the client's `If-None-Match` / `If-Modified-Since` says its copy is current;
no database, Redis or router is involved. A miss goes through the app as a GET without the
conditional headers, so the full answer can be kept, and the client still gets what it
asked: the headers alone for a HEAD, a 304 when its copy is current.

An answer is kept only when the handler marked it as a public page of a channel, or of the
node (`hub.web.page_cache.mark`), its status is 200, 301 or 410, it sets no cookie and its
`Cache-Control` is public. A gzip answer is kept with its decompressed twin, so gzip runs
once per render, never per hit.
"""

from __future__ import annotations

import gzip
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.web.page_cache.conditional import http_time, is_fresh, not_modified_headers
from hub.web.page_cache.keys import request_key
from hub.web.page_cache.store import Headers, Key, PageCache, Stored

MARK = "hub.page_cache"  # key of the request's `Mark` in `scope["state"]`
STORABLE = frozenset({200, 301, 410})
LABELS = ("route", "hub.site.route", "root_path")  # what the access log reads of a route
CONDITIONALS = (b"if-none-match", b"if-modified-since")


class Mark:
    """Set by a handler whose answer may be kept: the channel it shows (None: node-wide)."""

    __slots__ = ("channel", "marked")

    def __init__(self) -> None:
        self.marked = False
        self.channel: int | None = None


def _conditionals(scope: Scope) -> tuple[bytes | None, bytes | None]:
    none_match = modified_since = None
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            none_match = value
        elif name == b"if-modified-since":
            modified_since = value
    return none_match, modified_since


def _header(headers: Headers, name: bytes) -> bytes | None:
    for key, value in headers:
        if key == name:
            return value
    return None


class PageCacheMiddleware:
    def __init__(self, app: ASGIApp, cache: PageCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.cache.ready:
            await self.app(scope, receive, send)
            return
        key = request_key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        stored = self.cache.get(key)
        if stored is None:
            await self._miss(key, scope, receive, send)
            return
        scope.update(stored.labels)
        none_match, modified_since = _conditionals(scope)
        if (
            (none_match is not None or modified_since)
            and stored.status == 200
            and is_fresh(none_match, modified_since, stored.etag, stored.last_modified)
        ):
            await send({"type": "http.response.start", "status": 304,
                        "headers": not_modified_headers(stored.headers)})  # fmt: skip
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": stored.status,
                    "headers": stored.headers})  # fmt: skip
        body = b"" if scope["method"] == "HEAD" else stored.body
        await send({"type": "http.response.body", "body": body})

    async def _miss(self, key: Key, scope: Scope, receive: Receive, send: Send) -> None:
        cache = self.cache
        since = cache.begin()
        mark = Mark()
        scope.setdefault("state", {})[MARK] = mark
        none_match, modified_since = _conditionals(scope)
        conditional = none_match is not None or bool(modified_since)
        head = scope["method"] == "HEAD"
        inner = dict(scope, method="GET")
        if conditional:
            inner["headers"] = [h for h in scope["headers"] if h[0] not in CONDITIONALS]
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        keep = True
        relay = True  # False: the client gets headers only (HEAD, 304)

        async def capture(message: Message) -> None:
            nonlocal start, size, keep, relay
            if message["type"] == "http.response.start":
                start = message
                headers = message.get("headers", [])
                if (
                    conditional
                    and message["status"] == 200
                    and is_fresh(none_match, modified_since, _header(headers, b"etag"),
                                 http_time(_header(headers, b"last-modified")))
                ):  # fmt: skip
                    relay = False
                    await send({"type": "http.response.start", "status": 304,
                                "headers": not_modified_headers(list(headers))})  # fmt: skip
                    return
                relay = not head
                await send(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body = message.get("body", b"")
            if keep:
                size += len(body)
                keep = size <= cache.max_size
                if keep:
                    chunks.append(body)
                else:
                    chunks.clear()
            if relay:
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b""})

        await self.app(inner, receive, capture)
        labels = {name: inner[name] for name in LABELS if name in inner}
        scope.update(labels)
        if keep and start is not None and mark.marked:
            self._keep(key, start, b"".join(chunks), mark.channel, since, labels)

    def _keep(
        self,
        key: Key,
        start: Message,
        body: bytes,
        channel: int | None,
        since: int,
        labels: dict[str, Any],
    ) -> None:
        status = start["status"]
        headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
        cache_control = _header(headers, b"cache-control") or b""
        if (
            status not in STORABLE
            or _header(headers, b"set-cookie") is not None
            or b"public" not in cache_control
            or b"no-store" in cache_control
            or b"private" in cache_control
        ):
            return
        coding = _header(headers, b"content-encoding")
        if coding not in (None, b"gzip"):
            return
        etag = _header(headers, b"etag")
        modified = http_time(_header(headers, b"last-modified"))

        def stored(headers: Headers, body: bytes) -> Stored:
            length = (b"content-length", str(len(body)).encode())
            return Stored(status, [*headers, length], body, channel, etag, modified, labels)

        if coding == b"gzip":
            if self.cache.put(key, stored(headers, body), since):
                plain = [(k, v) for k, v in headers if k != b"content-encoding"]
                self.cache.put((*key[:4], False), stored(plain, gzip.decompress(body)), since)
            return
        self.cache.put(key, stored(headers, body), since)
        if key[4]:  # a gzip client got the plain bytes (short, or not text): the same for all
            self.cache.put((*key[:4], False), stored(headers, body), since)
