"""The one image pipeline: sniff, probe the header, resize to WebP, store files atomically.

Both the Micropub media endpoint and the v1 media endpoint use it; each maps the domain
errors (`Invalid` codes `unsupported_type`, `broken_image`, `too_many_pixels`,
`too_many_frames`; `TooLarge`) to its own status codes. No pyvips exception escapes.

Loader hardening (libvips 8.18, pyvips 3.2), applied once at import:
- `pyvips.block_untrusted_set(True)`: the runtime form of `VIPS_BLOCK_UNTRUSTED` (the
  environment variable is only read when libvips starts, i.e. at `import pyvips`).
- `operation_block_set("VipsForeignLoad", True)` blocks every loader; then only
  `VipsForeignLoadJpeg`, `VipsForeignLoadPng`, `VipsForeignLoadNsgif` (libvips has no
  `VipsForeignLoadGif`), `VipsForeignLoadWebp` and `VipsForeignLoadHeif` (AVIF, HEIC) are
  unblocked, with their File/Buffer/Source subclasses. SVG, TIFF, Ultra HDR, CSV, matrix,
  raw and vips loaders stay blocked; a blocked loader is skipped when sniffing, so Ultra HDR
  JPEGs still load through the plain JPEG loader.
- Metadata is removed with `keep="none"` (libvips >= 8.15; `strip=True` before that).

Time and memory (issue 5: a 24 MP JPEG in <= 1.15x the vips CLI, <= 150 MB per upload): the
upload is read in place through `pyvips.Source.new_from_memory` (`new_from_buffer` copies it),
a JPEG is DCT-scaled on load (`jpeg_shrink`), the operation cache is off, and conversions run
on one bounded executor.
"""

from __future__ import annotations

import asyncio
import ctypes
import functools
import html
import os
import secrets
import string
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

import pyvips

from hub.core.errors import Invalid, TooLarge
from hub.core.media.types import sniff_type
from hub.core.slugs import slugify_text

ALLOWED_LOADERS = (
    "VipsForeignLoadJpeg",
    "VipsForeignLoadPng",
    "VipsForeignLoadNsgif",
    "VipsForeignLoadWebp",
    "VipsForeignLoadHeif",
)
pyvips.block_untrusted_set(True)
pyvips.operation_block_set("VipsForeignLoad", True)
for _loader in ALLOWED_LOADERS:
    pyvips.operation_block_set(_loader, False)
pyvips.cache_set_max(0)  # every upload is new: cached operations would only hold its memory

