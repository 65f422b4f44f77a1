"""Fixtures of the inbox tests: a remote fediverse account on a stub server (`remote.py`),
the app with `auto` moderation and no rate limits, a blog with a published entry."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from hub.core.resources import Resources
from tests.activitypub.receive.remote import Remote, avatar
from tests.factories import Author, make_author, make_entry
from tests.stubs import StubServer, running_server
from tests.webmentions.fixtures import app_client


@pytest.fixture
def fediverse() -> Iterator[StubServer]:
    with running_server("application/activity+json") as server:
        server.routes["/avatars/alice.png"] = avatar()
        yield server


@pytest.fixture
def alice(fediverse: StubServer) -> Remote:
    return Remote(fediverse)


@pytest.fixture
def ap_resources(resources: Resources, db) -> Resources:
    settings = dataclasses.replace(
        resources.settings, webmention_moderation="auto", ap_rate_domain=0
    )
    return dataclasses.replace(resources, settings=settings)


@pytest.fixture
async def ap_client(ap_resources: Resources) -> AsyncIterator[httpx.AsyncClient]:
    async for http in app_client(ap_resources):
        yield http


@pytest.fixture
async def blog(db) -> Author:
    author = await make_author(db, "Vic")
    await make_entry(db, author, "hello", content_html="<p>Hello, fediverse.</p>")
    return author
