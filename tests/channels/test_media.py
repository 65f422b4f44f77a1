"""E8 POST /channels/{c}/media on real images, and GET /storage/{path} (the media files)."""

from __future__ import annotations

import asyncio
import os
import re

import pyvips

from tests.channels.conftest import article, make_account, upload
from tests.images import animated_gif, huge_jpeg, jpeg, png_alpha

MEDIA = "/api/v1/channels/ada_blog/media"
UNREADABLE = "The image could not be read. Upload a JPEG, PNG, GIF or WebP file."


def stored_path(settings, url: str):
    return settings.media_dir / url.split("/storage/", 1)[1]


def files_under(settings, channel_id: int) -> list[str]:
    root = settings.media_dir / "projects" / str(channel_id)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


async def channel_id(db, slug: str = "ada_blog") -> int:
    return await db.fetchval("SELECT id FROM channels WHERE slug = $1", slug)


async def test_201_article_image_to_drafts_folder(client, db, settings, account):
    data = jpeg(4000, 3000, orientation=6)
    r = await client.post(
        MEDIA, headers=account.headers, **upload(data, "My Photo.JPG", alt="A [red] car")
    )
    assert r.status_code == 201, r.text
    body = r.json()
    cid = await channel_id(db)
    assert re.fullmatch(
        rf"http://hub\.test/storage/projects/{cid}/drafts/\d{{4}}/\d{{2}}/my-photo-[a-z0-9]{{6}}"
        r"\.webp",
        body["url"],
    )
    assert r.headers["location"] == body["url"]
    assert (body["width"], body["height"]) == (1200, 1600)  # EXIF 6 applied, then 1600 max
    assert body["alt"] == "A [red] car"
    assert body["markdown"] == f"![A \\[red\\] car]({body['url']})"
    assert body["html"] == (
        f'<figure class="image-embed"><img src="{body["url"]}" alt="A [red] car" width="1200" '
        'height="1600" loading="lazy" decoding="async"></figure>'
    )
    assert body["purpose"] == "article" and body["page_slug"] is None
    assert body["content_type"] == "image/webp" and body["warnings"] == []
    path = stored_path(settings, body["url"])
    assert path.read_bytes()[8:12] == b"WEBP" and body["bytes"] == path.stat().st_size
    assert b"Secret Person" not in path.read_bytes()
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]
    row = await db.fetchrow("SELECT * FROM media WHERE id = $1", body["id"])
    assert row["folder"] == "drafts" and row["purpose"] == "article" and row["channel_id"] == cid
    assert row["bytes"] == len(data) and len(row["sha256"]) == 32 and row["attached_at"] is None
    assert row["content_type"] == "image/jpeg" and row["processed_type"] == "image/webp"
    assert row["path"] == body["url"].split("/storage/", 1)[1]


async def test_201_missing_alt_warning_and_png_alpha(client, account):
    r = await client.post(MEDIA, headers=account.headers, **upload(png_alpha(), "x.png"))
    assert r.status_code == 201
    body = r.json()
    assert body["alt"] == "" and body["markdown"].startswith("![](")
    assert [w["code"] for w in body["warnings"]] == ["missing_alt"]
    assert body["warnings"][0]["field"] == "alt"
    r = await client.get(body["url"])
    assert pyvips.Image.new_from_buffer(r.content, "").hasalpha()


async def test_201_animated_gif_stays_animated(client, account):
    r = await client.post(MEDIA, headers=account.headers, **upload(animated_gif(), "a.gif"))
    assert r.status_code == 201
    body = r.json()
    assert (body["width"], body["height"]) == (40, 30)
    image = pyvips.Image.new_from_buffer((await client.get(body["url"])).content, "", n=-1)
    assert image.get("n-pages") == 3


async def test_201_page_slug_goes_to_page_folder(client, db, account):
    page = (await client.post("/api/v1/channels/ada_blog/pages", json=article(),
                              headers=account.headers)).json()  # fmt: skip
    r = await client.post(
        MEDIA, headers=account.headers, **upload(jpeg(), "p.jpg", page_slug="agent_post", alt="x")
    )
    assert r.status_code == 201, r.text
    body = r.json()
    cid = await channel_id(db)
    assert f"/storage/projects/{cid}/pages/{page['id']}/p-" in body["url"]
    assert body["page_slug"] == "agent_post"
    row = await db.fetchrow("SELECT * FROM entry_media WHERE media_id = $1", body["id"])
    assert row["entry_id"] == page["id"] and row["role"] == "inline"
    assert await db.fetchval("SELECT attached_at FROM media WHERE id = $1", body["id"])


