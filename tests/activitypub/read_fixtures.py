"""Fixtures of the discovery, documents and negotiation tests: the public site's blog (an
author with the channel `ada_blog` and a v1 API key), imported by each test module."""

from __future__ import annotations

import pytest

from tests.site.public.fixtures import PublicBlog, public_make_blog


@pytest.fixture
async def public_blog(db) -> PublicBlog:
    return await public_make_blog(db)
