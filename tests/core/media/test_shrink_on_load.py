"""JPEG shrink-on-load in the image pipeline (issue 5's 24 MP time and memory targets): the
decode is DCT-scaled by the largest factor that still covers the target, and the result must
look exactly like the plain `thumbnail` path: same size, same orientation, same colours."""

from __future__ import annotations

import asyncio
import os

import pytest
import pyvips

from hub.core.errors import Invalid
from hub.core.media import pipeline as media
from hub.core.media.pipeline import ImageInfo, jpeg_shrink, process_image, process_image_async

RED, BLUE = [230, 20, 20], [20, 40, 200]


def marked_jpeg(width: int, height: int, orientation: int = 1, **save) -> bytes:
    """A blue image whose stored top-left corner holds a red square (a fifth of the short
    side), tagged with an EXIF orientation."""
    side = min(width, height) // 5
    image = pyvips.Image.black(width, height).new_from_image(BLUE).cast("uchar")
    image = image.draw_rect(RED, 0, 0, side, side, fill=True).copy(interpretation="srgb")
    image.set_type(pyvips.GValue.gint_type, "orientation", orientation)
    return image.jpegsave_buffer(Q=90, **save)


def corner_colours(data: bytes) -> dict[str, str]:
    """'red' or 'blue' for each corner of a decoded image (sampled 3 px inside)."""
    image = pyvips.Image.new_from_buffer(data, "")
    w, h = image.width - 4, image.height - 4
    spots = {"top-left": (3, 3), "top-right": (w, 3), "bottom-left": (3, h), "bottom-right": (w, h)}
    return {
        name: "red" if image.getpoint(x, y)[0] > 128 else "blue" for name, (x, y) in spots.items()
    }


def info(width: int, height: int, content_type: str = "image/jpeg") -> ImageInfo:
    return ImageInfo(content_type, width, height, frames=1, has_alpha=False, orientation=1)


@pytest.mark.parametrize(
    ("size", "purpose", "factor"),
    [
        ((6000, 4000), "article", 2),  # 3000 >= 1600; 1500 would be an upscale
        ((4000, 6000), "article", 2),
        ((6000, 4000), "avatar", 4),  # the shorter side: 1000 >= 512; 500 is not
        ((12800, 1000), "article", 8),
        ((3200, 1800), "article", 2),  # exactly 1600 after the shrink
        ((3199, 1800), "article", 1),
        ((5000, 1024), "avatar", 2),
        ((5000, 1023), "avatar", 1),
        ((800, 600), "article", 1),
    ],
)
def test_shrink_factor_keeps_the_decode_at_least_as_large_as_the_target(size, purpose, factor):
    assert jpeg_shrink(info(*size), purpose=purpose, max_side=1600, avatar_size=512) == factor


def test_only_jpeg_is_shrunk_on_load():
    for kind in ("image/png", "image/webp", "image/gif", "image/avif"):
        assert (
            jpeg_shrink(info(8000, 6000, kind), purpose="article", max_side=1600, avatar_size=512)
            == 1
        )


# Where the stored top-left corner ends up once the EXIF orientation is applied.
ORIENTED_CORNER = {
    1: "top-left", 2: "top-right", 3: "bottom-right", 4: "bottom-left",
    5: "top-left", 6: "top-right", 7: "bottom-right", 8: "bottom-left",
}  # fmt: skip


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_is_applied_on_the_shrunk_path(orientation):
    data = marked_jpeg(1200, 800, orientation)  # 1200 // 4 >= 300: a 4x shrink on load
    assert jpeg_shrink(
        media.probe(data, max_pixels=10**8), purpose="article", max_side=300, avatar_size=512
    ) == 4  # fmt: skip
    out = process_image(data, max_side=300)
    rotated = orientation in (5, 6, 7, 8)
    assert (out.width, out.height) == ((200, 300) if rotated else (300, 200))
    colours = corner_colours(out.data)
    assert [c for c, colour in colours.items() if colour == "red"] == [ORIENTED_CORNER[orientation]]


