"""Media an entry uses: storing an original file as a `media` row, attaching media to entries,
recognising the node's own media, and the remote media an entry names (the remote URL ->
local copy map filled in by `remote_media.py`).

Storing: the type is sniffed from the bytes (names and declared types are hints only); images
are probed by the core pipeline (size, pixels, frames) before anything is written; audio and
video are stored as sent. The same bytes stored again in the same channel give the existing
row. In a write unit the file is staged (`files`: in place after the commit, discarded after a
rollback); without one it is written before the row and deleted if the row's INSERT fails.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from hub.config import Settings
from hub.core.errors import Invalid
from hub.core.files import StagedFiles
from hub.core.media import pipeline as media
from hub.core.media import queries as media_queries

MAX_FRAMES = 500
IMAGE_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/avif": "avif",
    "image/heic": "heic",
    "image/heif": "heif",
}
# Stored as sent (no decoding).
AV_EXTENSIONS = {
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
}
ROLES = ("inline", "photo", "video", "audio", "featured")


@dataclass(frozen=True)
class StoredMedia:
    id: int
    public_id: str
    content_type: str
    width: int | None
    height: int | None
    original_path: str


@dataclass(frozen=True)
class Attachment:
    """One use of a media row by an entry."""

    media_id: int
    role: str  # inline | photo | video | audio | featured
    position: int = 0
    alt: str | None = None
    remote_url: str | None = None  # the URL the client sent, when this is a copy of it


@dataclass(frozen=True)
class RemoteMedia:
    """A remote URL an entry names, to be copied locally in the background."""

    url: str
    role: str  # inline | photo | video | audio
    position: int = 0
    alt: str | None = None


def new_public_id() -> str:
    """26 random base32 characters (130 bits): the capability id of a stored file."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")[:26].lower()


def accepted_type(data: bytes) -> str | None:
    """The sniffed type of `data` if hub stores that type, else None."""
    content_type = media.sniff_type(data[:1024]) if data else None
    return (
        content_type if content_type in IMAGE_EXTENSIONS or content_type in AV_EXTENSIONS else None
    )


async def store_original(
    conn: asyncpg.Connection,
    settings: Settings,
    data: bytes,
    *,
    author_id: int,
    channel_id: int,
    credential_id: int | None,
    purpose: str = "upload",
    source_url: str | None = None,
    files: StagedFiles | None = None,
) -> StoredMedia:
    """Check and store `data` in the caller's transaction. Raises `Invalid` (`broken_image`,
    `unsupported_type`, ...) or `TooLarge` before anything is written. A new file is staged
    in `files` when given (published after the commit), else written at once."""
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
    elif content_type in AV_EXTENSIONS:
        media.check_size(len(data), settings.max_multipart_bytes)
        extension = AV_EXTENSIONS[content_type]
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
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || encode($2, 'hex'), 0))",
        str(channel_id),
        sha256,
    )
    existing = await media_queries.find_original_by_sha256(conn, channel_id, sha256)
    if existing is not None:
        return _stored(existing)
    public_id = new_public_id()
    folder = "uploads"
    relative = f"{folder}/{datetime.now(UTC):%Y/%m}/{public_id}.{extension}"
    if files is not None:
        await files.write(relative, data)
    else:
        await asyncio.to_thread(media.write_atomically, settings.media_dir, relative, data)
    try:
        row = await media_queries.insert_original(
            conn,
            public_id=public_id,
            author_id=author_id,
            channel_id=channel_id,
            credential_id=credential_id,
            purpose=purpose,
            folder=folder,
            content_type=content_type,
            size=len(data),
            sha256=sha256,
            original_path=relative,
            width=width,
            height=height,
            frames=frames,
            source_url=source_url,
        )
    except BaseException:
        if files is None:
            await asyncio.to_thread(media.delete_file, settings.media_dir, relative)
        raise
    return _stored(row)


def _stored(row: asyncpg.Record) -> StoredMedia:
    return StoredMedia(
        row["id"],
        row["public_id"],
        row["content_type"],
        row["width"],
        row["height"],
        row["original_path"],
    )


