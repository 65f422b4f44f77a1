"""Fixtures for the v1 API: an author with a key and a channel (`tests/factories.py`), and
request helpers. Images come from `tests/images.py`."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import pytest

from tests.factories import make_author, make_credential


@dataclass
class Account:
    author_id: int
    channel: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


async def make_account(
    pool, name: str, *, plan: str = "pro", scopes=None, moderation=None
) -> Account:
    """An author (pro unless told) with the channel `<name>_blog` and a v1 API key."""
    author = await make_author(pool, name, plan=plan, moderation=moderation)
    secret = await make_credential(pool, author.author_id, scopes=scopes)
    return Account(author.author_id, author.channel, secret)


@pytest.fixture(autouse=True)
def empty_media_dir(settings) -> None:
    """Channel ids restart with every test's empty tables, so their files must go too."""
    shutil.rmtree(settings.media_dir / "projects", ignore_errors=True)


@pytest.fixture(autouse=True)
async def node_owner(db) -> int:
    """The node's owner, made first (the first author is the owner), so that the accounts of
    these tests are authors whom the v1 contract's plan rules limit: no plan limits the owner
    (issue 17; tests/channels/test_owner.py covers the owner)."""
    return (await make_author(db, "Olwen", plan="free")).author_id


@pytest.fixture
async def account(db) -> Account:
    return await make_account(db, "Ada")


@pytest.fixture
async def other(db) -> Account:
    return await make_account(db, "Bob")


def article(slug: str | None = "agent_post", status: str = "published", **extra) -> dict:
    body = {
        "default_language": "en",
        "status": status,
        "translations": [
            {
                "language": "en",
                "title": "Agent post",
                "excerpt": "A separate teaser.",
                "content_markdown": "Body from **agent**.\n\n## First section\n\nMore.",
            }
        ],
        **extra,
    }
    if slug is not None:
        body["slug"] = slug
    return body


def two_languages(slug: str = "agent_post", status: str = "published", **extra) -> dict:
    body = article(slug, status, **extra)
    body["translations"].append(
        {"language": "ru", "title": "Пост агента", "content_markdown": "Текст от **агента**."}
    )
    return body


def upload(image: bytes, filename: str = "illustration.png", **fields: str) -> dict:
    """httpx keyword arguments for a multipart media upload."""
    return {"files": {"image": (filename, image, "application/octet-stream")}, "data": fields}
