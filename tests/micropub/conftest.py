"""Fixtures for Micropub: an author (with a default channel) and app tokens with chosen
scopes, real images made with pyvips, an app built with changed settings, a stub HTTP server
on 127.0.0.1 for remote media, and helpers to read back what a request stored."""

from __future__ import annotations

import dataclasses
import ipaddress
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpcore
import httpx
import pytest
import pyvips

from hub.app import create_app
from hub.core.auth import create_credential
from hub.core.authors import create_author
from hub.core.db import transaction
from hub.core.fetch import GuardedClient
from hub.core.urls import Urls


@dataclass
class Token:
    author_id: int
    channel_id: int
    channel_slug: str
    secret: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


MakeToken = Callable[..., Awaitable[Token]]


@pytest.fixture
def make_token(db) -> MakeToken:
    authors: dict[str, tuple[int, int, str]] = {}

    async def make(
        scopes=("create", "update", "media"), *, author: str = "Ada", plan: str = "free"
    ) -> Token:
        async with transaction(db) as conn:
            if author not in authors:
                created = await create_author(
                    conn, author, plan=plan, channel_slug=f"{author.lower()}-blog"
                )
                channel_id = await conn.fetchval(
                    "SELECT id FROM channels WHERE author_id = $1", created.id
                )
                authors[author] = (created.id, channel_id, f"{author.lower()}-blog")
            author_id, channel_id, slug = authors[author]
            _, secret = await create_credential(
                conn, author_id=author_id, kind="app_token", scopes=list(scopes)
            )
        return Token(author_id, channel_id, slug, secret)

    return make


@pytest.fixture
async def token(make_token) -> Token:
    return await make_token()


def make_image(kind: str = "jpeg", width: int = 16, height: int = 12) -> bytes:
    picture = pyvips.Image.black(width, height, bands=3).linear([1, 1, 1], [40, 120, 200])
    picture = picture.cast("uchar")
    return {
        "jpeg": picture.jpegsave_buffer,
        "png": picture.pngsave_buffer,
        "gif": picture.gifsave_buffer,
    }[kind]()


@pytest.fixture
def image() -> Callable[..., bytes]:
    """`image("png", 20, 10)`: the bytes of a real image made with pyvips."""
    return make_image


@pytest.fixture
def app_with(settings, resources) -> Callable:
    """`async with app_with(rate_micropub_writes=1) as http:` an app with changed settings."""

    @asynccontextmanager
    async def build(**changes) -> AsyncIterator[httpx.AsyncClient]:
        changed = dataclasses.replace(settings, **changes)
        urls = Urls(changed.base_url) if "base_url" in changes else resources.urls
        app = create_app(changed, dataclasses.replace(resources, settings=changed, urls=urls))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
            yield http

    return build


# --- a stub server for remote media (127.0.0.1 only) ------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.seen.append(self.path)
        status, content_type, body, *extra = self.server.routes.get(
            self.path, (404, "text/plain", b"not found")
        )
        self.send_response(status)
        for name, value in (extra[0] if extra else {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@dataclass
class Remote:
    """A real HTTP server on 127.0.0.1: `routes[path] = (status, type, body[, headers])`;
    `seen` lists the paths requested."""

    base: str
    routes: dict[str, tuple]
    seen: list[str]

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def remote() -> Iterator[Remote]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.routes = {}  # type: ignore[attr-defined]
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Remote(
            f"http://127.0.0.1:{server.server_port}",
            server.routes,  # type: ignore[attr-defined]
            server.seen,  # type: ignore[attr-defined]
        )
    finally:
        server.shutdown()
        server.server_close()


class LoopbackOnly(httpcore.AsyncNetworkBackend):
    """Under the guard in tests: records every connection and opens loopback ones only, so a
    broken guard could never send a packet anywhere else."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.connected: list[str] = []

    async def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        self.connected.append(host)
        if not ipaddress.ip_address(host).is_loopback:
            raise AssertionError(f"the guard let a connection to {host} through")
        return await self.inner.connect_tcp(host, port, *args, **kwargs)

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the guard let a unix socket connection through")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


@pytest.fixture
async def job_context(resources) -> AsyncIterator[tuple[dict, LoopbackOnly]]:
    """(ctx for running a job function directly, the network backend under its fetcher)."""
    network = LoopbackOnly()
    async with GuardedClient(allow_loopback=True, timeout=5.0, backend=network) as fetcher:
        yield {"resources": dataclasses.replace(resources, fetcher=fetcher)}, network


# --- reading back ----------------------------------------------------------------------------


async def source(client: httpx.AsyncClient, token: Token, url: str, *names: str) -> httpx.Response:
    params: list[tuple[str, str]] = [("q", "source"), ("url", url)]
    params += [("properties[]", n) for n in names]
    return await client.get("/micropub", params=params, headers=token.headers)


async def entry_row(db, url: str) -> dict:
    """The entry whose permalink or edit URL is `url`, with its primary translation."""
    key: int | str = url.rstrip("/").rsplit("/", 1)[-1]
    where = "e.slug = $1"
    if url.endswith("/edit"):
        key, where = int(url.rsplit("/", 2)[-2]), "e.id = $1"
    row = await db.fetchrow(
        f"""
        SELECT e.*, t.title, t.excerpt, t.body_format, t.body_source, t.content_html,
               t.status AS translation_status, t.published_at AS translation_published_at,
               array(SELECT name FROM entry_categories c WHERE c.entry_id = e.id
                     ORDER BY position) AS tags
        FROM entries e JOIN entry_translations t
          ON t.entry_id = e.id AND t.language = e.default_language
        WHERE {where}
        """,
        key,
    )
    assert row is not None, url
    return dict(row)
