"""Stubs for the directory tests: local HTTP servers on 127.0.0.1: feed hosts and webhook receivers.

`feed_server` serves a mutable routing table: path → Page (status, headers, body or a
function of the request). Every request is recorded. Nothing here ever connects anywhere but
127.0.0.1; `LoopbackOnly` is the safety net under the guard for tests about private ranges.
"""

from __future__ import annotations

import contextlib
import ipaddress
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpcore

from hub.core import auth
from hub.core.authors import create_author

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Page:
    body: bytes | Callable[[Seen], Any] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/xml"


@dataclass
class FeedServer:
    base: str
    pages: dict[str, Page] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, path: str, body: bytes | str | Callable = b"", **kwargs: Any) -> str:
        if isinstance(body, str):
            body = body.encode()
        self.pages[path] = Page(body, **kwargs)
        return self.url(path)

    def serve_file(self, path: str, name: str, **kwargs: Any) -> str:
        return self.serve(path, (FIXTURES / name).read_bytes(), **kwargs)

    def hits(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._any()

    def do_POST(self) -> None:
        self._any()

    def do_HEAD(self) -> None:
        self._any()

    def _any(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        state: FeedServer = self.server.state
        state.seen.append(seen)
        page = state.pages.get(self.path.split("?")[0]) or state.pages.get(self.path)
        if page is None:
            page = Page(b"not here", 404, content_type="text/plain")
        status, headers, content = page.status, dict(page.headers), page.body
        if callable(content):
            answer = content(seen)
            if isinstance(answer, Page):
                status, headers, content = answer.status, dict(answer.headers), answer.body
                page = answer
            else:
                content = answer
        if isinstance(content, str):
            content = content.encode()
        self.send_response(status)
        self.send_header("Content-Type", page.content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            try:
                self.wfile.write(content)
            except (BrokenPipeError, ConnectionResetError):
                pass


@contextlib.contextmanager
def running_server() -> Iterator[FeedServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    state = FeedServer(base=f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.state = state
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


class LoopbackOnly(httpcore.AsyncNetworkBackend):
    """Under the guard in tests: records connections and opens loopback ones only."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.connected: list[str] = []

    async def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        self.connected.append(host)
        if not ipaddress.ip_address(host).is_loopback:
            raise AssertionError(f"guard let a connection to {host} through")
        return await self.inner.connect_tcp(host, port, *args, **kwargs)

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("unix socket")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


async def make_token(pool, name: str = "reader", *, plan: str = "free", scopes=None) -> tuple:
    """(author id, secret) of a directory token for a new author."""
    async with pool.acquire() as conn, conn.transaction():
        author = await create_author(conn, name, plan=plan)
        _, secret = await auth.create_credential(
            conn, author_id=author.id, kind="directory_token", scopes=scopes
        )
    return author.id, secret
