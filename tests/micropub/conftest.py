"""Fixtures for Micropub: an author (with a default channel) and app tokens with chosen
scopes (from `tests/factories.py`), real images (`tests/images.py`), an app built with changed
settings, a stub server on 127.0.0.1 for remote media (`tests/stubs.py`), and helpers to read
back what a request stored."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest

from hub.app import create_app
from hub.core.fetch import GuardedClient
from hub.core.urls import Urls
from tests import images
from tests.factories import make_author, make_credential
from tests.stubs import LoopbackOnly, StubServer, running_server


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
        if author not in authors:
            made = await make_author(db, author, plan=plan, channel_slug="{name}-blog")
            authors[author] = (made.author_id, made.channel_id, made.channel)
        author_id, channel_id, slug = authors[author]
        secret = await make_credential(db, author_id, kind="app_token", scopes=scopes)
        return Token(author_id, channel_id, slug, secret)

    return make


@pytest.fixture
async def token(make_token) -> Token:
    return await make_token()


@pytest.fixture
def image() -> Callable[..., bytes]:
    """`image("png", 20, 10)`: the bytes of a real image made with pyvips."""
    return images.flat


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


@pytest.fixture
def remote() -> Iterator[StubServer]:
    """A stub server on 127.0.0.1 for remote media."""
    with running_server() as server:
        yield server


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
