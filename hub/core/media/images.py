"""Processed images: an uploaded image made a metadata-free WebP and recorded as a `media` row
(the v1 media upload, publicasta-v1-resolved §1.4 E8, §1.7; and the dashboard's editor).

Two steps, so that no transaction is open while an image converts:
- `prepare_image` checks the size, then probes and converts the bytes on the pipeline's
  bounded executor (off the event loop), before anything is written; a file that is not an
  accepted image, is broken, or is over the pixel or frame limit raises `Invalid` on `field`;
- `store_image` records the row in the caller's write unit (`hub.core.writes.Tx`) and stages
  the file, which is renamed into place only after the commit.

Layout under the media directory (the `projects` segment copies Publicasta's):
- `projects/{channel_id}/drafts/YYYY/MM/{name}`: article images without an entry yet;
- `projects/{channel_id}/pages/{entry_id}/{name}`: images of one entry;
- `projects/{channel_id}/channel/{name}`: covers and avatars.
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
# the `media.purpose` of a processed image -> the pipeline's purpose
PIPELINE_PURPOSE: dict[str, pipeline.Purpose] = {
    "article": "article",
    "channel_cover": "cover",
    "channel_avatar": "avatar",
}
CHANNEL_COLUMN = {"channel_cover": "cover_media_id", "channel_avatar": "avatar_media_id"}
MSG_UNREADABLE = "The image could not be read. Upload a JPEG, PNG, GIF or WebP file."


@dataclass(frozen=True)
class PreparedImage:
    """An upload converted and checked, not yet stored."""

    image: pipeline.ProcessedImage
    content_type: str  # of the upload, sniffed from its bytes
    size: int  # bytes of the upload
    sha256: bytes  # of the upload


async def prepare_image(
    settings: Settings,
    data: bytes,
    *,
    purpose: str = "article",
    field: str = "image",
    sha256: bytes | None = None,
) -> PreparedImage:
    """Check and convert `data` off the event loop. `TooLarge` over `settings.max_upload_bytes`;
    `Invalid` on `field` when it is not an accepted image (JPEG, PNG, GIF, WebP, AVIF, HEIC),
    is broken, or has too many pixels or frames. Nothing is written."""
    pipeline.check_size(len(data), settings.max_upload_bytes)
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
        message = MSG_UNREADABLE if exc.code in ("unsupported_type", "broken_image") else None
        raise Invalid.field(field, message or exc.message, code=exc.code) from None
    content_type = pipeline.sniff_type(data[:1024]) or "application/octet-stream"
    digest = sha256 if sha256 is not None else hashlib.sha256(data).digest()
    return PreparedImage(image, content_type, len(data), digest)


async def store_image(
    tx: Tx,
    prepared: PreparedImage,
    *,
    author_id: int,
    channel_id: int,
    credential_id: int | None,
    purpose: str = "article",
    filename: str | None = None,
    alt: str = "",
    entry_id: int | None = None,
) -> asyncpg.Record:
    """Record the image (its `media` row, with `queries.PROCESSED_COLUMNS`) in the caller's
    transaction and stage its files; with `entry_id` it is attached to that entry (inline),
    a cover or avatar becomes the channel's."""
    conn = tx.conn
    name = pipeline.new_media_name(filename)
    root = f"projects/{channel_id}"
    if purpose != "article":
        folder, path = "channel", f"{root}/channel/{name}"
    elif entry_id is not None:
        folder, path = "pages", f"{root}/pages/{entry_id}/{name}"
    else:
        folder, path = "drafts", f"{root}/drafts/{datetime.now(UTC):%Y/%m}/{name}"
    image = prepared.image
    # covers and avatars: their PNG/JPEG rendition for feeds, beside the WebP
    feed = {"feed_path": pipeline.rendition_path(path, image.rendition_type)} if (
        image.rendition is not None and image.rendition_type is not None
    ) else {}  # fmt: skip
    row = await queries.insert_media(
        conn,
        public_id=secrets.token_urlsafe(16),
        author_id=author_id,
        channel_id=channel_id,
        credential_id=credential_id,
        purpose=purpose,
        folder=folder,
        content_type=prepared.content_type,
        bytes=prepared.size,
        sha256=prepared.sha256,
        path=path,
        processed_type=image.content_type,
        processed_bytes=len(image.data),
        width=image.width,
        height=image.height,
        frames=image.frames,
        alt=alt,
        **feed,
    )
    if entry_id is not None:
        await queries.attach_media(conn, entry_id, row["id"], alt)
    if purpose in CHANNEL_COLUMN:
        await queries.set_channel_image(conn, channel_id, CHANNEL_COLUMN[purpose], row["id"])
    if not tx.dry_run:
        await tx.files.write(path, image.data)
        if feed and image.rendition is not None:
            await tx.files.write(feed["feed_path"], image.rendition)
    return row
