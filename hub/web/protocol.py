"""uvicorn's httptools protocol with limits on the request head.

httptools (llhttp) takes a request line and headers of any size: a header value is gathered in
memory until its end, so one 64 MB header is read whole before the app ever runs. This protocol
counts what the parser hands over and refuses, before the app runs, a request whose

- target (the URL) is longer than `HUB_MAX_URL_BYTES`: `414 URI Too Long`;
- headers (names and values) are larger than `HUB_MAX_HEADER_BYTES` in total, or more than
  `HUB_MAX_HEADERS`: `431 Request Header Fields Too Large`.

The refusal is a short text/plain body with `connection: close`; the connection is closed and
nothing more is read from it. A header still arriving is bounded by counting the bytes received
while the head is incomplete, so the server stops reading at about the limit, never at the
client's pace. The cost on a normal request is one addition and one comparison per callback.

`hub serve` passes `uvicorn_http(settings)` as uvicorn's `http=`.
"""

from __future__ import annotations

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from hub.config import Settings

# What a request head holds besides the URL and the headers' names and values: the method,
# the version, separators and line ends (per header ": " and "\r\n").
_REQUEST_LINE_SLACK = 64
_PER_HEADER_SLACK = 4


class _HeadTooLarge(Exception):
    """Raised inside a parser callback to stop parsing; the refusal is already sent."""


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that refuses oversize request heads (see the module docstring).

    The limits are class attributes; `uvicorn_http` makes a subclass carrying a node's settings.
    """

    max_url_bytes: int = 8 * 1024
    max_header_bytes: int = 32 * 1024
    max_headers: int = 100

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._in_head = True  # between a message's first byte and its headers' end
        self._began_in_chunk = False
        self._head_bytes = 0  # bytes of whole chunks received while in the head
        self._url_bytes = 0
        self._header_bytes = 0
        self._header_count = 0
        self._refused = False
        # the most bytes a head within the limits can take on the wire
        self._max_head_wire = (
            self.max_url_bytes
            + self.max_header_bytes
            + _PER_HEADER_SLACK * self.max_headers
            + _REQUEST_LINE_SLACK
        )

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        self._began_in_chunk = False
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self._refused:
                return
            msg = "Invalid HTTP request received."
            self.logger.warning(msg)
            self.send_400_response(msg)
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        if self._in_head and not self._began_in_chunk:
            # a header the parser is still gathering: httptools keeps it whole in memory
            self._head_bytes += len(data)
            if self._head_bytes > self._max_head_wire:
                self._refuse(431, "Request header fields too large")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._began_in_chunk = True
        self._head_bytes = self._url_bytes = self._header_bytes = self._header_count = 0

    def on_url(self, url: bytes) -> None:
        self._url_bytes += len(url)
        if self._url_bytes > self.max_url_bytes:
            self._refuse(414, "Request URL too long")
            raise _HeadTooLarge
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        self._header_bytes += len(name) + len(value)
        if self._header_count > self.max_headers or self._header_bytes > self.max_header_bytes:
            self._refuse(431, "Request header fields too large")
            raise _HeadTooLarge
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def _refuse(self, status: int, message: str) -> None:
        """Answer `status` with a short plain body and close; read nothing more."""
        self._refused = True
        self.logger.info("Refused a request head: %s (%d).", message, status)
        body = message.encode("ascii")
        content = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: text/plain; charset=utf-8\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()


def uvicorn_http(settings: Settings) -> type[LimitedHttpToolsProtocol]:
    """The protocol class to pass as `uvicorn.Config(http=...)`, with the node's head limits."""
    return type(
        "HubHttpToolsProtocol",
        (LimitedHttpToolsProtocol,),
        {
            "max_url_bytes": settings.max_url_bytes,
            "max_header_bytes": settings.max_header_bytes,
            "max_headers": settings.max_headers,
        },
    )
