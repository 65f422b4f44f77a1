"""gzip of text answers (issue 16): HTML, XML and JSON are compressed when the client accepts
gzip and not otherwise, the compressed body is the same document, validators and 304 keep
working, and images are never recompressed."""

from __future__ import annotations

import gzip

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from hub.web.compression import TextGZipMiddleware, accepts_gzip, compressible
from tests.images import jpeg
from tests.site.public.fixtures import BASE, public_article, public_make_blog, public_publish

ACCEPT_GZIP = ["gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.5", "*", "x-gzip"]
NO_GZIP = ["", "identity", "gzip;q=0", "deflate", "*;q=0", "gzip;q=0, *;q=1", "br"]


@pytest.mark.parametrize("value", ACCEPT_GZIP)
def test_accept_encoding_allowing_gzip(value):
    assert accepts_gzip(value)


@pytest.mark.parametrize("value", NO_GZIP)
def test_accept_encoding_refusing_gzip(value):
    assert not accepts_gzip(value)


def test_only_text_types_are_compressible():
    for kind in ("text/html; charset=utf-8", "application/rss+xml", "application/atom+xml",
                 "application/feed+json", "application/json", "application/activity+json",
                 "application/xml", "text/plain"):  # fmt: skip
        assert compressible(kind), kind
    for kind in ("image/webp", "image/jpeg", "video/mp4", "application/octet-stream", ""):
        assert not compressible(kind), kind


async def raw_get(client: httpx.AsyncClient, path: str, encoding: str | None, **headers):
    """(response, the body bytes as sent on the wire, not decoded)."""
    sent = {**headers}
    if encoding is not None:
        sent["Accept-Encoding"] = encoding
    async with client.stream("GET", path, headers=sent) as r:
        body = b"".join([chunk async for chunk in r.aiter_raw()])
    return r, body


@pytest.fixture
async def blog_with_entry(client, db):
    blog = await public_make_blog(db)
    await public_publish(client, blog, public_article("first", body="Words. " * 200))
    return blog


PATHS = [
    ("/ada_blog/first", "text/html"),
    ("/ada_blog/atom.xml", "application/atom+xml"),
    ("/ada_blog/feed.json", "application/feed+json"),
    ("/api/v1/channels/ada_blog/pages", "application/json"),
]


@pytest.mark.parametrize(("path", "media_type"), PATHS)
async def test_200_gzip_when_accepted_and_the_same_document(client, blog_with_entry, path,
                                                            media_type):  # fmt: skip
    auth = blog_with_entry.headers
    plain, plain_body = await raw_get(client, path, "identity", **auth)
    packed, packed_body = await raw_get(client, path, "gzip, deflate", **auth)
    assert plain.status_code == packed.status_code == 200
    assert plain.headers["content-type"].startswith(media_type)
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert gzip.decompress(packed_body) == plain_body
    assert len(packed_body) < len(plain_body)
    assert int(packed.headers["content-length"]) == len(packed_body)
    for r in (plain, packed):
        assert [v.strip().lower() for v in r.headers["vary"].split(",")].count(
            "accept-encoding"
        ) == 1


@pytest.mark.parametrize("encoding", [None, "identity", "gzip;q=0", "br"])
async def test_200_no_gzip_unless_accepted(client, blog_with_entry, encoding):
    for path, _ in PATHS:
        headers = {} if encoding is not None else {"Accept-Encoding": ""}
        r, body = await raw_get(client, path, encoding, **headers, **blog_with_entry.headers)
        assert r.status_code == 200 and "content-encoding" not in r.headers, (path, encoding)
        assert body[:2] != b"\x1f\x8b"
        vary = [v.strip().lower() for v in r.headers["vary"].split(",")]
        assert vary.count("accept-encoding") == 1, (path, encoding)


async def test_304_revalidation_works_with_gzip(client, blog_with_entry):
    for path in ("/ada_blog/first", "/ada_blog/rss.xml"):
        first, _ = await raw_get(client, path, "gzip")
        etag = first.headers["etag"]
        assert etag.startswith('W/"')  # weak: shared by the identity and gzip codings
        plain, _ = await raw_get(client, path, "identity")
        assert plain.headers["etag"] == etag
        again, body = await raw_get(client, path, "gzip", **{"If-None-Match": etag})
        assert again.status_code == 304 and body == b""
        assert again.headers["etag"] == etag


async def test_200_strong_etag_answers_are_not_compressed(client, blog_with_entry):
    """The v1 article's strong ETag (used with If-Match) is never changed by a coding."""
    r, _ = await raw_get(client, f"{blog_with_entry.pages}/first", "gzip",
                         **blog_with_entry.headers)  # fmt: skip
    assert r.status_code == 200 and not r.headers["etag"].startswith("W/")
    assert "content-encoding" not in r.headers


async def test_200_images_are_not_recompressed():
    """A JPEG answer goes out as it is, whatever the client accepts."""
    picture = jpeg(200, 200)

    async def image(request):
        return Response(picture, media_type="image/jpeg")

    app = TextGZipMiddleware(Starlette(routes=[Route("/p.jpg", image)]))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        r, body = await raw_get(http, "/p.jpg", "gzip")
    assert r.status_code == 200 and "content-encoding" not in r.headers
    assert body == picture