# Image conversions run here, at most WORKERS at a time. Each also runs libvips' own threads
# (one per CPU), so half the CPUs leaves the others to the event loop and the database; at
# most 4 bounds the memory of many uploads at once (about 40 MB each for 24 MP).
WORKERS = max(1, min(4, (os.cpu_count() or 2) // 2))
_EXECUTOR = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="hub-media")
try:
    _LIBC = ctypes.CDLL(None)
except OSError:  # pragma: no cover - no C library to load
    _LIBC = None
_MALLOC_TRIM = getattr(_LIBC, "malloc_trim", None)  # glibc only
_MALLOPT = getattr(_LIBC, "mallopt", None)
# glibc's allocator, for a process that holds an upload's bytes next to libvips' buffers:
# - blocks from 256 KiB up always come from mmap and go back at free(). By default the
#   threshold grows to the largest block freed, so that after one upload its 6 MB bodies and
#   copies come from the heap and stay resident until a trim;
# - at most 2 arenas per CPU instead of 8: each thread that allocates (libvips' workers, the
#   media executor, `to_thread`) otherwise gets an arena of its own, and memory freed in one
#   is not reused by another.
# Together 7-10 MiB less at the peak of one 24 MP upload (bench_v1_media.py), no slower.
M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8
if _MALLOPT is not None and _MALLOC_TRIM is not None:  # glibc
    _MALLOPT(M_MMAP_THRESHOLD, 256 * 1024)
    _MALLOPT(M_ARENA_MAX, 2 * (os.cpu_count() or 1))

_KEEP_NONE = {"keep": "none"} if pyvips.at_least_libvips(8, 15) else {"strip": True}

# Accepted content type -> prefix of the libvips loader that must read it.
ACCEPTED_TYPES = {
    "image/jpeg": "jpegload",
    "image/png": "pngload",
    "image/gif": "gifload",
    "image/webp": "webpload",
    "image/avif": "heifload",
    "image/heic": "heifload",
    "image/heif": "heifload",
}
_ANIMATABLE = ("image/gif", "image/webp")
_RANDOM_ALPHABET = string.ascii_lowercase + string.digits

Purpose = Literal["article", "cover", "avatar"]


@dataclass(frozen=True)
class ImageInfo:
    content_type: str
    width: int  # as stored, per frame; see display_size for the EXIF-rotated size
    height: int
    frames: int
    has_alpha: bool
    orientation: int  # EXIF orientation 1..8, 1 when absent
    has_profile: bool = False  # an embedded ICC profile, to be converted to sRGB

    @property
    def display_size(self) -> tuple[int, int]:
        rotated = self.orientation in (5, 6, 7, 8)
        return (self.height, self.width) if rotated else (self.width, self.height)


@dataclass(frozen=True)
class ProcessedImage:
    data: bytes
    width: int
    height: int  # per frame
    frames: int
    content_type: str = "image/webp"
    # covers and avatars: a PNG (with alpha) or JPEG (without) of the first frame, for feeds
    rendition: bytes | None = None
    rendition_type: str | None = None


RENDITION_EXT = {"image/png": "png", "image/jpeg": "jpg"}


def check_size(nbytes: int, limit: int) -> None:
    """Refuse a file over `limit` bytes (checked on Content-Length and while streaming)."""
    if nbytes > limit:
        mib = limit / (1024 * 1024)
        shown = f"{mib:g} MiB" if mib >= 1 and mib == round(mib, 1) else f"{limit} bytes"
        raise TooLarge(f"The file may not be larger than {shown}.", limit=limit)


def _unsupported() -> Invalid:
    return Invalid.field(
        "image",
        "The file must be a JPEG, PNG, GIF, WebP, AVIF or HEIC image.",
        code="unsupported_type",
    )


def _broken(detail: str = "The image could not be read.") -> Invalid:
    return Invalid.field("image", detail, code="broken_image")


def probe(data: bytes, *, max_pixels: int, max_frames: int = 300) -> ImageInfo:
    """Read only the header and enforce type, pixel and frame limits before any decoding."""
    if not data:
        raise _broken("The file is empty.")
    content_type = sniff_type(data[:1024])
    if content_type not in ACCEPTED_TYPES:
        raise _unsupported()
    try:
        image = pyvips.Image.new_from_source(_source(data), "", access="sequential")
        loader = image.get("vips-loader")
        width, height = image.width, image.height  # n=1: the first frame only
        pages = image.get("n-pages") if image.get_typeof("n-pages") else 1
        orientation = image.get("orientation") if image.get_typeof("orientation") else 1
        has_alpha = bool(image.hasalpha())
        has_profile = bool(image.get_typeof("icc-profile-data"))
    except pyvips.Error as exc:
        raise _broken() from exc
    if not str(loader).startswith(ACCEPTED_TYPES[content_type]):
        raise _unsupported()
    if width < 1 or height < 1:
        raise _broken()
    if width * height > max_pixels:
        raise Invalid.field(
            "image",
            f"The image may not be larger than {max_pixels / 1_000_000:g} megapixels.",
            code="too_many_pixels",
        )
    frames = max(1, int(pages)) if content_type in _ANIMATABLE else 1
    if frames > max_frames:
        raise Invalid.field(
            "image",
            f"The image may not have more than {max_frames} frames.",
            code="too_many_frames",
        )
    return ImageInfo(
        content_type=content_type,
        width=width,
        height=height,
        frames=frames,
        has_alpha=has_alpha,
        orientation=int(orientation) if 1 <= int(orientation) <= 8 else 1,
        has_profile=has_profile,
    )


def process_image(
    data: bytes,
    *,
    purpose: Purpose = "article",
    max_side: int = 1600,
    avatar_size: int = 512,
    quality: int = 82,
    max_pixels: int = 24_000_000,
    max_frames: int = 300,
    sharp_yuv: bool = False,
) -> ProcessedImage:
    """Probe, then make a metadata-free sRGB WebP: longest side <= max_side (never upscaled),
    or an exactly avatar_size square centre crop. Animated GIF/WebP stays animated, except
    avatars, which use the first frame. EXIF orientation is applied by `thumbnail`.
    `sharp_yuv`: libwebp's sharp RGB->YUV conversion (`smart_subsample`), about +70% encode
    time and +15% bytes for crisper colour edges."""
    if purpose not in ("article", "cover", "avatar"):
        raise ValueError(f"unknown image purpose {purpose!r}")
    info = probe(data, max_pixels=max_pixels, max_frames=max_frames)
    animated = info.frames > 1 and purpose != "avatar"
    options = "fail_on=truncated" + (",n=-1" if animated else "")
    # An embedded profile is converted to sRGB by `thumbnail`; without one the pixels already
    # are sRGB (or another interpretation, CMYK say, that `colourspace` converts below), and
    # the colour-managed path would only cost time.
    colour = {"export_profile": "srgb"} if info.has_profile else {}
    if purpose == "avatar":
        size = {"height": avatar_size, "size": "both", "crop": "centre", **colour}
    else:
        size = {"height": max_side, "size": "down", **colour}
    width = avatar_size if purpose == "avatar" else max_side
    try:
        shrink = jpeg_shrink(info, purpose=purpose, max_side=max_side, avatar_size=avatar_size)
        if shrink > 1:
            loaded = pyvips.Image.new_from_source(
                _source(data), f"shrink={shrink},{options}", access="sequential"
            )
            image = loaded.thumbnail_image(width, **size)
        else:
            image = pyvips.Image.thumbnail_source(
                _source(data), width, option_string=options, **size
            )
        if image.interpretation != "srgb":
            image = image.colourspace("srgb")
        if image.format != "uchar":
            image = image.cast("uchar")
        frame_height = image.get("page-height") if animated else image.height
        rendition: tuple[bytes, str] | tuple[None, None] = (None, None)
        if purpose != "article":  # a second save needs the pixels again: keep them (<= 10 MB)
            image = image.copy_memory()
            rendition = _rendition(image, int(frame_height), quality)
        out = image.webpsave_buffer(Q=quality, smart_subsample=sharp_yuv, **_KEEP_NONE)
    except pyvips.Error as exc:
        message = str(exc).lower()
        if info.content_type in ("image/heic", "image/heif") and "decod" in message:
            raise _unsupported() from exc  # libheif built without an HEVC decoder
        raise _broken() from exc
    return ProcessedImage(
        data=out, width=image.width, height=int(frame_height),
        frames=info.frames if animated else 1, rendition=rendition[0], rendition_type=rendition[1],
    )  # fmt: skip


def _rendition(image: pyvips.Image, frame_height: int, quality: int) -> tuple[bytes, str]:
    """The first frame of a processed image as PNG when it has alpha, else as JPEG: the types
    every feed reader shows (RSS 2.0 allows only GIF, JPEG and PNG)."""
    if frame_height < image.height:
        image = image.crop(0, 0, image.width, frame_height)
    if image.hasalpha():
        return image.pngsave_buffer(compression=9, **_KEEP_NONE), "image/png"
    return image.jpegsave_buffer(Q=quality, optimize_coding=True, **_KEEP_NONE), "image/jpeg"


def feed_rendition(processed: bytes, *, quality: int = 82) -> tuple[bytes, str]:
    """The feed rendition (`_rendition`) of an image this pipeline already processed (a
    stored WebP, or a stored original of an accepted type), for covers and avatars stored
    before renditions existed. `broken_image` when it cannot be read."""
    try:
        image = pyvips.Image.new_from_buffer(processed, "", access="sequential")
        if image.interpretation != "srgb":
            image = image.colourspace("srgb")
        if image.format != "uchar":
            image = image.cast("uchar")
        return _rendition(image.copy_memory(), image.height, quality)
    except pyvips.Error as exc:
        raise _broken() from exc


async def feed_rendition_async(processed: bytes, *, quality: int = 82) -> tuple[bytes, str]:
    """`feed_rendition` on the media executor."""
    work = functools.partial(feed_rendition, processed, quality=quality)
    return await asyncio.get_running_loop().run_in_executor(_EXECUTOR, work)


def rendition_path(path: str, content_type: str) -> str:
    """Where the rendition of the processed file at `path` lives: beside it, same name."""
    return str(PurePosixPath(path).with_suffix("." + RENDITION_EXT[content_type]))


def _source(data: bytes) -> pyvips.Source:
    """A libvips source reading `data` in place (`new_from_buffer` would copy it first)."""
    return pyvips.Source.new_from_memory(data)


def jpeg_shrink(info: ImageInfo, *, purpose: Purpose, max_side: int, avatar_size: int) -> int:
    """The JPEG shrink-on-load factor: the largest of 8, 4, 2 whose DCT-scaled decode still
    covers the target (the longest side >= max_side; for the avatar crop the shortest side
    >= avatar_size), else 1. libvips' `thumbnail` only shrinks on load when it can keep a 2x
    margin, so 6000x4000 -> 1600 would decode all 24 MP; Pillow's `draft` and sharp choose
    like this. Rotation swaps the sides, so it does not change the factor."""
    if info.content_type != "image/jpeg":
        return 1
    side, target = (
        (min(info.width, info.height), avatar_size)
        if purpose == "avatar"
        else (max(info.width, info.height), max_side)
    )
    return next((f for f in (8, 4, 2) if side // f >= target), 1)


async def probe_async(data: bytes, *, max_pixels: int, max_frames: int = 300) -> ImageInfo:
    return await asyncio.to_thread(probe, data, max_pixels=max_pixels, max_frames=max_frames)


async def process_image_async(
    data: bytes,
    *,
    purpose: Purpose = "article",
    max_side: int = 1600,
    avatar_size: int = 512,
    quality: int = 82,
    max_pixels: int = 24_000_000,
    max_frames: int = 300,
    sharp_yuv: bool = False,
) -> ProcessedImage:
    """`process_image` on the media executor (libvips releases the GIL), off the event loop.
    The executor is bounded so that many uploads at once queue here instead of decoding side
    by side (CPU and memory), and leave the default executor free for the file writes that
    run while a database transaction is open."""
    work = functools.partial(
        _convert, data, purpose=purpose, max_side=max_side, avatar_size=avatar_size,
        quality=quality, max_pixels=max_pixels, max_frames=max_frames, sharp_yuv=sharp_yuv,
    )  # fmt: skip
    return await asyncio.get_running_loop().run_in_executor(_EXECUTOR, work)


def _convert(data: bytes, **options) -> ProcessedImage:
    """`process_image`, then the freed memory goes back to the system: glibc keeps it in the
    arenas of the worker and libvips threads otherwise (RSS +60 MB after a few 24 MP
    uploads, instead of +15 MB; about 3 ms)."""
    try:
        return process_image(data, **options)
    finally:
        if _MALLOC_TRIM is not None:
            _MALLOC_TRIM(0)


def new_media_name(original_filename: str | None, ext: str = "webp") -> str:
    """`{slug of the file stem}-{6 random [a-z0-9]}.{ext}`; the suffix makes URLs unguessable."""
    stem = PurePosixPath((original_filename or "").replace("\\", "/")).stem
    slug = slugify_text(stem, max_length=80) or "image"
    suffix = "".join(secrets.choice(_RANDOM_ALPHABET) for _ in range(6))
    return f"{slug}-{suffix}.{ext}"


def safe_path(root: Path, relative: str) -> Path:
    """`root/relative`, refusing absolute paths, `..` and anything resolving outside root."""
    rel = PurePosixPath(relative.replace("\\", "/"))
    if not relative or "\x00" in relative or rel.is_absolute() or ".." in rel.parts:
        raise Invalid.field("path", "The path must stay inside the media folder.", code="bad_path")
    base = Path(root).resolve()
    target = (base / rel).resolve()
    if target == base or not target.is_relative_to(base):
        raise Invalid.field("path", "The path must stay inside the media folder.", code="bad_path")
    return target


def write_atomically(root: Path, relative: str, data: bytes) -> Path:
    """Write to a temporary file beside the target, then `os.replace` it into place."""
    target = safe_path(root, relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def delete_file(root: Path, relative: str) -> bool:
    """Remove a stored file; True if it existed. Deleting a missing file is not an error."""
    target = safe_path(root, relative)
    try:
        target.unlink()
    except FileNotFoundError:
        return False
    return True


def markdown_snippet(url: str, alt: str) -> str:
    escaped = alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"![{escaped}]({url})"


def html_snippet(url: str, alt: str, width: int, height: int) -> str:
    return (
        f'<figure class="image-embed"><img src="{html.escape(url)}" alt="{html.escape(alt)}" '
        f'width="{width}" height="{height}" loading="lazy" decoding="async"></figure>'
    )
