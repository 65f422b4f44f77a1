"""The one image maker of the tests: real images encoded by pyvips (no binary fixtures)."""

from __future__ import annotations

from collections.abc import Sequence

import pyvips


def gradient(width: int, height: int) -> pyvips.Image:
    """A non-flat sRGB image (a gradient), so encoders have something to encode."""
    xyz = pyvips.Image.xyz(width, height)
    red = xyz[0] * 255 / max(1, width - 1)
    green = xyz[1] * 255 / max(1, height - 1)
    return red.bandjoin([green, red * 0 + 90]).cast("uchar").copy(interpretation="srgb")


def jpeg(width: int = 64, height: int = 48, *, orientation: int | None = None) -> bytes:
    """A gradient JPEG; with `orientation`, tagged with it and with a personal EXIF field."""
    image = gradient(width, height).copy()
    if orientation is not None:
        image.set_type(pyvips.GValue.gint_type, "orientation", orientation)
        image.set_type(pyvips.GValue.gstr_type, "exif-ifd0-Artist", "Secret Person")
    return image.jpegsave_buffer(Q=85)


def png_alpha(width: int = 64, height: int = 64) -> bytes:
    return gradient(width, height).bandjoin(128).pngsave_buffer()


def animated_gif(width: int = 40, height: int = 30, frames: int = 3) -> bytes:
    pages = [
        (pyvips.Image.black(width, height, bands=3) + i * 70).cast("uchar") for i in range(frames)
    ]
    strip = pyvips.Image.arrayjoin(pages, across=1).copy()
    strip.set_type(pyvips.GValue.gint_type, "page-height", height)
    strip.set_type(pyvips.GValue.array_int_type, "delay", [100] * frames)
    strip.set_type(pyvips.GValue.gint_type, "loop", 0)
    return strip.gifsave_buffer()


def huge_jpeg(width: int = 6000, height: int = 5000) -> bytes:
    """30 MP, but small on disk (flat colour)."""
    return (pyvips.Image.black(width, height, bands=3) + 120).cast("uchar").jpegsave_buffer(Q=50)


def flat(
    kind: str = "jpeg", width: int = 16, height: int = 12, colour: Sequence[int] = (40, 120, 200)
) -> bytes:
    """A one-colour image encoded as `kind` (jpeg, png, gif or webp)."""
    picture = pyvips.Image.black(width, height, bands=3).linear([1, 1, 1], list(colour))
    picture = picture.cast("uchar")
    return {
        "jpeg": picture.jpegsave_buffer,
        "png": picture.pngsave_buffer,
        "gif": picture.gifsave_buffer,
        "webp": picture.webpsave_buffer,
    }[kind]()
