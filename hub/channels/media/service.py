"""E8 POST /channels/{c}/media: an image processed to WebP and stored for an article, a page,
or as the channel's cover or avatar (publicasta-v1-resolved §1.4 E8, §1.7).

`prepare` runs the image pipeline off the event loop before any transaction is open (the
header is probed first: type, 24 MP, frames); `store` records the `media` row, the page
attachment or the channel image in the caller's transaction and stages the file, which is
renamed into place only after the commit.

Layout under the media directory (the `projects` segment copies Publicasta's):
- `projects/{channel_id}/drafts/YYYY/MM/{name}`: article images without a page yet;
- `projects/{channel_id}/pages/{page_id}/{name}`: images of one article;
- `projects/{channel_id}/channel/{name}`: covers and avatars.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from hub.channels.access import channel_for
from hub.channels.media.uploads import UploadForm
from hub.channels.schemas import warning
from hub.core.auth import Principal
from hub.core.channels import Channel
from hub.core.entries.model import Entry, find_entry
from hub.core.errors import Invalid
from hub.core.media import pipeline, queries
from hub.core.resources import Resources
from hub.core.writes import Tx

MAX_SIDE = 1600
AVATAR_SIZE = 512
QUALITY = 82
MAX_FRAMES = 300
PIPELINE_PURPOSE = {"article": "article", "channel_cover": "cover", "channel_avatar": "avatar"}
CHANNEL_COLUMN = {"channel_cover": "cover_media_id", "channel_avatar": "avatar_media_id"}
MSG_UNREADABLE = "The image could not be read. Upload a JPEG, PNG, GIF or WebP file."
MSG_NO_PAGE = "No article with this slug exists in this channel."


@dataclass(frozen=True)
class Prepared:
    image: pipeline.ProcessedImage
    content_type: str  # of the upload, sniffed


async def check_target(
    resources: Resources, principal: Principal, channel_slug: str, form: UploadForm | None
) -> None:
    """The checks that need no image, made before the upload is read or processed: 404
    channel, 403 access, read-only, scope; 422 for an unknown page_slug."""
    async with resources.pool.acquire() as conn:
        channel = await channel_for(
            conn, resources.settings, principal, channel_slug, write_scope="media"
        )
        if form is not None and form.page_slug is not None:
            await _page(conn, channel, form.page_slug, lock=False)


async def prepare(resources: Resources, form: UploadForm) -> Prepared:
    """Probe and process the image in a worker thread; 422 `errors.image` when it is not an
    accepted image, is broken, or is over the pixel or frame limit."""
    assert form.image is not None
    settings = resources.settings
    try:
        image = await pipeline.process_image_async(
            form.image,
            purpose=PIPELINE_PURPOSE[form.purpose],
            max_side=MAX_SIDE,
            avatar_size=AVATAR_SIZE,
            quality=QUALITY,
            max_pixels=settings.max_image_pixels,
            max_frames=MAX_FRAMES,
            sharp_yuv=settings.media_sharp_yuv,
        )
    except Invalid as exc:
        if exc.code in ("unsupported_type", "broken_image"):
            raise Invalid.field("image", MSG_UNREADABLE, code=exc.code) from None
        raise
    return Prepared(image, pipeline.sniff_type(form.image[:1024]) or "application/octet-stream")


async def store(
    tx: Tx,
    resources: Resources,
    principal: Principal,
    channel_slug: str,
    form: UploadForm,
    prepared: Prepared,
) -> dict:
    """Record and stage the processed image; the Media document (DOC shape plus EXT)."""
    conn = tx.conn
    channel = await channel_for(
        conn, resources.settings, principal, channel_slug, write_scope="media"
    )
    entry = None
    if form.page_slug is not None:
        entry = await _page(conn, channel, form.page_slug, lock=True)
    name = pipeline.new_media_name(form.filename)
    root = f"projects/{channel.id}"
    if form.purpose != "article":
        folder, path = "channel", f"{root}/channel/{name}"
    elif entry is not None:
        folder, path = "pages", f"{root}/pages/{entry.id}/{name}"
    else:
        folder, path = "drafts", f"{root}/drafts/{datetime.now(UTC):%Y/%m}/{name}"
    image = prepared.image
    alt = form.alt or ""
    # covers and avatars: their PNG/JPEG rendition for feeds, beside the WebP
    feed = {"feed_path": pipeline.rendition_path(path, image.rendition_type)} if (
        image.rendition is not None and image.rendition_type is not None
    ) else {}  # fmt: skip
    assert form.image is not None and form.sha256 is not None
    row = await queries.insert_media(
        conn,
        public_id=secrets.token_urlsafe(16),
        author_id=principal.author_id,
        channel_id=channel.id,
        credential_id=principal.credential_id,
        purpose=form.purpose,
        folder=folder,
        content_type=prepared.content_type,
        bytes=len(form.image),
        sha256=form.sha256,
        path=path,
        processed_type=image.content_type,
        processed_bytes=len(image.data),
        width=image.width,
        height=image.height,
        frames=image.frames,
        alt=alt,
        **feed,
    )
    if entry is not None:
        await queries.attach_media(conn, entry.id, row["id"], alt)
    if form.purpose in CHANNEL_COLUMN:
        await queries.set_channel_image(conn, channel.id, CHANNEL_COLUMN[form.purpose], row["id"])
    if not tx.dry_run:
        await tx.files.write(path, image.data)
        if feed and image.rendition is not None:
            await tx.files.write(feed["feed_path"], image.rendition)
    return document(row, resources, form, _warnings(form))


def document(row, resources: Resources, form: UploadForm, warnings: list[dict]) -> dict:
    url = resources.urls.media_file(row["path"])
    alt = row["alt"]
    return {
        "id": row["id"],
        "url": url,
        "alt": alt,
        "width": row["width"],
        "height": row["height"],
        "markdown": pipeline.markdown_snippet(url, alt),
        "html": pipeline.html_snippet(url, alt, row["width"], row["height"]),
        "purpose": row["purpose"],
        "page_slug": form.page_slug,
        "content_type": row["processed_type"],
        "bytes": row["processed_bytes"],
        "warnings": warnings,
    }


def _warnings(form: UploadForm) -> list[dict]:
    out = list(form.warnings)
    if not form.alt:
        out.append(
            warning(
                "missing_alt",
                "No alt text was sent; describe the image in `alt` for readers who cannot see it.",
                "alt",
            )
        )
    return out


async def _page(conn, channel: Channel, slug: str, *, lock: bool) -> Entry:
    entry = await find_entry(conn, channel.id, slug, lock=lock)
    if entry is None or entry.row["deleted_at"] is not None:
        raise Invalid.field("page_slug", MSG_NO_PAGE)
    return entry
