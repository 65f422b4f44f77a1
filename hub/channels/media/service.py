"""E8 POST /channels/{c}/media: an image processed to WebP and stored for an article, a page,
or as the channel's cover or avatar (publicasta-v1-resolved §1.4 E8, §1.7).

`prepare` runs the image pipeline off the event loop before any transaction is open (the
header is probed first: type, 24 MP, frames); `store` records the `media` row, the page
attachment or the channel image in the caller's transaction and stages the file, which is
renamed into place only after the commit. Both steps are `hub.core.media.images` (shared
with the dashboard's editor), which also says where the files go.
"""

from __future__ import annotations

from hub.channels.access import channel_for
from hub.channels.media.uploads import UploadForm
from hub.channels.schemas import warning
from hub.core.auth import Principal
from hub.core.channels import Channel
from hub.core.entries.model import Entry, find_entry
from hub.core.errors import Invalid
from hub.core.media import images, pipeline
from hub.core.resources import Resources
from hub.core.writes import Tx

MSG_NO_PAGE = "No article with this slug exists in this channel."
Prepared = images.PreparedImage


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
    return await images.prepare_image(
        resources.settings, form.image, purpose=form.purpose, sha256=form.sha256
    )


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
    row = await images.store_image(
        tx,
        prepared,
        author_id=principal.author_id,
        channel_id=channel.id,
        credential_id=principal.credential_id,
        purpose=form.purpose,
        filename=form.filename,
        alt=form.alt or "",
        entry_id=entry.id if entry is not None else None,
    )
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
