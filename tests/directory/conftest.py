"""Fixtures of the directory tests: local HTTP servers on 127.0.0.1 (see directory_stubs)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .directory_stubs import FeedServer, running_server
from .webmention_fixtures import site, wm_client, wm_resources  # noqa: F401 (fixtures)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with running_server() as server:
        yield server


@pytest.fixture
def receiver() -> Iterator[FeedServer]:
    """A second server, for webhook receivers."""
    with running_server() as server:
        yield server
