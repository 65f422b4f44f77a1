"""Orchestration of `hub/micropub` over core: the token's blog, query answers, uploads.

Creating, updating and deleting entries will call the shared entries core
(`hub/core/entries`) from here; until it exists those requests stop after validation.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from hub.config import Settings
from hub.core import media
from hub.core.auth import Principal
from hub.core.errors import Forbidden, Invalid
from hub.core.urls import Urls
from hub.micropub import queries
from hub.micropub.post_types import POST_TYPES
from hub.micropub.properties import POST_STATUSES, VISIBILITIES

QUERIES = ("config", "source", "syndicate-to", "category", "post-types")
MAX_FRAMES = 500
# Audio and video are stored as sent (no decoding); images are probed by the core pipeline.
AV_TYPES = {
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
}
IMAGE_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/avif": "avif",
    "image/heic": "heic",
    "image/heif": "heif",
}


@dataclass(frozen=True)
class Blog:
    id: int
    author_id: int
    slug: str
    custom_domain: str | None
    timezone: str
    language: str
    title: str
    url: str  # its home page: the uid of `mp-destination`


async def blog_of(
    conn: asyncpg.Connection | asyncpg.Pool, principal: Principal, urls: Urls
) -> Blog:
    """The blog a token posts to: its channel, or its author's default channel."""
    row = await queries.get_blog(
        conn, channel_id=principal.channel_id, author_id=principal.author_id
    )
    if row is None:
        raise Forbidden("This token has no blog to post to.")
    return Blog(
        id=row["id"],
        author_id=row["author_id"],
        slug=row["slug"],
        custom_domain=row["custom_domain"],
        timezone=row["timezone"],
        language=row["default_language"],
        title=row["title"],
        url=urls.channel(row["slug"], custom_domain=row["custom_domain"]),
    )


def config_document(urls: Urls, blog: Blog) -> dict:
    """`q=config` (R-M15): Pika's media endpoint plus what W3C clients read."""
    return {
        "media-endpoint": urls.micropub_media(),
        "syndicate-to": [],
        "destination": [{"uid": blog.url, "name": blog.title}],
        "post-types": POST_TYPES,
        "q": list(QUERIES),
        "post-status": list(POST_STATUSES),
        "visibility": list(VISIBILITIES),
        "markdown": True,
    }


def new_public_id() -> str:
    """26 random base32 characters (130 bits): the capability id of an upload (R-M5)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")[:26].lower()


@dataclass(frozen=True)
class StoredUpload:
    public_id: str
    content_type: str
    width: int | None
    height: int | None


async def store_upload(
    pool: asyncpg.Pool,
    settings: Settings,
    principal: Principal,
    blog: Blog,
    data: bytes,
) -> StoredUpload:
    """Sniff, check and probe an uploaded file, then store its original bytes and a `media`
    row; the same bytes uploaded again to the same blog give the existing upload."""
    content_type = media.sniff_type(data[:1024]) if data else None
    width = height = None
    frames = 1
    if content_type in IMAGE_EXTENSIONS:
        media.check_size(len(data), settings.max_upload_bytes)
        info = await media.probe_async(
            data, max_pixels=settings.max_image_pixels, max_frames=MAX_FRAMES
        )
        width, height, frames = info.width, info.height, info.frames
        extension = IMAGE_EXTENSIONS[content_type]
    elif content_type in AV_TYPES:
        media.check_size(len(data), settings.max_multipart_bytes)
        extension = AV_TYPES[content_type]
    elif not data:
        raise Invalid.field("file", "The file is empty.", code="broken_image")
    else:
        raise Invalid.field(
            "file",
            "The file must be a JPEG, PNG, GIF, WebP, AVIF or HEIC image, MP4, MOV or WebM "
            "video, or MP3, M4A, Ogg or WAV audio.",
            code="unsupported_type",
        )
    assert content_type is not None
    sha256 = hashlib.sha256(data).digest()
    async with pool.acquire() as conn, conn.transaction():
        await queries.lock_upload_hash(conn, blog.id, sha256)
        existing = await queries.find_media_by_hash(conn, blog.id, sha256)
        if existing is not None:
            return _stored(existing)
        public_id = new_public_id()
        now = datetime.now(UTC)
        relative = f"uploads/{now:%Y/%m}/{public_id}.{extension}"
        await asyncio.to_thread(media.write_atomically, settings.media_dir, relative, data)
        try:
            row = await queries.insert_upload(
                conn,
                public_id=public_id,
                author_id=principal.author_id,
                channel_id=blog.id,
                credential_id=principal.credential_id,
                content_type=content_type,
                nbytes=len(data),
                sha256=sha256,
                original_path=relative,
                width=width,
                height=height,
                frames=frames,
            )
        except BaseException:
            await asyncio.to_thread(media.delete_file, settings.media_dir, relative)
            raise
    return _stored(row)


def _stored(row: asyncpg.Record) -> StoredUpload:
    return StoredUpload(row["public_id"], row["content_type"], row["width"], row["height"])
