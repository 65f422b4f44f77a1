"""Author photos of received mentions (webmention-site-feeds §1.5, R-W9): fetched through the
guarded client (5 s, 2 MiB, images only), cropped to a 96x96 WebP by the media pipeline and
stored under the media directory as `webmentions/{name}.webp`; never hotlinked. A photo that
cannot be fetched or decoded is simply dropped (no photo)."""

from __future__ import annotations

import asyncio
import logging

from hub.core.errors import DomainError
from hub.core.media import pipeline as media
from hub.core.resources import Resources

log = logging.getLogger("hub.webmentions")

SIZE = 96
SECONDS = 5.0
MAX_BYTES = 2 * 1024 * 1024
ACCEPT = "image/webp, image/png, image/jpeg, image/gif, image/avif;q=0.9, image/*;q=0.5"
FOLDER = "webmentions"


async def rehost_photo(
    resources: Resources, url: str | None, *, current_url: str | None, current_path: str | None
) -> str | None:
    """The media-relative path of `url`'s 96x96 WebP copy, or None. An unchanged photo keeps
    its stored copy without a fetch."""
    if url is None:
        return None
    if url == current_url and current_path:
        return current_path
    settings = resources.settings
    try:
        result = await resources.fetcher.fetch(
            url,
            headers={"Accept": ACCEPT},
            max_bytes=min(MAX_BYTES, settings.fetch_max_bytes),
            timeout=min(SECONDS, settings.fetch_timeout_seconds),
        )
        if not 200 <= result.status < 300:
            raise DomainError(f"the photo answered {result.status}")
        if media.sniff_type(result.content[:64]) not in media.ACCEPTED_TYPES:
            raise DomainError("the photo is not an image")
        image = await media.process_image_async(
            result.content, purpose="avatar", avatar_size=SIZE,
            max_pixels=settings.max_image_pixels,
        )  # fmt: skip
        relative = f"{FOLDER}/{media.new_media_name('author')}"
        await asyncio.to_thread(media.write_atomically, settings.media_dir, relative, image.data)
    except DomainError as exc:  # FetchFailed, FetchRefused, TooLarge, Invalid are all here
        log.info("author photo %s dropped: %s", url, exc.message)
        return None
    return relative
