"""hub/directory/reader/parser.py on fixture files: every format, dates, safety."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.directory.reader.parser import MAX_FEED_BYTES, FeedError, parse_feed, sniff

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOW = datetime(2024, 6, 1, tzinfo=UTC)


def parse(name: str, url: str | None = None):
    return parse_feed(
        (FIXTURES / name).read_bytes(), url=url or f"https://x.example/{name}", now=NOW
    )


def test_rss_091():
    feed = parse("rss091.xml")
    assert (feed.format, feed.format_version) == ("rss", "0.91")
    assert feed.title == "Old School Weblog"
    assert feed.description == "Writing since 1999 about café culture"
    assert feed.icon == "http://oldschool.example/logo.gif"
    assert [p.title for p in feed.posts] == ["First light", "Second post"]
    assert feed.posts[0].content == "It <b>works</b>."
    # no guid: identity is the normalised link
    assert feed.posts[0].identity == "oldschool.example/1999/first-light.html"
    assert feed.posts[0].published_at is None  # filled with first-seen time by the poller


def test_rss_20_sanitises_dedupes_and_reads_metadata():
    feed = parse("rss20.xml")
    assert (feed.format, feed.format_version) == ("rss", "2.0")
    assert feed.hub == "http://127.0.0.1:9/hub"
    assert feed.self_url == "https://orchard.example/feed.xml"
    assert [p.identity for p in feed.posts] == ["orchard-post-2", "orchard-post-1"]
    first = feed.posts[0]
    assert "<script" not in first.content and "onclick" not in first.content
    assert "alert" not in first.content
    assert "p.gif" not in first.content  # 1x1 tracking image removed
    assert 'href="https://orchard.example/tools"' in first.content  # resolved on the item link
    assert 'rel="nofollow noopener noreferrer"' in first.content
    assert first.published_at == datetime(2024, 1, 2, 9, 30, tzinfo=UTC)
    assert first.tags == ("gardening", "apples")
    assert first.summary == "Short summary of pruning."
    second = feed.posts[1]
    assert second.image == "https://orchard.example/photo.jpg"
    assert second.attachments[0].mime_type == "image/jpeg"
    assert second.attachments[0].size_in_bytes == 12345


def test_atom():
    feed = parse("atom.xml")
    assert (feed.format, feed.format_version) == ("atom", "1.0")
    assert feed.title == "Journal de Zoé" and feed.language == "fr"
    assert feed.link == "https://zoe.example/"
    post = feed.posts[0]
    assert post.identity == "tag:zoe.example,2024:1"
    assert post.published_at == datetime(2024, 3, 1, 12, tzinfo=UTC)
    assert post.updated_at == datetime(2024, 3, 2, 8, tzinfo=UTC)
    assert post.in_reply_to == "https://other.example/post"
    assert post.author == {"name": "Zoé", "url": "https://zoe.example/about", "photo": None}
    assert "<em>220</em>" in post.content
    summary_only = feed.posts[1]
    assert summary_only.content == "Only a summary here."
    assert summary_only.published_at == datetime(2024, 2, 1, tzinfo=UTC)


def test_json_feed_11():
    feed = parse("feed.json")
    assert (feed.format, feed.format_version) == ("jsonfeed", "1.1")
    assert feed.hub == "http://127.0.0.1:9/hub" and feed.icon == "https://tiny.example/icon.png"
    assert [p.identity for p in feed.posts] == ["3", "2", "1"]  # integer id becomes text
    assert feed.posts[0].title is None and feed.posts[0].content == "<p>Coffee is ready.</p>"
    assert feed.posts[1].image == "https://tiny.example/rain.jpg"
    assert feed.posts[1].published_at == datetime(2024, 4, 2, 6, tzinfo=UTC)
    assert feed.posts[2].title == "Hello"
    assert feed.posts[2].attachments[0].title == "Audio"
    assert feed.posts[2].updated_at == datetime(2024, 4, 1, 9, tzinfo=UTC)


def test_json_feed_needs_a_known_version():
    with pytest.raises(FeedError):
        parse_feed(b'{"version": "x", "items": []}', url="https://x.example/", now=NOW)
    with pytest.raises(FeedError):
        parse_feed(b'{"version": "https://jsonfeed.org/version/1"', url="https://x/", now=NOW)


def test_hfeed():
    feed = parse("hfeed.html", url="https://photos.example/")
    assert feed.format == "hfeed" and feed.title == "Photo Stream"
    assert feed.hub == "http://127.0.0.1:9/hub"
    posts = {p.link: p for p in feed.posts}
    sunset = posts["https://photos.example/p/1"]
    assert sunset.title is None  # implied name is no title
    assert sunset.image == "https://photos.example/img/1.jpg"
    assert sunset.tags == ("sky",)
    assert sunset.published_at == datetime(2024, 5, 1, 18, tzinfo=UTC)
    assert posts["https://photos.example/p/3"].title == "A titled post"
    assert sunset.author["name"] == "Pat"


def test_implied_hfeed_from_top_level_entries():
    html = b"""<html><body><article class="h-entry"><p class="p-name e-content">Just a note</p>
    <a class="u-url" href="/n/1">link</a></article></body></html>"""
    feed = parse_feed(html, url="https://notes.example/", now=NOW)
    assert feed.format == "hfeed" and len(feed.posts) == 1
    assert feed.posts[0].title is None and feed.posts[0].link == "https://notes.example/n/1"


def test_html_without_microformats_is_not_a_feed():
    with pytest.raises(FeedError):
        parse("site.html")


def test_broken_dates_are_normalised():
    feed = parse("broken_dates.xml")
    by_title = {p.title: p for p in feed.posts}
    assert by_title["Garbage date"].published_at is None
    assert by_title["No date"].published_at is None
    assert by_title["Far future"].published_at == NOW  # clamped to the fetch time
    assert by_title["Offset"].published_at == datetime(2020, 1, 2, 4, 30, tzinfo=UTC)


def test_billion_laughs_is_refused_before_expansion():
    with pytest.raises(FeedError, match="entity"):
        parse("billion_laughs.xml")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_entities_in_utf16_and_utf32_are_refused_before_expansion(codec):
    data = (
        f'<?xml version="1.0" encoding="{codec}"?>'
        '<!DOCTYPE rss [<!ENTITY boom "ka-boom">]>'
        '<rss version="2.0"><channel><title>&boom;</title>'
        "<item><title>&boom;</title><link>https://x.example/1</link></item></channel></rss>"
    ).encode(codec)
    with pytest.raises(FeedError, match="entity declarations is refused"):
        parse_feed(data, url="https://x.example/feed", now=NOW)


def test_utf16_feed_without_entities_is_read():
    data = (
        '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>Tea</title>'
        "<item><title>Oolong</title><link>https://x.example/1</link></item></channel></rss>"
    ).encode("utf-16")
    feed = parse_feed(data, url="https://x.example/feed", now=NOW)
    assert feed.title == "Tea" and [p.title for p in feed.posts] == ["Oolong"]


def test_oversized_input_is_refused():
    with pytest.raises(FeedError):
        parse_feed(b"<rss>" + b" " * MAX_FEED_BYTES, url="https://x.example/", now=NOW)


def test_garbage_is_not_a_feed():
    for data in (b"", b"\x00\x01binary", b"plain text", b"<?xml version='1.0'?><note/>"):
        with pytest.raises(FeedError):
            parse_feed(data, url="https://x.example/", now=NOW)


def test_sniff():
    assert sniff(b'\xef\xbb\xbf {"a":1}') == "json"
    assert sniff(b"<?xml version='1.0'?><rss/>") == "xml"
    assert sniff(b"<feed xmlns='http://www.w3.org/2005/Atom'>") == "xml"
    assert sniff(b"<!DOCTYPE html><html>") == "html"


def test_content_hash_changes_with_content():
    feed = parse("feed.json")
    hashes = {p.content_hash for p in feed.posts}
    assert len(hashes) == 3


def test_items_are_capped_at_500_newest():
    items = "".join(
        f"<item><guid isPermaLink='false'>{i}</guid><title>t{i}</title>"
        f"<pubDate>{datetime.fromtimestamp(1_600_000_000 + i * 60, UTC):%a, %d %b %Y %H:%M:%S} GMT"
        f"</pubDate></item>"
        for i in range(700)
    )
    data = f"<rss version='2.0'><channel><title>Big</title>{items}</channel></rss>".encode()
    feed = parse_feed(data, url="https://x.example/", now=NOW)
    assert len(feed.posts) == 500
    assert feed.posts[0].identity == "699"
