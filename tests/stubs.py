"""The one local HTTP stub server of the tests, and the loopback network guard.

`running_server()` starts a real HTTP/1.1 server on 127.0.0.1 in a thread. Its routing table
maps a path (tried without the query string first, then with it) to an `Answer` (status,
headers, repeated ones included, body, a delay before answering, or a body dripped slowly) or
to a function of the `Hit` that returns one; `fallback` answers the paths not in the table.
Every request is recorded in `seen`. `LoopbackOnly` makes the sockets of a `GuardedClient` and
only loopback ones: under it, a broken guard could never reach anything else.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

SERVER_DEFAULT = "server default"  # an Answer's content type: the server's own default


@dataclass
class Hit:
    """One request the server received."""

    method: str
    path: str  # with the query string
    headers: httpx.Headers
    body: bytes

    @property
    def route(self) -> str:
        return self.path.split("?")[0]

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


@dataclass
class Answer:
    """What the server sends for a path. `headers` is a mapping or a list of (name, value)
    pairs (for repeated headers and odd spellings); `content_type=None` sends none. With
    `drip`, the headers go out at once (no Content-Length is added) and `drip` is written
    every 20 ms for `drip_seconds` or until the client hangs up."""

    body: bytes | str = b""
    status: int = 200
    headers: Mapping[str, str] | list[tuple[str, str]] = field(default_factory=dict)
    content_type: str | None = SERVER_DEFAULT
    delay: float = 0.0
    drip: bytes | None = None
    drip_seconds: float = 3.0

    def header_lines(self) -> list[tuple[str, str]]:
        return list(self.headers.items() if isinstance(self.headers, Mapping) else self.headers)


Route = Answer | Callable[[Hit], "Answer | bytes | str"]
NOT_HERE = Answer(b"not here", 404, content_type="text/plain")


@dataclass
class StubServer:
    """A running stub server: its base URL, routing table and the requests it received."""

    base: str
    port: int
    content_type: str | None = "text/html; charset=utf-8"
    routes: dict[str, Route] = field(default_factory=dict)
    fallback: Callable[[Hit], Answer] | None = None
    seen: list[Hit] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, path: str, body: bytes | str | Callable = b"", **answer: Any) -> str:
        """Answer `path` with `body` (or a function of the Hit); returns its URL."""
        self.routes[path] = body if callable(body) else Answer(body, **answer)
        return self.url(path)

    def serve_file(self, path: str, file: Path, **answer: Any) -> str:
        return self.serve(path, file.read_bytes(), **answer)

    def hits(self, path: str) -> list[Hit]:
        """The requests for exactly `path` (query string included)."""
        return [h for h in self.seen if h.path == path]

    def posts(self, route: str | None = None) -> list[Hit]:
        """The POST requests, all or those for `route` (query string ignored)."""
        return [h for h in self.seen if h.method == "POST" and route in (None, h.route)]

    def paths(self) -> list[str]:
        return [h.path for h in self.seen]

    def answer(self, hit: Hit) -> Answer:
        route = self.routes.get(hit.route) or self.routes.get(hit.path)
        if route is None:
            return self.fallback(hit) if self.fallback else NOT_HERE
        if isinstance(route, Answer):
            return route
        made = route(hit)
        return made if isinstance(made, Answer) else Answer(made)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer()

    do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        hit = Hit(self.command, self.path, httpx.Headers(list(self.headers.items())), body)
        stub: StubServer = self.server.stub
        stub.seen.append(hit)
        answer = stub.answer(hit)
        if answer.delay:
            time.sleep(answer.delay)
        content = answer.body.encode() if isinstance(answer.body, str) else answer.body
        content_type = (
            stub.content_type if answer.content_type == SERVER_DEFAULT else answer.content_type
        )
        try:
            self.send_response(answer.status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in answer.header_lines():
                self.send_header(name, value)
            if answer.drip is not None:
                self.end_headers()
                self._drip(answer.drip, answer.drip_seconds)
                return
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD" and answer.status not in (204, 304):
                self.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _drip(self, chunk: bytes, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                self.wfile.write(chunk)
                self.wfile.flush()
                time.sleep(0.02)
        except OSError:
            self.close_connection = True


@contextlib.contextmanager
def running_server(content_type: str | None = "text/html; charset=utf-8") -> Iterator[StubServer]:
    """A stub server on 127.0.0.1 for the block; `content_type` is its default Content-Type."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    stub = StubServer(base=f"http://127.0.0.1:{port}", port=port, content_type=content_type)
    httpd.stub = stub  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield stub
    finally:
        httpd.shutdown()
        httpd.server_close()


class LoopbackOnly:
    """Under the guard in tests (`GuardedClient(backend=...)`): makes the socket of every
    connection the guard allowed, recording its address, and only for loopback ones, so a
    broken guard could never send a packet anywhere else."""

    def __init__(self) -> None:
        self.connected: list[str] = []

    def __call__(self, addr_info: tuple[Any, ...]) -> socket.socket:
        family, kind, proto, _, sockaddr = addr_info
        host = str(sockaddr[0])
        self.connected.append(host)
        if family not in (socket.AF_INET, socket.AF_INET6):
            raise AssertionError(f"the guard let a {family!r} connection through")
        if not ipaddress.ip_address(host).is_loopback:
            raise AssertionError(f"the guard let a connection to {host} through")
        return socket.socket(family=family, type=kind, proto=proto)