def test_shrunk_result_matches_the_full_decode():
    """Same size as libvips' own thumbnail of the full decode, and the same picture."""
    gradient = pyvips.Image.xyz(3201, 2000)
    image = (gradient[0] * 255 / 3200).bandjoin([gradient[1] * 255 / 1999, gradient[0] * 0 + 90])
    data = image.cast("uchar").copy(interpretation="srgb").jpegsave_buffer(Q=90)
    reference = pyvips.Image.thumbnail_buffer(data, 1600, height=1600, size="down")
    out = process_image(data)
    assert (out.width, out.height) == (reference.width, reference.height) == (1600, 1000)
    decoded = pyvips.Image.new_from_buffer(out.data, "")
    assert (decoded - reference).abs().avg() < 3  # WebP at Q=82 against the plain thumbnail


def test_thin_jpeg_is_shrunk_to_exactly_the_target_never_below():
    out = process_image(marked_jpeg(3200, 100))
    assert (out.width, out.height) == (1600, 50)
    out = process_image(marked_jpeg(3000, 100))  # no shrink possible: 1500 would upscale
    assert (out.width, out.height) == (1600, 53)


@pytest.mark.parametrize(("size", "orientation"), [((2100, 1030), 1), ((2600, 1100), 6)])
def test_avatar_from_a_shrunk_jpeg_is_exactly_512_and_centre_cropped(size, orientation):
    out = process_image(marked_jpeg(*size, orientation), purpose="avatar")
    assert (out.width, out.height) == (512, 512)
    decoded = pyvips.Image.new_from_buffer(out.data, "")
    assert (decoded.width, decoded.height) == (512, 512)
    assert set(corner_colours(out.data).values()) == {"blue"}  # the marker corner is cut off


def test_icc_profile_is_honoured_on_the_shrunk_path():
    plain = pyvips.Image.black(800, 800).new_from_image([200, 30, 30]).cast("uchar")
    p3 = plain.copy(interpretation="srgb").icc_transform("p3", input_profile="srgb")
    data = p3.jpegsave_buffer(Q=95)
    assert "icc-profile-data" in pyvips.Image.new_from_buffer(data, "").get_fields()
    out = pyvips.Image.new_from_buffer(process_image(data, max_side=200).data, "")
    assert (out.width, out.height) == (200, 200)
    assert "icc-profile-data" not in out.get_fields()
    red, green, blue = out.getpoint(100, 100)[:3]
    assert abs(red - 200) <= 8 and abs(green - 30) <= 8 and abs(blue - 30) <= 8


@pytest.mark.parametrize("purpose", ["article", "avatar"])
def test_truncated_jpeg_on_the_shrunk_path_is_a_broken_image(purpose):
    data = marked_jpeg(2400, 1600)
    with pytest.raises(Invalid) as exc:
        process_image(data[: len(data) // 2], purpose=purpose)
    assert exc.value.code == "broken_image" and "image" in exc.value.fields


def test_progressive_jpeg_is_shrunk_too():
    out = process_image(marked_jpeg(3300, 2200, 6, interlace=True))
    assert (out.width, out.height) == (1067, 1600)
    assert corner_colours(out.data)["top-right"] == "red"


def test_sharp_yuv_is_a_choice_of_the_caller_and_off_by_default():
    data = marked_jpeg(640, 480)
    default, sharp = process_image(data), process_image(data, sharp_yuv=True)
    assert default.data == process_image(data, sharp_yuv=False).data
    assert sharp.data != default.data
    assert (sharp.width, sharp.height) == (default.width, default.height) == (640, 480)


async def test_conversions_queue_on_their_own_executor_not_the_default_one():
    """More uploads at once than the default executor has threads wait for the media workers;
    other thread work (file writes in an open transaction) still runs at once."""
    data = marked_jpeg(1600, 1000)
    count = (os.cpu_count() or 1) + 5  # asyncio's default executor has min(32, CPUs + 4)
    order: list[str] = []

    async def convert() -> None:
        await process_image_async(data)
        order.append("image")

    async def other_work() -> None:
        await asyncio.to_thread(lambda: None)  # submitted after every conversion
        order.append("other")

    await asyncio.gather(*(convert() for _ in range(count)), other_work())
    assert order[0] == "other" and order.count("image") == count
    assert 1 <= media.WORKERS <= 4
