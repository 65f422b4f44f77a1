"""Fixtures for the v1 API: an author with a key and a channel, and request helpers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hub.core.auth import create_credential
from hub.core.authors import create_author
from hub.core.db import transaction


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
    async with transaction(pool) as conn:
        author = await create_author(conn, name, plan=plan, channel_slug=f"{name.lower()}_blog")
        if moderation:
            await conn.execute(
                "UPDATE authors SET moderation = $2 WHERE id = $1", author.id, moderation
            )
        _, secret = await create_credential(
            conn, author_id=author.id, kind="api_key", scopes=scopes
        )
    return Account(author.id, f"{name.lower()}_blog", secret)


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
