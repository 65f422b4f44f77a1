"""gzip for text answers: HTML, XML (RSS, Atom, sitemaps) and JSON (JSON Feed, the APIs) are
compressed when the client accepts gzip; everything else (images, media files, video) goes
out as it is. Starlette's `GZipMiddleware` does the work, with three changes:

- `Accept-Encoding` is read with its q-values (RFC 9110 §12.5.3): `gzip;q=0`, or `*;q=0`
  without gzip, means no gzip; `identity` alone means none.
- Only the types above are compressed, and every answer of those types says
  `Vary: Accept-Encoding`, compressed or not.
- An answer with a strong `ETag` (the v1 API's article and channel versions, compared by
  `If-Match`) is never compressed: RFC 9110 §8.8.3 asks for a different strong tag per
  content coding, and a changed tag would break `If-Match`. Weak tags (pages, feeds, the
  `/api` directory) may be shared by semantically equivalent representations (§8.8.1), so
  they stay the same for both codings and `If-None-Match` / 304 work unchanged.

A client that does not accept gzip gets the answer as it is, through a `send` that only sets
`Vary` (the identity responder's buffering of the response start was a tenth of hub's own
path for an uncached page).

Answers to writes (POST, PUT, PATCH, DELETE) go out uncompressed: they are short statuses,
Locations and echoes that no cache keeps, and skipping the responder keeps every write a
little cheaper. Bodies of 128 KiB and more are compressed in a worker thread (zlib releases
the GIL), and the big-answer path's slices one by one, so compression never stalls the event
loop.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware, GZipResponder
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMPRESS_LEVEL = 5  # zlib's 1-9: most of 9's gain at a fraction of its CPU
MINIMUM_SIZE = 500  # bytes; smaller bodies are not worth a gzip header
TEXT_TYPES = frozenset({"text/html", "text/plain", "text/xml", "application/xml",
                        "application/json"})  # fmt: skip
TEXT_SUFFIXES = ("+xml", "+json")  # application/rss+xml, atom+xml, feed+json, activity+json


def accepts_gzip(accept_encoding: str) -> bool:
    """True when an `Accept-Encoding` value allows gzip (or `x-gzip`, or `*`) with q > 0."""
    gzip_q: float | None = None
    star_q: float | None = None
    for item in accept_encoding.split(","):
        name, _, params = item.partition(";")
        name = name.strip().lower()
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        if name in ("gzip", "x-gzip"):
            gzip_q = q if gzip_q is None else max(gzip_q, q)
        elif name == "*":
            star_q = q
    if gzip_q is not None:
        return gzip_q > 0
    return star_q is not None and star_q > 0


def compressible(content_type: str) -> bool:
    """True for HTML, XML and JSON media types (any charset)."""
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type in TEXT_TYPES or media_type.endswith(TEXT_SUFFIXES)


def _strong_etag(headers: Headers) -> bool:
    etag = headers.get("etag")
    return etag is not None and not etag.startswith("W/")


def _vary_value(vary: str) -> str:
    """A `Vary` value naming Accept-Encoding exactly once (last), beside what `vary` named."""
    names = [n.strip() for n in vary.split(",") if n.strip()]
    kept = [n for n in names if n.lower() != "accept-encoding"]
    return ", ".join([*kept, "Accept-Encoding"])


def _vary_on_encoding(headers: MutableHeaders) -> None:
    """`Vary` names Accept-Encoding exactly once, beside what it named before."""
    headers["Vary"] = _vary_value(headers.get("vary", ""))


class _TextOnly:
    """What the two responders share: a non-text answer, or one with a strong ETag, passes
    through untouched; a text one gets `Vary: Accept-Encoding` and the parent's treatment."""

    passthrough = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start" and not self.passthrough:
                _vary_on_encoding(MutableHeaders(scope=message))
            await send(message)

        await super().__call__(scope, receive, send_with_vary)  # type: ignore[misc]

    async def send_with_compression(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = Headers(raw=message.get("headers", []))
            self.passthrough = not compressible(headers.get("content-type", "")) or (
                _strong_etag(headers)
            )
        if self.passthrough:
            await self.send(message)
            return
        await super().send_with_compression(message)  # type: ignore[misc]


class _Gzip(_TextOnly, GZipResponder):
    pass


class TextGZipMiddleware(GZipMiddleware):
    """`GZipMiddleware` for the text types only, with q-values read (see the module)."""

    def __init__(self, app: ASGIApp, compresslevel: int = COMPRESS_LEVEL) -> None:
        super().__init__(app, minimum_size=MINIMUM_SIZE, compresslevel=compresslevel)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if accepts_gzip(Headers(scope=scope).get("accept-encoding", "")):
            responder: ASGIApp = _Gzip(
                self.app,
                self.minimum_size,
                compresslevel=self.compresslevel,
                thread_minimum_size=self.thread_minimum_size,
            )
        else:  # nothing to compress: only `Vary` to set, without the responder's buffering
            await self.app(scope, receive, _with_vary(send))
            return
        await responder(scope, receive, send)


def _with_vary(send: Send) -> Send:
    """`send` that gives a text answer without a strong ETag `Vary: Accept-Encoding`, as the
    responders do; the headers are rewritten only when `Vary` does not already end with it
    alone (the pages set it themselves)."""

    async def send_with_vary(message: Message) -> None:
        if message["type"] == "http.response.start":
            content_type = b""
            etag = vary = None
            for name, value in message.get("headers", ()):
                if name == b"content-type":
                    content_type = value
                elif name == b"etag":
                    etag = value
                elif name == b"vary":
                    vary = value
            if compressible(content_type.decode("latin-1")) and (
                etag is None or etag.startswith(b"W/")
            ):
                if vary is None or _vary_value(vary.decode("latin-1")) != vary.decode("latin-1"):
                    _vary_on_encoding(MutableHeaders(scope=message))
        await send(message)

    return send_with_vary
