"""The image pipeline, on real images generated with pyvips (no binary fixtures)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
import pyvips

from hub.core.errors import Invalid, TooLarge
from hub.core.media import pipeline as media
from hub.core.media.pipeline import (
    check_size,
    delete_file,
    html_snippet,
    markdown_snippet,
    new_media_name,
    probe,
    probe_async,
    process_image,
    process_image_async,
    sniff_type,
    write_atomically,
)
from tests.images import animated_gif, gradient, jpeg

MAX_PIXELS = 24_000_000


def load(data: bytes, **kwargs) -> pyvips.Image:
    return pyvips.Image.new_from_buffer(data, "", **kwargs)


def assert_invalid(exc: pytest.ExceptionInfo[Invalid], code: str) -> None:
    assert exc.value.code == code
    assert "image" in exc.value.fields


# --- resizing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((4000, 3000), (1600, 1200)),
        ((3000, 2000), (1600, 1067)),
        ((2000, 3000), (1067, 1600)),
        ((1600, 900), (1600, 900)),
    ],
)
def test_article_images_are_downscaled_to_1600_rounding_half_up(size, expected):
    out = process_image(jpeg(*size))
    assert (out.width, out.height) == expected
    assert out.content_type == "image/webp" and out.frames == 1
    assert out.data[:4] == b"RIFF" and out.data[8:12] == b"WEBP"
    decoded = load(out.data)
    assert (decoded.width, decoded.height) == expected
    assert decoded.get("vips-loader") == "webpload_buffer"


def test_small_images_are_never_upscaled():
    out = process_image(gradient(800, 600).pngsave_buffer(), purpose="cover")
    assert (out.width, out.height) == (800, 600)


def test_avatar_is_exactly_512_square_even_when_upscaled():
    out = process_image(jpeg(300, 200), purpose="avatar")
    assert (out.width, out.height) == (512, 512)
    decoded = load(out.data)
    assert (decoded.width, decoded.height) == (512, 512)


def test_unknown_purpose_is_a_programming_error():
    with pytest.raises(ValueError):
        process_image(jpeg(10, 10), purpose="channel_cover")  # type: ignore[arg-type]


def test_avatar_of_large_image_is_centre_cropped_square():
    out = process_image(jpeg(2000, 1000), purpose="avatar", avatar_size=256)
    assert (out.width, out.height) == (256, 256)


# --- orientation, metadata, colour -------------------------------------------------------------


def exif_jpeg(width: int, height: int, orientation: int) -> bytes:
    image = gradient(width, height).copy()
    image.set_type(pyvips.GValue.gint_type, "orientation", orientation)
    image.set_type(pyvips.GValue.gstr_type, "exif-ifd0-Artist", "Secret Person")
    image.set_type(pyvips.GValue.gstr_type, "exif-ifd3-GPSLatitudeRef", "N")
    image.set_type(pyvips.GValue.gstr_type, "exif-ifd3-GPSLatitude", "52/1 22/1 0/1")
    return image.jpegsave_buffer()


def test_exif_orientation_is_applied_before_resizing():
    data = exif_jpeg(400, 200, orientation=6)
    source = load(data)
    assert source.get("orientation") == 6  # the fixture really carries it
    assert "exif-ifd3-GPSLatitude" in source.get_fields()
    info = probe(data, max_pixels=MAX_PIXELS)
    assert info.orientation == 6 and (info.width, info.height) == (400, 200)
    assert info.display_size == (200, 400)
    out = process_image(data)
    assert (out.width, out.height) == (200, 400)


def test_all_metadata_is_stripped_from_the_output():
    out = process_image(exif_jpeg(400, 200, orientation=6))
    fields = load(out.data).get_fields()
    assert "exif-data" not in fields
    assert not [f for f in fields if f.startswith(("exif-", "xmp-", "iptc-", "icc-"))]
    assert "orientation" not in fields
    assert b"Secret Person" not in out.data and b"Exif" not in out.data


def test_icc_profile_is_converted_to_srgb_then_dropped():
    plain = pyvips.Image.black(64, 64).new_from_image([200, 30, 30]).cast("uchar")
    p3 = plain.copy(interpretation="srgb").icc_transform("p3", input_profile="srgb")
    data = p3.pngsave_buffer()
    assert "icc-profile-data" in load(data).get_fields()
    out = load(process_image(data).data)
    assert "icc-profile-data" not in out.get_fields()
    red, green, blue = out.getpoint(32, 32)[:3]
    assert abs(red - 200) <= 6 and abs(green - 30) <= 6 and abs(blue - 30) <= 6


def test_grey_16_bit_and_alpha_images_become_8_bit_srgb():
    grey = (pyvips.Image.black(64, 64) + 100).cast("uchar").bandjoin(128)  # half see-through
    out = process_image(grey.copy(interpretation="b-w").pngsave_buffer())
    decoded = load(out.data)
    assert decoded.interpretation == "srgb" and decoded.hasalpha()
    deep = (pyvips.Image.black(64, 64, bands=3) + 30000).cast("ushort")
    decoded = load(process_image(deep.copy(interpretation="rgb16").pngsave_buffer()).data)
    assert decoded.format == "uchar" and decoded.bands == 3


# --- animation ----------------------------------------------------------------------------------


def test_animated_gif_becomes_animated_webp_with_all_frames():
    data = animated_gif(300, 200, frames=3)
    info = probe(data, max_pixels=MAX_PIXELS)
    assert (info.content_type, info.frames, info.width, info.height) == ("image/gif", 3, 300, 200)
    out = process_image(data, max_side=150)
    assert (out.frames, out.width, out.height) == (3, 150, 100)
    decoded = load(out.data, n=-1)
    assert decoded.get("n-pages") == 3
    assert decoded.get("page-height") == 100
    assert decoded.get("delay") == [100, 100, 100]


def test_animated_gif_is_not_resized_up_and_avatar_uses_first_frame():
    data = animated_gif(120, 80, frames=3)
    out = process_image(data)
    assert (out.frames, out.width, out.height) == (3, 120, 80)
    avatar = process_image(data, purpose="avatar", avatar_size=64)
    assert (avatar.frames, avatar.width, avatar.height) == (1, 64, 64)
    decoded = load(avatar.data, n=-1)
    assert (decoded.width, decoded.height) == (64, 64)
    assert not decoded.get_typeof("n-pages") or decoded.get("n-pages") == 1


def test_too_many_frames_is_refused():
    with pytest.raises(Invalid) as exc:
        probe(animated_gif(20, 20, frames=4), max_pixels=MAX_PIXELS, max_frames=3)
    assert_invalid(exc, "too_many_frames")
    assert "3 frames" in exc.value.message


# --- refusals -----------------------------------------------------------------------------------


def test_decompression_bomb_is_refused_from_the_header_quickly():
    bomb = pyvips.Image.black(10000, 10000).pngsave_buffer(compression=9, bitdepth=1)
    assert len(bomb) < 100_000
    started = time.perf_counter()
    with pytest.raises(Invalid) as exc:
        probe(bomb, max_pixels=MAX_PIXELS)
    assert time.perf_counter() - started < 1.0
    assert_invalid(exc, "too_many_pixels")
    assert exc.value.message == "The image may not be larger than 24 megapixels."
    assert exc.value.fields == {"image": ["The image may not be larger than 24 megapixels."]}
    with pytest.raises(Invalid) as exc:
        process_image(bomb)
    assert_invalid(exc, "too_many_pixels")


def test_pixel_limit_message_follows_the_setting():
    with pytest.raises(Invalid) as exc:
        probe(jpeg(100, 100), max_pixels=2_500)
    assert exc.value.message == "The image may not be larger than 0.0025 megapixels."
    info = probe(jpeg(100, 100), max_pixels=10_000)
    assert (info.width, info.height, info.frames, info.has_alpha) == (100, 100, 1, False)


@pytest.mark.parametrize(
    ("data", "codes"),
    [
        (b"", {"broken_image"}),
        (os.urandom(2048).replace(b"\xff", b"\x00"), {"unsupported_type"}),
        (b"\xff\xd8\xff" + os.urandom(200), {"broken_image"}),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, {"broken_image"}),
        (b"GIF89a\x01", {"broken_image"}),
    ],
    ids=["empty", "random", "jpeg-magic-then-noise", "png-magic-then-zeros", "gif-stub"],
)
def test_broken_bytes_are_domain_errors(data, codes):
    for call in (lambda: probe(data, max_pixels=MAX_PIXELS), lambda: process_image(data)):
        with pytest.raises(Invalid) as exc:
            call()
        assert exc.value.code in codes
        assert "image" in exc.value.fields


@pytest.mark.parametrize("cut", [100, 0.5])
def test_truncated_jpeg_is_broken_never_a_pyvips_error(cut):
    data = jpeg(400, 300)
    data = data[: int(len(data) * cut) if isinstance(cut, float) else cut]
    with pytest.raises(Invalid) as exc:
        process_image(data)
    assert_invalid(exc, "broken_image")


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>',
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        gradient(16, 16).tiffsave_buffer(),
    ],
    ids=["svg", "svg-xml", "pdf", "tiff"],
)
def test_other_types_are_unsupported(data):
    for call in (lambda: probe(data, max_pixels=MAX_PIXELS), lambda: process_image(data)):
        with pytest.raises(Invalid) as exc:
            call()
        assert_invalid(exc, "unsupported_type")


def test_blocked_loaders_cannot_be_reached_through_libvips():
    with pytest.raises(pyvips.Error):
        load(gradient(16, 16).tiffsave_buffer())
    with pytest.raises(pyvips.Error):
        load(b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>')
    assert set(media.ALLOWED_LOADERS) == {
        "VipsForeignLoadJpeg",
        "VipsForeignLoadPng",
        "VipsForeignLoadNsgif",
        "VipsForeignLoadWebp",
        "VipsForeignLoadHeif",
    }
    assert all(pyvips.type_from_name(name) for name in media.ALLOWED_LOADERS)


def test_check_size():
    check_size(10 * 1024 * 1024, 10 * 1024 * 1024)
    with pytest.raises(TooLarge) as exc:
        check_size(10 * 1024 * 1024 + 1, 10 * 1024 * 1024)
    assert exc.value.limit == 10 * 1024 * 1024
    assert exc.value.code == "too_large"
    assert exc.value.message == "The file may not be larger than 10 MiB."
    with pytest.raises(TooLarge) as exc:
        check_size(1001, 1000)
    assert exc.value.message == "The file may not be larger than 1000 bytes."


# --- sniffing -----------------------------------------------------------------------------------


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00" * 16


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"GIF87a\x01\x00", "image/gif"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (ftyp(b"avif", b"mif1", b"miaf"), "image/avif"),
        (ftyp(b"mif1", b"avif"), "image/avif"),
        (ftyp(b"heic", b"mif1"), "image/heic"),
        (ftyp(b"mif1", b"heic"), "image/heic"),
        (ftyp(b"mif1", b"miaf"), "image/heif"),
        (ftyp(b"isom", b"mp41"), "video/mp4"),
        (ftyp(b"qt  "), "video/quicktime"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'>", "image/svg+xml"),
        (b"\xef\xbb\xbf  <?xml version='1.0'?><!DOCTYPE svg><svg>", "image/svg+xml"),
        (b"%PDF-1.4", "application/pdf"),
        (b"II*\x00\x08\x00", "image/tiff"),
        (b"BM\x00\x00", "image/bmp"),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"<html><body>", None),
        (b"hello", None),
        (b"", None),
    ],
)
def test_sniff_type(head, expected):
    assert sniff_type(head) == expected


def test_sniff_ignores_what_encoders_write_after_the_magic():
    assert sniff_type(jpeg(8, 8)[:64]) == "image/jpeg"
    assert sniff_type(gradient(8, 8).webpsave_buffer()[:64]) == "image/webp"
    assert sniff_type(gradient(8, 8).heifsave_buffer(compression="av1")[:64]) == "image/avif"


def test_avif_round_trips_through_the_pipeline():
    data = gradient(640, 480).heifsave_buffer(compression="av1")
    info = probe(data, max_pixels=MAX_PIXELS)
    assert (info.content_type, info.width, info.height) == ("image/avif", 640, 480)
    out = process_image(data, max_side=320)
    assert (out.width, out.height) == (320, 240)


# --- async --------------------------------------------------------------------------------------


async def test_async_variants_run_in_a_thread():
    data = jpeg(4000, 3000)
    info = await probe_async(data, max_pixels=MAX_PIXELS)
    assert (info.width, info.height) == (4000, 3000)
    out = await process_image_async(data, purpose="cover")
    assert (out.width, out.height) == (1600, 1200)
    with pytest.raises(Invalid):
        await process_image_async(b"not an image")


# --- file names and storage ---------------------------------------------------------------------


def test_new_media_name_shape():
    name = new_media_name("Mein Urlaubsfoto (1).JPG")
    assert re.fullmatch(r"mein-urlaubsfoto-1-[a-z0-9]{6}\.webp", name)
    assert re.fullmatch(r"image-[a-z0-9]{6}\.webp", new_media_name(None))
    assert re.fullmatch(r"image-[a-z0-9]{6}\.webp", new_media_name("....jpg"))
    assert re.fullmatch(r"passwd-[a-z0-9]{6}\.gif", new_media_name("../../etc/passwd", "gif"))
    assert re.fullmatch(r"x-[a-z0-9]{6}\.webp", new_media_name("C:\\photos\\x.png"))
    assert re.fullmatch(r"creme-brulee-[a-z0-9]{6}\.webp", new_media_name("Crème brûlée.heic"))
    assert len(new_media_name("a" * 300 + ".png")) <= 80 + 12
    assert len({new_media_name("x") for _ in range(50)}) == 50


def test_write_atomically_creates_parents_and_replaces(tmp_path: Path):
    path = write_atomically(tmp_path, "projects/7/drafts/2025/01/a.webp", b"one")
    assert path == tmp_path.resolve() / "projects/7/drafts/2025/01/a.webp"
    assert path.read_bytes() == b"one"
    write_atomically(tmp_path, "projects/7/drafts/2025/01/a.webp", b"two")
    assert path.read_bytes() == b"two"
    assert [p.name for p in path.parent.iterdir()] == ["a.webp"]  # no temp files left


@pytest.mark.parametrize(
    "relative", ["../x", "/etc/x", "a/../../x", "a/../b", "", ".", "..\\x", "a\x00b"]
)
def test_write_atomically_refuses_paths_outside_root(tmp_path: Path, relative: str):
    root = tmp_path / "media"
    with pytest.raises(Invalid):
        write_atomically(root, relative, b"x")
    with pytest.raises(Invalid):
        delete_file(root, relative)
    assert not (tmp_path / "x").exists()


def test_write_atomically_refuses_symlinks_out_of_root(tmp_path: Path):
    root = tmp_path / "media"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(Invalid):
        write_atomically(root, "link/x.webp", b"x")
    assert not (outside / "x.webp").exists()


def test_delete_file_is_idempotent(tmp_path: Path):
    write_atomically(tmp_path, "a/b.webp", b"x")
    assert delete_file(tmp_path, "a/b.webp") is True
    assert delete_file(tmp_path, "a/b.webp") is False
    assert delete_file(tmp_path, "never/there.webp") is False


# --- snippets -----------------------------------------------------------------------------------


def test_markdown_snippet_escapes_backslash_and_brackets():
    url = "https://hub.example/storage/projects/1/drafts/2025/01/cat-ab12cd.webp"
    assert markdown_snippet(url, "A cat") == f"![A cat]({url})"
    assert markdown_snippet(url, r"a [big] \ cat") == f"![a \\[big\\] \\\\ cat]({url})"
    assert markdown_snippet(url, "") == f"![]({url})"


def test_html_snippet_exact():
    url = "https://hub.example/storage/projects/1/pages/9/cat-ab12cd.webp"
    assert html_snippet(url, 'The "best" <cat> & ]dog[', 1600, 1067) == (
        '<figure class="image-embed"><img src="https://hub.example/storage/projects/1/pages/9/'
        'cat-ab12cd.webp" alt="The &quot;best&quot; &lt;cat&gt; &amp; ]dog[" width="1600" '
        'height="1067" loading="lazy" decoding="async"></figure>'
    )
