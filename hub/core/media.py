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
"""

from __future__ import annotations

import asyncio
import html
import os
import secrets
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

import pyvips

from hub.core.errors import Invalid, TooLarge
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
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_HEIF_BRANDS = {b"mif1", b"msf1", b"mif2"}
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


def sniff_type(head: bytes) -> str | None:
    """The content type from magic bytes alone; names and declared types are never trusted."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        return _sniff_ftyp(head)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith(b"BM"):
        return "image/bmp"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    text = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<?xml", b"<svg", b"<!doctype svg")) and b"<svg" in text:
        return "image/svg+xml"
    return None


def _sniff_ftyp(head: bytes) -> str | None:
    size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    brands = {major} | {head[i : i + 4] for i in range(16, min(size, len(head), 64) - 3, 4)}
    if major in (b"avif", b"avis"):
        return "image/avif"
    if major in _HEIC_BRANDS:
        return "image/heic"
    if major in _HEIF_BRANDS:
        if brands & {b"avif", b"avis"}:
            return "image/avif"
        return "image/heic" if brands & _HEIC_BRANDS else "image/heif"
    if major == b"qt  ":
        return "video/quicktime"
    if major in (b"M4A ", b"M4B "):
        return "audio/mp4"
    return "video/mp4"


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
        image = pyvips.Image.new_from_buffer(data, "", access="sequential")
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
) -> ProcessedImage:
    """Probe, then make a metadata-free sRGB WebP: longest side <= max_side (never upscaled),
    or an exactly avatar_size square centre crop. Animated GIF/WebP stays animated, except
    avatars, which use the first frame. EXIF orientation is applied by `thumbnail`."""
    if purpose not in ("article", "cover", "avatar"):
        raise ValueError(f"unknown image purpose {purpose!r}")
    info = probe(data, max_pixels=max_pixels, max_frames=max_frames)
    animated = info.frames > 1 and purpose != "avatar"
    options = "fail_on=truncated" + (",n=-1" if animated else "")
    # An embedded profile is converted to sRGB by `thumbnail`; without one the pixels already
    # are sRGB (or another interpretation, CMYK say, that `colourspace` converts below), and
    # the colour-managed path would only cost time.
    colour = {"export_profile": "srgb"} if info.has_profile else {}
    try:
        if purpose == "avatar":
            image = pyvips.Image.thumbnail_buffer(
                data, avatar_size, height=avatar_size, size="both", crop="centre",
                option_string=options, **colour,
            )  # fmt: skip
        else:
            image = pyvips.Image.thumbnail_buffer(
                data, max_side, height=max_side, size="down",
                option_string=options, **colour,
            )  # fmt: skip
        if image.interpretation != "srgb":
            image = image.colourspace("srgb")
        if image.format != "uchar":
            image = image.cast("uchar")
        frame_height = image.get("page-height") if animated else image.height
        out = image.webpsave_buffer(Q=quality, smart_subsample=True, **_KEEP_NONE)
    except pyvips.Error as exc:
        message = str(exc).lower()
        if info.content_type in ("image/heic", "image/heif") and "decod" in message:
            raise _unsupported() from exc  # libheif built without an HEVC decoder
        raise _broken() from exc
    return ProcessedImage(
        data=out, width=image.width, height=int(frame_height), frames=info.frames if animated else 1
    )


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
) -> ProcessedImage:
    """`process_image` in a worker thread (libvips releases the GIL), off the event loop."""
    return await asyncio.to_thread(
        process_image, data, purpose=purpose, max_side=max_side, avatar_size=avatar_size,
        quality=quality, max_pixels=max_pixels, max_frames=max_frames,
    )  # fmt: skip


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
