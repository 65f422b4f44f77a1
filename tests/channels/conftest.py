"""Fixtures for the v1 API: an author with a key and a channel, and request helpers."""

from __future__ import annotations

import shutil
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


@pytest.fixture(autouse=True)
def empty_media_dir(settings) -> None:
    """Channel ids restart with every test's empty tables, so their files must go too."""
    shutil.rmtree(settings.media_dir / "projects", ignore_errors=True)


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


# -- images (generated with pyvips; no binary fixtures) ------------------------------------------


def gradient(width: int, height: int):
    import pyvips

    xyz = pyvips.Image.xyz(width, height)
    red = xyz[0] * 255 / max(1, width - 1)
    green = xyz[1] * 255 / max(1, height - 1)
    return red.bandjoin([green, red * 0 + 90]).cast("uchar").copy(interpretation="srgb")


def jpeg(width: int = 64, height: int = 48, *, orientation: int | None = None) -> bytes:
    import pyvips

    image = gradient(width, height).copy()
    if orientation is not None:
        image.set_type(pyvips.GValue.gint_type, "orientation", orientation)
        image.set_type(pyvips.GValue.gstr_type, "exif-ifd0-Artist", "Secret Person")
    return image.jpegsave_buffer(Q=85)


def png_alpha(width: int = 64, height: int = 64) -> bytes:
    return gradient(width, height).bandjoin(128).pngsave_buffer()


def animated_gif(width: int = 40, height: int = 30, frames: int = 3) -> bytes:
    import pyvips

    pages = [
        (pyvips.Image.black(width, height, bands=3) + i * 70).cast("uchar") for i in range(frames)
    ]
    strip = pyvips.Image.arrayjoin(pages, across=1).copy()
    strip.set_type(pyvips.GValue.gint_type, "page-height", height)
    strip.set_type(pyvips.GValue.array_int_type, "delay", [100] * frames)
    strip.set_type(pyvips.GValue.gint_type, "loop", 0)
    return strip.gifsave_buffer()


def huge_jpeg(width: int = 6000, height: int = 5000) -> bytes:
    """30 MP, but small on disk (flat colour)."""
    import pyvips

    return (pyvips.Image.black(width, height, bands=3) + 120).cast("uchar").jpegsave_buffer(Q=50)


def upload(image: bytes, filename: str = "illustration.png", **fields: str) -> dict:
    """httpx keyword arguments for a multipart media upload."""
    return {"files": {"image": (filename, image, "application/octet-stream")}, "data": fields}
