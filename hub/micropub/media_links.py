"""The media an entry's properties name, made real (micropub-resolved.md §3.4, R-M19..R-M21).

`photo`, `video` and `audio` values and the images in the content are sorted into the blog's
own media (attached directly, no download: `…/micropub/media/{id}` and `/storage/…` on the base
host or the blog's custom domain) and remote media (copied by the background job
`fetch_entry_media`, staged in the caller's transaction; the source is never rewritten). A
URL on one of hub's hosts that is not one of the author's media is left alone (neither
attached nor fetched).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import asyncpg

from hub.core.entries import attachments
from hub.core.entries.attachments import Attachment, RemoteMedia
from hub.core.entries.remote_media import FETCH_JOB, fetch_job_id
from hub.core.errors import FetchRefused, Invalid
from hub.core.fetch import check_url, parse_url
from hub.core.markdown import html_image_urls, markdown_image_urls
from hub.core.media import queries as media_queries
from hub.core.queue import stage_job
from hub.core.urls import Urls, media_ref
from hub.micropub.mf2 import is_http_url
from hub.micropub.properties import EntryFields
from hub.micropub.service import Blog


def content_images(fields: EntryFields) -> list[str]:
    """Absolute http(s) image URLs the body names, in order, without duplicates."""
    if not fields.body_source:
        return []
    if fields.body_format == "html":
        found = html_image_urls(fields.body_source)
    else:
        found = markdown_image_urls(fields.body_source)
    return [u.strip() for u in found if is_http_url(u.strip())]


def check_remote_media(
    urls: Urls, blog: Blog, fields: EntryFields, *, allow_loopback: bool = False
) -> None:
    """Refuse `photo`, `video` and `audio` URLs hub would never fetch, before anything is
    stored: a literal private, loopback or link-local address (169.254.169.254, 10.0.0.1,
    [::ffff:127.0.0.1]) or a user name in the URL. The blog's own media URLs always pass;
    host names are judged by the guarded client once resolved, in the background."""
    for item in fields.attachments:
        if item.url is None or urls.is_own(item.url) or _host(item.url) == blog.custom_domain:
            continue
        try:
            check_url(parse_url(item.url), allow_loopback=allow_loopback)
        except FetchRefused as exc:
            reason = exc.message
            raise Invalid.field(
                item.kind, f"`{item.kind}` {item.url!r} cannot be fetched: {reason}"
            ) from None


async def link_media(
    conn: asyncpg.Connection,
    urls: Urls,
    blog: Blog,
    entry_id: int,
    fields: EntryFields,
    *,
    files: dict[int, int] | None = None,
    fresh: bool = False,
    images: list[str] | None = None,
) -> None:
    """Attach the entry's own media and register its remote media (staging the fetch when
    something waits). `files` maps a file part's index to the media row it was stored as;
    `fresh` says the entry was just created (so it has no media to forget yet); `images` are
    the body's `content_images` when the caller found them already (off the event loop)."""
    own: list[Attachment] = []
    remote: list[RemoteMedia] = []
    positions: dict[str, int] = {}

    async def place(url: str | None, media_id: int | None, role: str, alt: str | None) -> None:
        position = positions.get(role, 0)
        positions[role] = position + 1
        if media_id is None and url is not None:
            media_id, is_ours = await _own_media(conn, urls, blog, url)
            if media_id is None:
                if not is_ours:
                    remote.append(RemoteMedia(url, role, position, alt))
                return
        assert media_id is not None
        own.append(Attachment(media_id, role, position, alt))

    for item in fields.attachments:
        media_id = (files or {}).get(item.file.index) if item.file is not None else None
        await place(item.url, media_id, item.kind, item.alt or None)
    for url in content_images(fields) if images is None else images:
        await place(url, None, "inline", None)
    if fresh and not own and not remote:
        return
    await attachments.set_attachments(conn, entry_id, own)
    if await attachments.set_remote_media(conn, entry_id, remote):
        await stage_job(conn, FETCH_JOB, entry_id, job_id=fetch_job_id(entry_id))


async def _own_media(
    conn: asyncpg.Connection, urls: Urls, blog: Blog, url: str
) -> tuple[int | None, bool]:
    """(media id, whether the URL is on one of hub's hosts) for a media URL."""
    ref = media_ref(url, urls)
    on_our_host = urls.is_own(url) or (
        blog.custom_domain is not None and _host(url) == blog.custom_domain
    )
    if ref is None or not on_our_host:
        return None, on_our_host
    row = await media_queries.find_media(
        conn, blog.author_id, public_id=ref.public_id, path=ref.path
    )
    return (row["id"] if row is not None else None), True


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
