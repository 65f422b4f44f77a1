"""OPML import/export: the pure module and the API (import runs as jobs)."""

from __future__ import annotations

import pytest

from hub.directory.reader.opml import OpmlError, parse_opml, render_opml
from hub.worker import build_worker
from tests.directory import FIXTURES
from tests.factories import make_token


def token(secret: str) -> dict[str, str]:
    return {"Authorization": f"Token {secret}"}


def opml_doc(*urls: str) -> bytes:
    outlines = "".join(f'<outline text="f{i}" xmlUrl="{u}"/>' for i, u in enumerate(urls))
    return (
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        f'<outline text="folder">{outlines}</outline></body></opml>'
    ).encode()


def test_parse_nested_and_deduplicated():
    doc = opml_doc("https://a.example/feed", "https://b.example/rss", "https://a.example/feed")
    assert parse_opml(doc) == [("https://a.example/feed", "f0"), ("https://b.example/rss", "f1")]


@pytest.mark.parametrize(
    "data",
    [
        b"not xml",
        b"<rss/>",
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "b">]><opml><body/></opml>',
        '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE opml [<!ENTITY a "b">]>'
        '<opml><body><outline text="&a;" xmlUrl="https://a.example/&a;"/></body></opml>'.encode(
            "utf-16"
        ),
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "b">]><opml><body/></opml>'.encode(
            "utf-16-be"
        ),
    ],
)
def test_refused_documents(data):
    with pytest.raises(OpmlError):
        parse_opml(data)


def test_render_round_trip():
    text = render_opml("Mine & yours", [
        {"feed_url": "https://a.example/f?x=1&y=2", "title": 'A "quoted" <feed>',
         "link": "https://a.example/", "format": "atom"},
    ])  # fmt: skip
    assert parse_opml(text.encode()) == [("https://a.example/f?x=1&y=2", 'A "quoted" <feed>')]
    assert "<title>Mine &amp; yours</title>" in text


async def test_202_import_then_export(client, db, resources, feed_server):
    _, secret = await make_token(db)
    good = feed_server.serve_file("/feed.xml", FIXTURES / "rss20.xml")
    json_feed = feed_server.serve_file(
        "/feed.json", FIXTURES / "feed.json", content_type="application/json"
    )
    doc = opml_doc(good, json_feed, "ftp://nope.example/", feed_server.url("/missing"))
    response = await client.post(
        "/api/subscriptions/import",
        files={"file": ("subs.opml", doc, "text/x-opml")},
        headers=token(secret),
    )
    assert response.status_code == 202, response.text
    assert response.json() == {"_meta": response.json()["_meta"], "queued": 3, "skipped": 1}
    worker = build_worker(resources, burst=True, poll_delay=0.05)
    try:
        await worker.main()
    finally:
        await worker.close()
    subs = (await client.get("/api/subscriptions", headers=token(secret))).json()
    assert sorted(s["feed"]["feed_url"] for s in subs["results"]) == sorted([good, json_feed])
    export = await client.get("/api/subscriptions/export", headers=token(secret))
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/x-opml")
    assert sorted(u for u, _ in parse_opml(export.content)) == sorted([good, json_feed])


async def test_400_import_of_utf16_opml_with_entities(client, db):
    _, secret = await make_token(db)
    doc = (
        '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE opml [<!ENTITY a "b">]>'
        '<opml><body><outline text="&a;" xmlUrl="https://a.example/&a;"/></body></opml>'
    ).encode("utf-16")
    bad = await client.post(
        "/api/subscriptions/import", files={"file": ("x.opml", doc, "text/xml")},
        headers=token(secret),
    )  # fmt: skip
    assert bad.status_code == 400
    assert bad.json() == {"detail": "OPML with a DTD or entity declarations is refused."}


async def test_400_import_of_a_broken_file_and_415_without_multipart(client, db):
    _, secret = await make_token(db)
    bad = await client.post(
        "/api/subscriptions/import", files={"file": ("x", b"<nope", "text/xml")},
        headers=token(secret),
    )  # fmt: skip
    assert bad.status_code == 400 and bad.json()["detail"].startswith("Not well-formed")
    raw = await client.post("/api/subscriptions/import", json={}, headers=token(secret))
    assert raw.status_code == 415


async def test_200_format_opml_on_search_and_tag_sites(client, db, resources, feed_server):
    from hub.directory import service
    from hub.directory.polling import poller

    url = feed_server.serve_file("/feed", FIXTURES / "rss20.xml")
    added = await service.add_site(resources, url)
    await poller.poll_feed(resources, added.feed_ids[0])
    search = await client.get("/api/sites/search", params={"q": "apple", "format": "opml"})
    assert search.status_code == 200 and search.headers["content-type"].startswith("text/x-opml")
    assert parse_opml(search.content) == [(url, "Apple Orchard Notes")]
    tagged = await client.get("/api/tags/gardening/sites", params={"format": "opml"})
    assert parse_opml(tagged.content) == [(url, "Apple Orchard Notes")]
