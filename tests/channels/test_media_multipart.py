"""E8 media uploads as raw multipart bodies: the image part reaches the pipeline byte for byte
(CRLFs and boundary look-alikes inside it, base64 transfer encoding), malformed bodies are
a 422 that writes nothing, and HUB_MEDIA_SHARP_YUV reaches the WebP encoder."""

from __future__ import annotations

import base64
import dataclasses
import hashlib

import httpx
import pyvips

from hub.app import create_app
from hub.core.media.pipeline import process_image
from tests.channels.conftest import upload
from tests.images import jpeg

MEDIA = "/api/v1/channels/ada_blog/media"
BOUNDARY = "hubTestBoundary7MA4YWxk"
UNREADABLE_BODY = {"body": ["The multipart body could not be read."]}
REQUIRED = "The image field is required."


def part(headers: list[str], body: bytes) -> bytes:
    return f"--{BOUNDARY}\r\n".encode() + "\r\n".join(headers).encode() + b"\r\n\r\n" + body


def form(*parts: bytes, close: bool = True) -> bytes:
    end = f"\r\n--{BOUNDARY}--\r\n".encode() if close else b""
    return b"\r\n".join(parts) + end


def image_part(data: bytes, *extra: str, filename: str = "p.jpg") -> bytes:
    disposition = f'Content-Disposition: form-data; name="image"; filename="{filename}"'
    return part([disposition, "Content-Type: image/jpeg", *extra], data)


def alt_part(text: str) -> bytes:
    return part(['Content-Disposition: form-data; name="alt"'], text.encode())


async def post(client, account, body: bytes) -> httpx.Response:
    headers = {**account.headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    return await client.post(MEDIA, content=body, headers=headers)


async def test_201_image_bytes_arrive_whole_despite_boundary_look_alikes(client, db, account):
    # Bytes after the JPEG's end marker are ignored by decoders but count for the hash.
    data = jpeg(320, 240) + f"\r\n--{BOUNDARY[:-1]}\r\n\r\n--\r\n-".encode() + b"\r\n"
    r = await post(client, account, form(alt_part("A [chart]"), image_part(data)))
    assert r.status_code == 201, r.text
    assert r.json()["alt"] == "A [chart]" and (r.json()["width"], r.json()["height"]) == (320, 240)
    row = await db.fetchrow("SELECT bytes, sha256 FROM media WHERE id = $1", r.json()["id"])
    assert row["bytes"] == len(data) and row["sha256"] == hashlib.sha256(data).digest()


async def test_201_base64_transfer_encoded_image(client, db, account):
    data = jpeg(200, 100)
    body = form(image_part(base64.b64encode(data), "Content-Transfer-Encoding: base64"))
    r = await post(client, account, body)
    assert r.status_code == 201, r.text
    row = await db.fetchrow("SELECT bytes, sha256 FROM media WHERE id = $1", r.json()["id"])
    assert row["bytes"] == len(data) and row["sha256"] == hashlib.sha256(data).digest()


async def test_422_malformed_bodies_write_nothing(client, db, account):
    data = jpeg(200, 100)
    nameless = part(['Content-Disposition: form-data; filename="p.jpg"'], data)
    bad_base64 = image_part(b"!!not base64!!", "Content-Transfer-Encoding: base64")
    for body, errors in [
        (form(nameless), UNREADABLE_BODY),
        (form(bad_base64), UNREADABLE_BODY),
        (form(part(["no colon here"], data)), UNREADABLE_BODY),
        (form(image_part(data), close=False), {"image": [REQUIRED]}),  # cut off: no image
        (form(image_part(b"", filename=""), alt_part("x")), {"image": [REQUIRED]}),  # no file
    ]:  # fmt: skip
        r = await post(client, account, body)
        assert r.status_code == 422, r.text
        assert r.json()["errors"] == errors
    assert await db.fetchval("SELECT count(*) FROM media") == 0


async def test_201_sharp_yuv_setting_reaches_the_encoder(db, settings, resources, account):
    data = jpeg(640, 480)
    stored = {}
    for sharp in (False, True):
        chosen = dataclasses.replace(settings, media_sharp_yuv=sharp)
        app = create_app(chosen, dataclasses.replace(resources, settings=chosen))
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub.test"
        ) as http:
            r = await http.post(MEDIA, headers=account.headers, **upload(data, "p.jpg"))
            assert r.status_code == 201, r.text
            stored[sharp] = (await http.get(r.json()["url"])).content
    assert stored[False] == process_image(data, sharp_yuv=False).data
    assert stored[True] == process_image(data, sharp_yuv=True).data
    assert stored[True] != stored[False]
    assert pyvips.Image.new_from_buffer(stored[True], "").width == 640
