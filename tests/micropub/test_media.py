"""`/micropub/media`: uploads and their capability URLs (micropub-resolved.md §6), by status."""

from __future__ import annotations

import hashlib

import pyvips

MEDIA = "/micropub/media"


async def upload(client, token, data, name="file", filename="x.bin", **kwargs):
    return await client.post(
        MEDIA, files={name: (filename, data, "application/octet-stream")}, headers=token.headers,
        **kwargs,
    )  # fmt: skip


async def test_201_upload_jpeg_png_gif_then_unauthenticated_get_serves_the_original(
    client, token, image
):
    for kind, mime in (("jpeg", "image/jpeg"), ("png", "image/png"), ("gif", "image/gif")):
        data = image(kind)
        r = await upload(client, token, data, filename=f"a.{kind}")
        assert r.status_code == 201
        location = r.headers["location"]
        assert location.startswith("http://hub.test/micropub/media/")
        public_id = location.rsplit("/", 1)[1]
        assert len(public_id) == 26
        assert r.json() == {"url": location, "type": mime, "width": 16, "height": 12}
        got = await client.get(location.removeprefix("http://hub.test"))
        assert got.status_code == 200
        assert got.headers["content-type"] == mime
        assert got.content == data
        assert got.headers["cache-control"] == "private, max-age=86400"
        assert got.headers["x-robots-tag"] == "noindex"
        assert got.headers["x-content-type-options"] == "nosniff"


async def test_201_upload_webp_sniffed_whatever_its_name(client, token):
    data = pyvips.Image.black(20, 10, bands=3).cast("uchar").webpsave_buffer()
    r = await upload(client, token, data, filename="photo.jpg")  # the name is only a hint
    assert r.status_code == 201
    assert r.json() == {"url": r.headers["location"], "type": "image/webp", "width": 20,
                        "height": 10}  # fmt: skip
    got = await client.get(r.headers["location"])
    assert got.headers["content-type"] == "image/webp" and got.content == data


async def test_201_row_records_owner_hash_and_size(client, db, token, image):
    data = image()
    r = await upload(client, token, data)
    row = await db.fetchrow("SELECT * FROM media")
    assert r.status_code == 201
    assert row["author_id"] == token.author_id and row["channel_id"] == token.channel_id
    assert row["purpose"] == "upload" and row["folder"] == "uploads"
    assert row["sha256"] == hashlib.sha256(data).digest() and row["bytes"] == len(data)
    assert row["attached_at"] is None


async def test_201_same_bytes_again_give_the_same_upload(client, db, token, image):
    data = image()
    first = await upload(client, token, data)
    second = await upload(client, token, data)
    assert first.headers["location"] == second.headers["location"]
    assert await db.fetchval("SELECT count(*) FROM media") == 1


async def test_201_token_in_body_and_create_scope_suffice(client, make_token, image):
    creator = await make_token(["create"])
    r = await client.post(
        MEDIA,
        data={"access_token": creator.secret},
        files={"file": ("a.jpg", image(), "image/jpeg")},
    )
    assert r.status_code == 201


async def test_401_insufficient_scope_upload_with_update_token(client, make_token, image):
    updater = await make_token(["update"])
    r = await upload(client, updater, image())
    assert r.status_code == 401 and r.json()["error"] == "insufficient_scope"
    assert r.json()["scope"].split()[0] == "media"


async def test_401_upload_without_token(client, db, image):
    r = await client.post(MEDIA, files={"file": ("a.jpg", image(), "image/jpeg")})
    assert r.status_code == 401


async def test_400_upload_part_not_named_file(client, token, image):
    r = await upload(client, token, image(), name="photo")
    assert r.status_code == 400


async def test_400_upload_with_an_extra_part(client, token, image):
    r = await client.post(
        MEDIA,
        data={"alt": "x"},
        files={"file": ("a.jpg", image(), "image/jpeg")},
        headers=token.headers,
    )
    assert r.status_code == 400


async def test_400_upload_broken_image(client, token, image):
    r = await upload(client, token, image()[:40])
    assert r.status_code == 400


async def test_415_upload_svg(client, token):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    r = await upload(client, token, svg, filename="a.svg")
    assert r.status_code == 415 and r.json()["error"] == "invalid_request"


async def test_415_upload_not_multipart(client, token):
    r = await client.post(MEDIA, json={"file": "x"}, headers=token.headers)
    assert r.status_code == 415


async def test_413_upload_over_the_image_limit(app_with, token, image):
    async with app_with(max_upload_bytes=100) as http:
        r = await upload(http, token, image(width=64, height=64))
    assert r.status_code == 413


async def test_429_uploads_per_token(app_with, token, image):
    async with app_with(rate_micropub_uploads=1) as http:
        await upload(http, token, image())
        r = await upload(http, token, image("png"))
    assert r.status_code == 429 and r.headers["retry-after"]


async def test_200_get_with_the_owners_token(client, token, image):
    r = await upload(client, token, image())
    got = await client.get(r.headers["location"], headers=token.headers)
    assert got.status_code == 200


async def test_401_get_with_an_invalid_or_foreign_token(client, token, make_token, image):
    r = await upload(client, token, image())
    bad = await client.get(r.headers["location"], headers={"Authorization": "Bearer hub_nope"})
    assert bad.status_code == 401
    stranger = await make_token(author="Bob")
    foreign = await client.get(r.headers["location"], headers=stranger.headers)
    assert foreign.status_code == 401


async def test_401_get_without_token_in_strict_mode(app_with, token, image):
    async with app_with(media_preview_require_token=True) as http:
        r = await upload(http, token, image())
        assert (await http.get(r.headers["location"])).status_code == 401
        assert (await http.get(r.headers["location"], headers=token.headers)).status_code == 200


async def test_404_unknown_upload(client, db):
    r = await client.get(f"{MEDIA}/abcdefghijklmnopqrstuvwxyz")
    assert r.status_code == 404 and r.json()["error"] == "not_found"


async def test_405_delete_on_an_upload(client, token, image):
    r = await upload(client, token, image())
    gone = await client.delete(r.headers["location"])
    assert gone.status_code == 405 and "GET" in gone.headers["allow"]


async def test_200_media_queries_last_and_source(client, token, image):
    assert (await client.get(MEDIA, params={"q": "last"}, headers=token.headers)).json() == {}
    first = await upload(client, token, image())
    second = await upload(client, token, image("png"))
    last = await client.get(MEDIA, params={"q": "last"}, headers=token.headers)
    assert last.json() == {"url": second.headers["location"]}
    listed = await client.get(MEDIA, params={"q": "source"}, headers=token.headers)
    urls = [item["url"] for item in listed.json()["items"]]
    assert urls == [second.headers["location"], first.headers["location"]]
    assert listed.json()["items"][0]["type"] == "image/png"


async def test_204_media_preflight(client, db):
    r = await client.options(MEDIA)
    assert r.status_code == 204 and r.headers["access-control-allow-origin"] == "*"
