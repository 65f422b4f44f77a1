"""Fixtures of the public-site tests (pages, feeds): a blog with an API key, entries made
through the v1 API (articles) or through the shared publishing core (notes, likes, replies,
which the v1 API cannot make). Fixture names start with `public_`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import mf2py

from hub.core.db import transaction
from hub.core.entries import publishing
from hub.core.entries import queries as entry_queries
from tests.factories import make_author, make_credential

BASE = "http://hub.test"


@dataclass
class PublicBlog:
    author_id: int
    channel_id: int
    channel: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    @property
    def pages(self) -> str:
        return f"/api/v1/channels/{self.channel}/pages"


async def public_make_blog(pool, name: str = "Ada", *, language: str = "en") -> PublicBlog:
    author = await make_author(pool, name, plan="pro", language=language)
    secret = await make_credential(pool, author.author_id)
    await pool.execute(
        "UPDATE channel_translations SET description = $2 WHERE channel_id = $1",
        author.channel_id,
        f"Notes and articles by {name}.",
    )
    return PublicBlog(author.author_id, author.channel_id, author.channel, secret)


def public_article(
    slug: str,
    *,
    title: str = "Agent post",
    body: str = "Body from **agent**.\n\nSee [the docs](/docs/page) for more.",
    excerpt: str | None = "A separate teaser.",
    status: str = "published",
    tags: list[str] | None = None,
    extra_translations: list[dict[str, Any]] = (),
) -> dict[str, Any]:
    translation: dict[str, Any] = {"language": "en", "title": title, "content_markdown": body}
    if excerpt is not None:
        translation["excerpt"] = excerpt
    payload: dict[str, Any] = {
        "slug": slug,
        "default_language": "en",
        "status": status,
        "translations": [translation, *extra_translations],
    }
    if tags is not None:
        payload["tags"] = tags
    return payload


async def public_publish(client, blog: PublicBlog, payload: dict[str, Any]) -> dict[str, Any]:
    """Create or update a page through the v1 API; the JSON answer."""
    r = await client.post(blog.pages, json=payload, headers=blog.headers)
    assert r.status_code in (200, 201), r.text
    return r.json()


async def public_set_status(client, blog: PublicBlog, slug: str, status: str, **extra) -> None:
    r = await client.patch(
        f"{blog.pages}/{slug}/status", json={"status": status, **extra}, headers=blog.headers
    )
    assert r.status_code == 200, r.text


async def public_insert_entry(
    pool,
    blog: PublicBlog,
    slug: str,
    *,
    kind: str = "note",
    title: str = "",
    content_html: str = "<p>Just a note.</p>",
    properties: dict[str, Any] | None = None,
    tags: list[str] = (),
    language: str = "en",
    published: bool = True,
    visibility: str = "public",
    published_at: datetime | None = None,
) -> int:
    """An entry written step by step: its row, a translation and its tags, then a publishing
    request under the `auto` policy (the v1 API makes articles only)."""
    async with transaction(pool) as conn:
        entry_id = await conn.fetchval(
            "INSERT INTO entries (channel_id, author_id, slug, default_language, kind,"
            " visibility, created_via, properties) VALUES ($1, $2, $3, $4, $5, $6, 'import', $7)"
            " RETURNING id",
            blog.channel_id, blog.author_id, slug, language, kind, visibility, properties or {},
        )  # fmt: skip
        content = {
            "title": title, "excerpt": None, "body_format": "html", "body_source": content_html,
            "content_html": content_html, "seo_title": None, "seo_description": None,
        }  # fmt: skip
        await entry_queries.insert_translation(conn, entry_id, language, content, None)
        await entry_queries.replace_categories(conn, entry_id, list(tags))
        if published:
            now = published_at or datetime.now(UTC)
            await publishing.request_statuses(
                conn, entry_id, {language: "published"}, policy="auto", now=now
            )
    return entry_id


def public_mf2(html: str, url: str) -> dict[str, Any]:
    return mf2py.parse(doc=html, url=url)


def public_items(parsed: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [item for item in parsed["items"] if kind in item["type"]]
