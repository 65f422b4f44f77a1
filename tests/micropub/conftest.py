"""Fixtures for Micropub: an author (with a default channel) and app tokens with chosen
scopes, real images made with pyvips, and an app built with changed settings."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
import pyvips

from hub.app import create_app
from hub.core.auth import create_credential
from hub.core.authors import create_author
from hub.core.db import transaction


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

    async def make(scopes=("create", "update", "media"), *, author: str = "Ada") -> Token:
        async with transaction(db) as conn:
            if author not in authors:
                created = await create_author(conn, author, channel_slug=f"{author.lower()}-blog")
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
        app = create_app(changed, dataclasses.replace(resources, settings=changed))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
            yield http

    return build