async def test_201_channel_avatar_and_cover(client, db, account):
    r = await client.post(
        MEDIA, headers=account.headers, **upload(jpeg(300, 200), "me.jpg", purpose="channel_avatar")
    )
    assert r.status_code == 201, r.text
    avatar = r.json()
    assert (avatar["width"], avatar["height"]) == (512, 512)  # cropped, upscaled
    assert "/channel/me-" in avatar["url"] and avatar["purpose"] == "channel_avatar"
    first = (
        await client.post(
            MEDIA, headers=account.headers, **upload(jpeg(), "c.jpg", purpose="channel_cover")
        )
    ).json()
    second = (
        await client.post(
            MEDIA, headers=account.headers, **upload(jpeg(), "d.jpg", purpose="channel_cover")
        )
    ).json()
    [channel] = (await client.get("/api/v1/channels", headers=account.headers)).json()["channels"]
    assert channel["avatar_url"] == avatar["url"] and channel["cover_url"] == second["url"]
    attached = dict(await db.fetch("SELECT id, attached_at IS NOT NULL FROM media"))
    assert attached == {avatar["id"]: True, first["id"]: False, second["id"]: True}


async def test_422_thirty_megapixels_writes_nothing(client, db, settings, account):
    r = await client.post(MEDIA, headers=account.headers, **upload(huge_jpeg(), "big.jpg"))
    assert r.status_code == 422
    assert r.json() == {
        "message": "The image may not be larger than 24 megapixels.",
        "errors": {"image": ["The image may not be larger than 24 megapixels."]},
    }
    assert await db.fetchval("SELECT count(*) FROM media") == 0
    assert files_under(settings, await channel_id(db)) == []


async def test_413_eleven_megabytes_by_content_length(client, db, account):
    data = b"\xff\xd8\xff" + os.urandom(11 * 1024 * 1024)
    r = await client.post(MEDIA, headers=account.headers, **upload(data, "big.jpg"))
    assert r.status_code == 413
    assert r.json() == {
        "message": "The uploaded file is too large. The limit is 10485760 bytes.",
        "errors": {},
    }
    assert await db.fetchval("SELECT count(*) FROM media") == 0


