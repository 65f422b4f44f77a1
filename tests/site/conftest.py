"""Fixtures shared by the tests of `hub/site`. Public-site fixtures start with `public_`
(helpers in `public_fixtures.py`)."""

from __future__ import annotations

import pytest

from tests.site.public.fixtures import PublicBlog, public_make_blog


@pytest.fixture
async def public_blog(db) -> PublicBlog:
    """An author (pro plan) with the channel `ada_blog`, a description and a v1 API key."""
    return await public_make_blog(db)
