"""Media on real image files: EXIF rotation is applied to the pixels (not only the size), and
every refused upload (broken, disguised, too big, too many pixels) answers with its status and
error body and leaves no row, no attachment, no channel image and no file behind."""

from __future__ import annotations

import os

import pyvips

from tests.channels.conftest import article, upload
from tests.images import huge_jpeg, jpeg

MEDIA = "/api/v1/channels/ada_blog/media"
UNREADABLE = "The image could not be read. Upload a JPEG, PNG, GIF or WebP file."


def halves(width: int = 400, height: int = 200, orientation: int = 6) -> bytes:
    """Left half red, right half blue, stored landscape, with an EXIF orientation."""
    red = pyvips.Image.black(width // 2, height, bands=3).new_from_image([220, 20, 20])
    blue = pyvips.Image.black(width // 2, height, bands=3).new_from_image([20, 20, 220])
    image = red.join(blue, "horizontal").cast("uchar").copy(interpretation="srgb")
    image.set_type(pyvips.GValue.gint_type, "orientation", orientation)
    return image.jpegsave_buffer(Q=90)


async def test_201_exif_orientation_6_rotates_the_pixels(client, account):
    r = await client.post(MEDIA, headers=account.headers, **upload(halves(), "phone.jpg", alt="x"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["width"], body["height"]) == (200, 400)  # portrait once rotated
    out = pyvips.Image.new_from_buffer((await client.get(body["url"])).content, "")
    assert out.get_typeof("orientation") == 0 or out.get("orientation") == 1  # stripped/applied
    top = out.crop(0, 0, out.width, out.height // 4).stats()
    bottom = out.crop(0, out.height * 3 // 4, out.width, out.height // 4).stats()
    # stats rows 1..3 are the bands; column 4 is the mean
    assert top(4, 1)[0] > 150 and top(4, 3)[0] < 100  # the stored left (red) is now on top
    assert bottom(4, 3)[0] > 150 and bottom(4, 1)[0] < 100


async def nothing_written(db, settings) -> None:
    assert await db.fetchval("SELECT count(*) FROM media") == 0
    assert await db.fetchval("SELECT count(*) FROM entry_media") == 0
    assert (
        await db.fetchval(
            "SELECT count(*) FROM channels WHERE cover_media_id IS NOT NULL"
            " OR avatar_media_id IS NOT NULL"
        )
        == 0
    )
    root = settings.media_dir / "projects"
    assert not root.exists() or [p for p in root.rglob("*") if p.is_file()] == []


async def test_refused_uploads_answer_their_status_and_write_nothing(client, db, settings, account):
    await client.post("/api/v1/channels/ada_blog/pages", json=article(), headers=account.headers)
    good = jpeg(400, 300)
    cases = [
        (b"hello, world\n", "notes.png", {}, 422, {"image": [UNREADABLE]}),
        (good[: len(good) // 2], "cut.jpg", {"page_slug": "agent_post"}, 422,
         {"image": [UNREADABLE]}),
        (huge_jpeg(), "30mp.jpg", {"purpose": "channel_cover"}, 422,
         {"image": ["The image may not be larger than 24 megapixels."]}),
        (b"\xff\xd8\xff" + os.urandom(11 * 1024 * 1024), "11mb.jpg", {"purpose": "channel_avatar"},
         413, {}),
        (good, "ok.jpg", {"page_slug": "missing"}, 422,
         {"page_slug": ["No article with this slug exists in this channel."]}),
        (good, "ok.jpg", {"purpose": "banner"}, 422,
         {"purpose": ["The selected purpose is invalid."]}),
    ]  # fmt: skip
    for data, name, fields, status, errors in cases:
        r = await client.post(MEDIA, headers=account.headers, **upload(data, name, **fields))
        assert r.status_code == status, (name, r.text)
        assert r.json()["errors"] == errors, name
        assert set(r.json()) == {"message", "errors"} and r.json()["message"]
        await nothing_written(db, settings)