async def set_attachments(
    conn: asyncpg.Connection,
    entry_id: int,
    attachments: Sequence[Attachment],
    *,
    roles: Sequence[str] = ("inline", "photo", "video", "audio"),
) -> None:
    """Make the entry's media of `roles` exactly `attachments` (copies of remote media made
    by the background fetch are kept while their URL is still named), and mark the media
    attached, which protects them from the cleanup of unused uploads."""
    keep = [(a.media_id, a.role) for a in attachments]
    await conn.execute(
        """
        DELETE FROM entry_media em
        WHERE em.entry_id = $1 AND em.role = ANY($2::text[])
          AND (em.media_id, em.role) NOT IN (SELECT * FROM unnest($3::bigint[], $4::text[]))
          AND NOT (em.remote_url IS NOT NULL AND EXISTS (
              SELECT 1 FROM entry_remote_media r
              WHERE r.entry_id = em.entry_id AND r.url = em.remote_url AND r.role = em.role))
        """,
        entry_id,
        list(roles),
        [k[0] for k in keep],
        [k[1] for k in keep],
    )
    await attach(conn, entry_id, attachments)


async def attach(
    conn: asyncpg.Connection, entry_id: int, attachments: Sequence[Attachment]
) -> None:
    if not attachments:
        return
    await conn.executemany(
        """
        INSERT INTO entry_media (entry_id, media_id, role, position, alt, remote_url)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (entry_id, media_id, role)
        DO UPDATE SET position = $4, alt = $5, remote_url = coalesce($6, entry_media.remote_url)
        """,
        [(entry_id, a.media_id, a.role, a.position, a.alt, a.remote_url) for a in attachments],
    )
    await media_queries.mark_media_attached(conn, *(a.media_id for a in attachments))


async def list_attachments(
    conn: asyncpg.Connection | asyncpg.Pool, entry_id: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        """
        SELECT em.media_id, em.role, em.position, em.alt, em.remote_url, m.public_id,
               m.content_type
        FROM entry_media em JOIN media m ON m.id = em.media_id
        WHERE em.entry_id = $1 ORDER BY em.role, em.position, em.media_id
        """,
        entry_id,
    )


async def set_remote_media(
    conn: asyncpg.Connection, entry_id: int, wanted: Sequence[RemoteMedia]
) -> bool:
    """Make the entry's remote media list exactly `wanted` (known URLs keep their state, a
    URL no longer named is forgotten with its copy's attachment); True when some URL still
    waits for a fetch."""
    urls = [w.url for w in wanted]
    roles = [w.role for w in wanted]
    await conn.execute(
        """
        DELETE FROM entry_media em
        WHERE em.entry_id = $1 AND em.remote_url IS NOT NULL
          AND (em.remote_url, em.role) NOT IN (SELECT * FROM unnest($2::text[], $3::text[]))
        """,
        entry_id,
        urls,
        roles,
    )
    await conn.execute(
        """
        DELETE FROM entry_remote_media
        WHERE entry_id = $1 AND (url, role) NOT IN (SELECT * FROM unnest($2::text[], $3::text[]))
        """,
        entry_id,
        urls,
        roles,
    )
    if wanted:
        await conn.executemany(
            """
            INSERT INTO entry_remote_media (entry_id, url, role, position, alt)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (entry_id, url, role) DO UPDATE SET position = $4, alt = $5
            """,
            [(entry_id, w.url, w.role, w.position, w.alt) for w in wanted],
        )
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM entry_remote_media"
            " WHERE entry_id = $1 AND status = 'pending')",
            entry_id,
        )
    )


async def list_remote_media(
    conn: asyncpg.Connection | asyncpg.Pool, entry_id: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        """
        SELECT url, role, position, alt, status, media_id, attempts, error
        FROM entry_remote_media WHERE entry_id = $1 ORDER BY role, position, url
        """,
        entry_id,
    )
