"""Images uploaded for a purpose, processed and stored: the one path of the v1 API's E8
upload (`hub.channels.media`) and the dashboard's channel and profile forms.

`prepare_image` runs the pipeline off the event loop before any transaction is open (type,
24 MP, frames; WebP at most 1600 px, avatars and author photos a 512 px square); the
`store_*` functions record the `media` row in the caller's write unit and stage the files
(the WebP and, for covers, avatars and photos, its PNG/JPEG feed rendition), which are
renamed into place only after the commit.

Layout under the media directory (the `projects` segment copies Publicasta's):
- `projects/{channel_id}/drafts/YYYY/MM/{name}`: article images without an entry yet;
- `projects/{channel_id}/pages/{entry_id}/{name}`: images of one entry;
- `projects/{channel_id}/channel/{name}`: channel covers and avatars;
- `authors/{author_id}/{name}`: author photos.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from hub.config import Settings
from hub.core.errors import Invalid
from hub.core.media import pipeline, queries
from hub.core.writes import Tx

MAX_SIDE = 1600
AVATAR_SIZE = 512
QUALITY = 82
MAX_FRAMES = 300
PIPELINE_PURPOSE: dict[str, pipeline.Purpose] = {
    "article": "article",
    "channel_cover": "cover",
    "channel_avatar": "avatar",
    "author_photo": "avatar",
}
CHANNEL_COLUMN = {"channel_cover": "cover_media_id", "channel_avatar": "avatar_media_id"}
MSG_UNREADABLE = "The image could not be read. Upload a JPEG, PNG, GIF or WebP file."


@dataclass(frozen=True)
class Prepared:
    image: pipeline.ProcessedImage
    content_type: str  # of the upload, sniffed


async def prepare_image(
    settings: Settings, data: bytes, purpose: str = "article", *, field: str = "image"
) -> Prepared:
    """Probe and process the image in a worker thread; `Invalid` on `field` when it is not an
    accepted image, is broken, or is over the pixel or frame limit. Nothing is written."""
    try:
        image = await pipeline.process_image_async(
            data,
            purpose=PIPELINE_PURPOSE[purpose],
            max_side=MAX_SIDE,
            avatar_size=AVATAR_SIZE,
            quality=QUALITY,
            max_pixels=settings.max_image_pixels,
            max_frames=MAX_FRAMES,
            sharp_yuv=settings.media_sharp_yuv,
        )
    except Invalid as exc:
        if exc.code in ("unsupported_type", "broken_image"):
            raise Invalid.field(field, MSG_UNREADABLE, code=exc.code) from None
        if field != "image":
            raise Invalid.field(field, exc.message, code=exc.code) from None
        raise
    return Prepared(image, pipeline.sniff_type(data[:1024]) or "application/octet-stream")


async def store_image(
    tx: Tx,
    *,
    author_id: int,
    channel_id: int | None,
    credential_id: int | None,
    purpose: str,
    folder: str,
    path: str,
    original: bytes,
    sha256: bytes,
    prepared: Prepared,
    alt: str = "",
) -> asyncpg.Record:
    """Record the processed image and stage its file (and its feed rendition, when the
    pipeline made one); the `media` row."""
    image = prepared.image
    feed = (
        {"feed_path": pipeline.rendition_path(path, image.rendition_type)}
        if image.rendition is not None and image.rendition_type is not None
        else {}
    )
    row = await queries.insert_media(
        tx.conn,
        public_id=secrets.token_urlsafe(16),
        author_id=author_id,
        channel_id=channel_id,
        credential_id=credential_id,
        purpose=purpose,
        folder=folder,
        content_type=prepared.content_type,
        bytes=len(original),
        sha256=sha256,
        path=path,
        processed_type=image.content_type,
        processed_bytes=len(image.data),
        width=image.width,
        height=image.height,
        frames=image.frames,
        alt=alt,
        **feed,
    )
    if not tx.dry_run:
        await tx.files.write(path, image.data)
        if feed and image.rendition is not None:
            await tx.files.write(feed["feed_path"], image.rendition)
    return row


async def store_channel_image(
    tx: Tx,
    *,
    author_id: int,
    channel_id: int,
    credential_id: int | None,
    purpose: str,
    filename: str,
    original: bytes,
    sha256: bytes,
    prepared: Prepared,
    alt: str = "",
) -> asyncpg.Record:
    """Store a cover or an avatar (`purpose` `channel_cover` / `channel_avatar`) and make it
    the channel's; the previous one is detached. The channel's change time moves, so its
    pages' and feeds' ETags change."""
    path = f"projects/{channel_id}/channel/{pipeline.new_media_name(filename)}"
    row = await store_image(
        tx, author_id=author_id, channel_id=channel_id, credential_id=credential_id,
        purpose=purpose, folder="channel", path=path, original=original, sha256=sha256,
        prepared=prepared, alt=alt,
    )  # fmt: skip
    await queries.set_channel_image(tx.conn, channel_id, CHANNEL_COLUMN[purpose], row["id"])
    return row


async def store_author_photo(
    tx: Tx,
    *,
    author_id: int,
    filename: str,
    original: bytes,
    sha256: bytes,
    prepared: Prepared,
) -> asyncpg.Record:
    """Store an author's photo and make it theirs (the author's change time moves, so every
    page and feed of their channels changes its ETag)."""
    path = f"authors/{author_id}/{pipeline.new_media_name(filename)}"
    row = await store_image(
        tx, author_id=author_id, channel_id=None, credential_id=None, purpose="author_photo",
        folder="author", path=path, original=original, sha256=sha256, prepared=prepared,
    )  # fmt: skip
    await queries.set_author_photo(tx.conn, author_id, row["id"])
    return row


async def store_article_image(
    tx: Tx,
    *,
    author_id: int,
    channel_id: int,
    credential_id: int | None,
    filename: str | None,
    original: bytes,
    prepared: Prepared,
    alt: str = "",
    entry_id: int | None = None,
) -> asyncpg.Record:
    """Store an image of an article (the dashboard editor's uploads): in the channel's drafts
    folder, or, with `entry_id`, attached to that entry (inline) in its folder."""
    name = pipeline.new_media_name(filename)
    root = f"projects/{channel_id}"
    if entry_id is not None:
        folder, path = "pages", f"{root}/pages/{entry_id}/{name}"
    else:
        folder, path = "drafts", f"{root}/drafts/{datetime.now(UTC):%Y/%m}/{name}"
    row = await store_image(
        tx, author_id=author_id, channel_id=channel_id, credential_id=credential_id,
        purpose="article", folder=folder, path=path, original=original,
        sha256=hashlib.sha256(original).digest(), prepared=prepared, alt=alt,
    )  # fmt: skip
    if entry_id is not None:
        await queries.attach_media(tx.conn, entry_id, row["id"], alt)
    return row
