"""The editor's images, preview and script: `POST /dashboard/media` (the script's uploads),
`attach_uploads` (the form's files without JavaScript), `POST /dashboard/preview`, the
script served at `/dashboard/assets/editor.js`, and the Content-Security-Policy that lets
only the dashboard run it."""

from __future__ import annotations

import io

import pytest
from starlette.datastructures import FormData, Headers, UploadFile
from starlette.requests import Request

from hub.core.errors import Invalid
from hub.site.dashboard.assets import asset_url
from hub.site.dashboard.editor.media import attach_uploads, upload_images
from tests.images import jpeg, png_alpha
from tests.site.auth_fixtures import owner, signed_in  # noqa: F401 - fixtures


async def _media_rows(db) -> int:
    return await db.fetchval("SELECT count(*) FROM media")


# -- POST /dashboard/media ----------------------------------------------------------------------


async def test_201_upload_answers_url_and_markdown_and_serves_the_webp(client, db, signed_in):
    r = await client.post(
        "/dashboard/media",
        files={"image": ("Harbour at dusk.jpg", jpeg(), "image/jpeg")},
        data={"alt": "A harbour [at] dusk"},
        headers={"X-CSRF-Token": signed_in},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["url"].startswith("http://hub.test/storage/projects/")
    assert "/drafts/" in body["url"] and body["url"].endswith(".webp")
    assert body["markdown"] == f"![A harbour \\[at\\] dusk]({body['url']})"
    assert (body["width"], body["height"]) == (64, 48)
    image = await client.get(body["url"].removeprefix("http://hub.test"))
    assert image.status_code == 200 and image.content[8:12] == b"WEBP"
    row = await db.fetchrow("SELECT purpose, alt, credential_id FROM media")
    assert (row["purpose"], row["alt"], row["credential_id"]) == (
        "article",
        "A harbour [at] dusk",
        None,
    )


async def test_201_csrf_may_come_as_a_form_field(client, signed_in):
    r = await client.post(
        "/dashboard/media",
        files={"image": ("a.png", png_alpha(), "image/png")},
        data={"alt": "A square", "csrf": signed_in},
    )
    assert r.status_code == 201, r.text


async def test_403_upload_without_the_csrf_token_stores_nothing(client, db, signed_in):
    r = await client.post(
        "/dashboard/media", files={"image": ("a.jpg", jpeg(), "image/jpeg")}, data={"alt": "x"}
    )
    assert r.status_code == 403
    assert r.json()["field"] == "csrf"
    assert await _media_rows(db) == 0


async def test_401_upload_without_a_session(client, owner):
    r = await client.post(
        "/dashboard/media",
        files={"image": ("a.jpg", jpeg(), "image/jpeg")},
        data={"alt": "x"},
        headers={"X-CSRF-Token": "anything"},
    )
    assert r.status_code == 401 and "sign in" in r.json()["error"]


async def test_415_text_file_as_image(client, db, signed_in):
    r = await client.post(
        "/dashboard/media",
        files={"image": ("notes.jpg", b"just some text, not a picture", "image/jpeg")},
        data={"alt": "x"},
        headers={"X-CSRF-Token": signed_in},
    )
    assert r.status_code == 415
    assert r.json() == {
        "error": "notes.jpg: The image could not be read. Upload a JPEG, PNG, GIF or WebP file.",
        "field": "image",
    }
    assert await _media_rows(db) == 0


async def test_400_broken_image(client, db, signed_in):
    r = await client.post(
        "/dashboard/media",
        files={"image": ("cut.jpg", jpeg()[:200], "image/jpeg")},
        data={"alt": "x"},
        headers={"X-CSRF-Token": signed_in},
    )
    assert r.status_code == 400 and r.json()["field"] == "image"
    assert "could not be read" in r.json()["error"]
    assert await _media_rows(db) == 0


async def test_413_oversize_image(client, db, signed_in, settings):
    data = b"\xff\xd8\xff" + b"\0" * (settings.max_upload_bytes - 2)  # the limit + 1 byte
    r = await client.post(
        "/dashboard/media",
        files={"image": ("big.jpg", data, "image/jpeg")},
        data={"alt": "x"},
        headers={"X-CSRF-Token": signed_in},
    )
    assert r.status_code == 413
    assert r.json()["field"] == "image" and "big.jpg" in r.json()["error"]
    assert await _media_rows(db) == 0


async def test_400_upload_without_alt_text(client, db, signed_in):
    r = await client.post(
        "/dashboard/media",
        files={"image": ("a.jpg", jpeg(), "image/jpeg")},
        headers={"X-CSRF-Token": signed_in},
    )
    assert r.status_code == 400 and r.json()["field"] == "alt"
    assert await _media_rows(db) == 0


async def test_400_upload_to_a_blog_of_someone_else(client, db, signed_in):
    from tests.factories import make_author

    other = await make_author(db, "Bea", channel_slug="bea")
    r = await client.post(
        "/dashboard/media",
        files={"image": ("a.jpg", jpeg(), "image/jpeg")},
        data={"alt": "x", "channel_id": str(other.channel_id)},
        headers={"X-CSRF-Token": signed_in},
    )
    assert r.status_code == 400 and r.json()["field"] == "channel_id"
    assert await _media_rows(db) == 0


# -- attach_uploads: the form's files without JavaScript ----------------------------------------


def _request(client_app) -> Request:
    return Request({"type": "http", "method": "POST", "headers": [], "app": client_app})


def _form(*files: tuple[str, bytes], alt: str = "") -> FormData:
    items: list = [
        ("images", UploadFile(io.BytesIO(data), size=len(data), filename=name,
                              headers=Headers({"content-type": "image/jpeg"})))
        for name, data in files
    ]  # fmt: skip
    items.append(("images_alt", alt))
    return FormData(items)


@pytest.fixture
def app_with_resources(settings, resources):
    from hub.app import create_app

    app = create_app(settings, resources)
    app.state.resources = resources
    return app


async def test_attach_uploads_returns_one_snippet_per_file_in_order(db, owner, app_with_resources):
    form = _form(("one.jpg", jpeg()), ("two.png", png_alpha()), alt="First\n\nSecond\n")
    snippets = await attach_uploads(
        _request(app_with_resources), form, author_id=owner.author_id, channel_id=owner.channel_id
    )
    assert [s.split("]")[0] for s in snippets] == ["![First", "![Second"]
    assert all(s.endswith(".webp)") and f"/projects/{owner.channel_id}/drafts/" in s
               for s in snippets)  # fmt: skip
    assert await _media_rows(db) == 2


async def test_attach_uploads_without_files_is_empty(db, owner, app_with_resources):
    empty = FormData(
        [("images", UploadFile(io.BytesIO(b""), size=0, filename="")), ("images_alt", "")]
    )
    assert await attach_uploads(
        _request(app_with_resources), empty, author_id=owner.author_id, channel_id=owner.channel_id
    ) == []  # fmt: skip


async def test_attach_uploads_one_bad_file_writes_nothing(db, owner, app_with_resources):
    form = _form(("good.jpg", jpeg()), ("notes.txt", b"hello"), alt="Good\nNotes")
    with pytest.raises(Invalid) as caught:
        await upload_images(
            _request(app_with_resources), form, author_id=owner.author_id,
            channel_id=owner.channel_id,
        )  # fmt: skip
    assert list(caught.value.fields) == ["images"] and "notes.txt" in caught.value.message
    assert await _media_rows(db) == 0


async def test_attach_uploads_asks_for_the_alt_of_every_file(db, owner, app_with_resources):
    form = _form(("one.jpg", jpeg()), ("two.jpg", jpeg(30, 20)), alt="Only one")
    with pytest.raises(Invalid) as caught:
        await attach_uploads(
            _request(app_with_resources), form, author_id=owner.author_id,
            channel_id=owner.channel_id,
        )  # fmt: skip
    assert list(caught.value.fields) == ["images_alt"]
    assert "2 images" in caught.value.message and "(1 given)" in caught.value.message
    assert await _media_rows(db) == 0


# -- POST /dashboard/preview --------------------------------------------------------------------


async def test_200_preview_renders_and_sanitises_like_the_blog(client, signed_in):
    body = "# Hello\n\nSome *text* <script>alert(1)</script> and ![a cat](/storage/x.webp)"
    r = await client.post("/dashboard/preview", data={"csrf": signed_in, "content": body})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    assert "<h1>Hello</h1>" in r.text and "<em>text</em>" in r.text
    assert (
        "<script>" not in r.text and "&lt;script&gt;" in r.text
    )  # Micropub's Markdown: HTML as text
    assert '<img src="/storage/x.webp" alt="a cat"' in r.text


async def test_403_preview_without_csrf(client, signed_in):
    r = await client.post("/dashboard/preview", data={"content": "hi"})
    assert r.status_code == 403


async def test_303_preview_without_session(client, owner):
    r = await client.post("/dashboard/preview", data={"csrf": "x", "content": "hi"})
    assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/login")


async def test_422_preview_of_markdown_too_complex_to_render(client, signed_in):
    body = "[" * 140_000 + "`"
    r = await client.post("/dashboard/preview", data={"csrf": signed_in, "content": body})
    assert r.status_code == 422
    assert 'role="alert"' in r.text and "too complex" in r.text


# -- the script and the Content-Security-Policy ---------------------------------------------------


async def test_200_script_with_etag_long_cache_and_304(client, db):
    url = asset_url("editor.js")
    r = await client.get(url)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert "max-age=31536000" in r.headers["cache-control"]
    assert "/dashboard/preview" in r.text and "/dashboard/media" in r.text
    again = await client.get(url, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    plain = await client.get("/dashboard/assets/editor.js")
    assert plain.status_code == 200 and "must-revalidate" in plain.headers["cache-control"]
    assert (await client.get("/dashboard/assets/other.js")).status_code == 404


async def test_csp_lets_only_the_dashboard_run_its_own_scripts(client, signed_in):
    page = await client.get("/dashboard")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    await client.post("/dashboard/logout", data={"csrf": signed_in})
    login = await client.get("/dashboard/login")
    assert "script-src" not in login.headers["content-security-policy"]
