"""Fixtures of the webmention tests: a local HTTP server on 127.0.0.1 whose answers are set
per path (status, any header lines, including repeated ones and odd spellings, body, an optional
delay), entries created straight in the database, and resources/app with `auto` moderation.

Nothing here connects anywhere but 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from hub.app import create_app
from hub.core.authors import create_author
from hub.core.db import transaction
from hub.core.resources import Resources


@dataclass
class Answer:
    body: bytes | str = b""
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str | None = "text/html; charset=utf-8"
    delay: float = 0.0


@dataclass
class Hit:
    method: str
    path: str  # with the query string
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


@dataclass
class Site:
    """The routing table of one local server: path (without query) -> Answer or a function."""

    base: str
    answers: dict[str, Answer | Callable[[Hit], Answer]] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, path: str, body: bytes | str = b"", **kwargs: Any) -> str:
        self.answers[path] = Answer(body, **kwargs)
        return self.url(path)

    def posts(self, path: str | None = None) -> list[Hit]:
        return [
            h
            for h in self.hits
            if h.method == "POST" and (path is None or h.path.split("?")[0] == path)
        ]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        hit = Hit(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        site: Site = self.server.site
        site.hits.append(hit)
        answer = site.answers.get(self.path.split("?")[0])
        if callable(answer):
            answer = answer(hit)
        if answer is None:
            answer = Answer(b"not here", 404, content_type="text/plain")
        if answer.delay:
            time.sleep(answer.delay)
        content = answer.body.encode() if isinstance(answer.body, str) else answer.body
        try:
            self.send_response(answer.status)
            if answer.content_type:
                self.send_header("Content-Type", answer.content_type)
            for name, value in answer.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):
            pass


@contextlib.contextmanager
def running_site() -> Iterator[Site]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    site = Site(base=f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.site = site
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    """A local server for sources, targets and endpoints."""
    with running_site() as running:
        yield running


@pytest.fixture
def wm_resources(resources: Resources, db) -> Resources:
    """The session resources with `auto` moderation and no rate limits (R-W12: tests set
    auto); tests that check a policy or a limit replace the settings again."""
    settings = dataclasses.replace(
        resources.settings,
        webmention_moderation="auto",
        webmention_rate_ip=0,
        webmention_rate_ip_day=0,
        webmention_rate_source=0,
        rate_directory_anon=0,
    )
    return dataclasses.replace(resources, settings=settings)


async def app_client(resources: Resources) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(resources.settings, resources)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        yield http


@pytest.fixture
async def wm_client(wm_resources: Resources) -> AsyncIterator[httpx.AsyncClient]:
    async for http in app_client(wm_resources):
        yield http


@dataclass
class Blog:
    author_id: int
    channel_id: int
    channel: str


async def make_blog(pool, name: str = "Ada") -> Blog:
    async with transaction(pool) as conn:
        author = await create_author(conn, name, channel_slug=f"{name.lower()}_blog")
        channel_id = await conn.fetchval("SELECT id FROM channels WHERE author_id = $1", author.id)
    return Blog(author.id, channel_id, f"{name.lower()}_blog")


async def make_entry(
    pool,
    blog: Blog,
    slug: str,
    *,
    content_html: str = "<p>Hello.</p>",
    properties: dict | None = None,
    status: str = "published",
    translations: dict[str, str] | None = None,
) -> int:
    """An entry with its translations (language -> content HTML), straight in the tables."""
    published = status == "published"
    async with transaction(pool) as conn:
        entry_id = await conn.fetchval(
            """
            INSERT INTO entries (channel_id, author_id, slug, default_language, status, kind,
                                 properties, published_at, created_via)
            VALUES ($1, $2, $3, 'en', $4, 'note', $5,
                    CASE WHEN $6 THEN now() END, 'cli')
            RETURNING id
            """,
            blog.channel_id,
            blog.author_id,
            slug,
            status,
            properties or {},
            published,
        )
        for language, html in (translations or {"en": content_html}).items():
            await conn.execute(
                """
                INSERT INTO entry_translations (entry_id, language, status, content_html,
                                                published_at)
                VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END)
                """,
                entry_id,
                language,
                "published" if published else "draft",
                html,
                published,
            )
    return entry_id


def entry_url(blog: Blog, slug: str) -> str:
    return f"http://hub.test/{blog.channel}/{slug}"
