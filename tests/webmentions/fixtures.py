"""Fixtures of the webmention tests: `site`, a stub server on 127.0.0.1 (`tests/stubs.py`)
for sources, targets and endpoints; blogs and entries from `tests/factories.py`; and
resources/app with `auto` moderation."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from hub.app import create_app
from hub.core.resources import Resources
from tests.factories import Author, make_author
from tests.stubs import StubServer, running_server


@pytest.fixture
def site() -> Iterator[StubServer]:
    """A local server for sources, targets and endpoints."""
    with running_server() as running:
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


async def make_blog(pool, name: str = "Ada") -> Author:
    """An author with the channel `<name>_blog`."""
    return await make_author(pool, name)


def entry_url(blog: Author, slug: str) -> str:
    return f"http://hub.test/{blog.channel}/{slug}"