async def test_413_while_streaming_without_content_length(client, account):
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="x.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()

    async def body():
        yield head
        for _ in range(12):
            yield b"\0" * (1024 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    headers = {**account.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    r = await client.post(MEDIA, headers=headers, content=body())
    assert r.status_code == 413
    assert r.json()["message"].startswith("The uploaded file is too large.")


async def test_413_image_part_over_limit_within_form_overhead(client, account, settings):
    data = b"\xff\xd8\xff" + b"\0" * (settings.max_upload_bytes - 2)  # limit + 1 byte
    r = await client.post(MEDIA, headers=account.headers, **upload(data, "x.jpg"))
    assert r.status_code == 413


async def test_422_text_file_named_png(client, account):
    r = await client.post(MEDIA, headers=account.headers, **upload(b"hello, world\n", "a.png"))
    assert r.status_code == 422
    assert r.json()["errors"] == {"image": [UNREADABLE]}


async def test_422_truncated_jpeg(client, account):
    data = jpeg(400, 300)
    r = await client.post(MEDIA, headers=account.headers, **upload(data[: len(data) // 2], "t.jpg"))
    assert r.status_code == 422
    assert r.json()["errors"] == {"image": [UNREADABLE]}


async def test_422_svg_refused(client, account):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    r = await client.post(MEDIA, headers=account.headers, **upload(svg, "a.svg"))
    assert r.status_code == 422 and r.json()["errors"] == {"image": [UNREADABLE]}


async def test_422_nul_in_a_text_field_writes_nothing(client, account, db):
    """A NUL cannot be stored: refused on the field before any lookup (schemathesis found a
    500 for a NUL in page_slug)."""
    for field in ("page_slug", "alt"):
        r = await client.post(MEDIA, headers=account.headers, **upload(jpeg(), **{field: "a\x00b"}))
        assert r.status_code == 422, r.text
        assert r.json()["errors"] == {
            field: [f"The {field} field contains a forbidden character (U+0000)."]
        }
    assert await db.fetchval("SELECT count(*) FROM media") == 0


async def test_422_form_fields(client, account):
    r = await client.post(
        MEDIA,
        headers=account.headers,
        files={"purpose": (None, "banner"), "alt": (None, "x" * 1001)},
    )
    assert r.status_code == 422
    assert r.json()["errors"] == {
        "image": ["The image field is required."],
        "purpose": ["The selected purpose is invalid."],
        "alt": ["The alt may not be greater than 1000 characters."],
    }
    r = await client.post(
        MEDIA, headers=account.headers,
        **upload(jpeg(), purpose="channel_cover", page_slug="agent_post"),
    )  # fmt: skip
    assert r.json()["errors"] == {
        "page_slug": ["The page_slug field is only allowed when purpose is article."]
    }
    r = await client.post(MEDIA, headers=account.headers, **upload(jpeg(), page_slug="nope"))
    assert r.status_code == 422
    assert r.json()["errors"] == {
        "page_slug": ["No article with this slug exists in this channel."]
    }
    r = await client.post(MEDIA, headers=account.headers, json={"image": "x"})
    assert r.status_code == 422
    assert r.json()["errors"] == {"body": ["The request body must be multipart/form-data."]}


async def test_201_unknown_field_warns(client, account):
    r = await client.post(MEDIA, headers=account.headers, **upload(jpeg(), alt="a", caption="c"))
    assert r.status_code == 201
    assert [(w["code"], w["field"]) for w in r.json()["warnings"]] == [("unknown_field", "caption")]


async def test_403_and_404_before_the_body_is_read(client, db, account, other):
    r = await client.post("/api/v1/channels/none/media", headers=account.headers, **upload(b"x"))
    assert r.status_code == 404 and r.json()["message"] == "Channel not found."
    r = await client.post(
        "/api/v1/channels/bob_blog/media", headers=account.headers, **upload(jpeg())
    )
    assert r.status_code == 403
    limited = await make_account(db, "Cy", scopes=["create", "update"])
    r = await client.post(
        "/api/v1/channels/cy_blog/media", headers=limited.headers, **upload(jpeg())
    )
    assert r.status_code == 403
    assert r.json()["message"] == "This API key lacks the 'media' scope."
    r = await client.post(MEDIA, **upload(jpeg()))
    assert r.status_code == 401


async def test_200_dry_run_stores_nothing(client, db, settings, account):
    r = await client.post(MEDIA + "?dry_run=true", headers=account.headers, **upload(jpeg()))
    assert r.status_code == 200 and r.headers["x-dry-run"] == "true"
    assert r.json()["width"] == 64 and "location" not in r.headers
    assert await db.fetchval("SELECT count(*) FROM media") == 0
    assert files_under(settings, await channel_id(db)) == []


async def test_201_legacy_projects_media(client, account):
    r = await client.post(
        "/api/v1/projects/ada_blog/media", headers=account.headers, **upload(jpeg(), alt="a")
    )
    assert r.status_code == 201 and r.headers["deprecation"] == "true"


async def test_405_get_media(client, account):
    r = await client.get(MEDIA, headers=account.headers)
    assert r.status_code == 405 and r.headers["allow"] == "POST"


# -- GET /storage/{path} --------------------------------------------------------------------------


async def test_200_storage_file_headers_and_304(client, account):
    url = (await client.post(MEDIA, headers=account.headers, **upload(jpeg(), alt="a"))).json()[
        "url"
    ]
    r = await client.get(url)
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/webp"
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.headers["x-content-type-options"] == "nosniff"
    etag = r.headers["etag"]
    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    head = await client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(r.content))


async def test_404_storage_refuses_traversal_hidden_and_other_roots(client, settings):
    (settings.media_dir / "uploads").mkdir(parents=True, exist_ok=True)
    (settings.media_dir / "uploads" / "secret.webp").write_bytes(b"RIFF")
    (settings.media_dir / "projects").mkdir(parents=True, exist_ok=True)
    (settings.media_dir / "projects" / ".tmp-x.webp").write_bytes(b"RIFF")
    (settings.media_dir / "projects" / "note.txt").write_bytes(b"text")
    for path in (
        "/storage/uploads/secret.webp",
        "/storage/projects/.tmp-x.webp",
        "/storage/projects/note.txt",
        "/storage/projects/../uploads/secret.webp",
        "/storage/projects/%2e%2e/uploads/secret.webp",
        "/storage/projects/1/nothing.webp",
        "/storage/",
    ):
        r = await client.get(path)
        assert r.status_code == 404, path
        assert r.headers["x-content-type-options"] == "nosniff"


async def test_uploads_past_the_bound_wait_their_turn_then_succeed(client, db, resources, account):
    slots, held = resources.image_uploads, 0
    while not slots.locked():  # other uploads hold every slot
        await slots.acquire()
        held += 1
    try:
        waiting = asyncio.create_task(
            client.post(MEDIA, headers=account.headers, **upload(jpeg(), alt="Queued"))
        )
        await asyncio.sleep(0.3)
        assert not waiting.done()  # not read, not converted while the slots are taken
        assert await db.fetchval("SELECT count(*) FROM media") == 0
    finally:
        for _ in range(held):
            slots.release()
    r = await asyncio.wait_for(waiting, 30)
    assert r.status_code == 201, r.text
    assert await db.fetchval("SELECT count(*) FROM media") == 1
