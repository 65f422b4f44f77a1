"""Author photos of received mentions (R-W9): re-hosted as a 96x96 WebP in the node's media
directory from a real local image server, never hotlinked; a photo that fails to fetch or to
decode is dropped and the mention still shows."""

from __future__ import annotations

import pyvips

from hub.webmentions.verify.verifier import verify
from tests.factories import make_entry
from tests.images import flat
from tests.webmentions.fixtures import app_client, entry_url, make_blog

WM = "/api/webmentions"


def jpeg(width: int, height: int) -> bytes:
    return flat("jpeg", width, height, colour=(200, 40, 90))


def reply(target: str, photo: str) -> str:
    return (
        '<!doctype html><title>Re</title><article class="h-entry">'
        f'<span class="p-author h-card"><a class="u-url p-name" href="/">Alice</a>'
        f'<img class="u-photo" src="{photo}" alt=""></span>'
        f'<a class="u-in-reply-to" href="{target}">re</a><div class="e-content">Hi</div>'
        "</article>"
    )


async def test_200_photo_is_a_96px_webp_copy_fetched_once(wm_resources, db, site):
    blog = await make_blog(db)
    await make_entry(db, blog, "first")
    target = entry_url(blog, "first")
    photo = site.serve("/me.jpg", jpeg(300, 200), content_type="image/jpeg")
    source = site.serve("/reply", reply(target, photo))
    async for client in app_client(wm_resources):
        mention = (await client.post(WM, data={"source": source, "target": target})).json()
        assert (await verify(wm_resources, mention["id"])).status == "approved"
        [shown] = (await client.get(WM, params={"target": target})).json()["results"]
        path = await db.fetchval(
            "SELECT author_photo_path FROM webmentions WHERE id = $1", mention["id"]
        )
        assert path.startswith("webmentions/") and path.endswith(".webp")
        assert shown["author"]["photo"] == f"http://hub.test/storage/{path}"  # not hotlinked
        stored = (wm_resources.settings.media_dir / path).read_bytes()
        assert stored[8:12] == b"WEBP"
        image = pyvips.Image.new_from_buffer(stored, "")
        assert (image.width, image.height) == (96, 96)
        served = await client.get(f"/storage/{path}")  # what a reader's browser loads
        assert served.status_code == 200 and served.content == stored
        assert served.headers["content-type"] == "image/webp"
        # a re-send with the same photo keeps the copy without fetching it again
        await client.post(WM, data={"source": source, "target": target})
        await verify(wm_resources, mention["id"])
        status = (await client.get(f"{WM}/{mention['id']}")).json()
        assert status["mention"]["author"]["photo"] == shown["author"]["photo"]
    assert len([h for h in site.seen if h.path == "/me.jpg"]) == 1


async def test_200_unreadable_photos_are_dropped(wm_resources, db, site):
    blog = await make_blog(db)
    await make_entry(db, blog, "first")
    target = entry_url(blog, "first")
    media = wm_resources.settings.media_dir / "webmentions"
    before = set(media.glob("*")) if media.exists() else set()
    photos = {
        "/broken.jpg": site.serve("/broken.jpg", b"\xff\xd8\xff\xe0" + b"x" * 500,
                                  content_type="image/jpeg"),
        "/page.html": site.serve("/page.html", "<p>not an image</p>"),
        "/gone.jpg": site.url("/gone.jpg"),  # 404
        "/private": "http://10.0.0.1/me.jpg",  # refused by the guard
    }  # fmt: skip
    async for client in app_client(wm_resources):
        for name, photo in photos.items():
            source = site.serve(f"/reply{name}", reply(target, photo))
            mention = (await client.post(WM, data={"source": source, "target": target})).json()
            assert (await verify(wm_resources, mention["id"])).status == "approved"
        results = (await client.get(WM, params={"target": target})).json()["results"]
    assert len(results) == 4
    assert all(m["author"]["photo"] is None and m["author"]["name"] == "Alice" for m in results)
    assert await db.fetchval("SELECT count(author_photo_path) FROM webmentions") == 0
    assert (set(media.glob("*")) if media.exists() else set()) == before  # nothing written
