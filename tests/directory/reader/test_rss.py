"""hub/directory/reader/rss.py: the fast RSS 2.0 reader builds exactly the `ParsedFeed` that
feedparser's reading of the same bytes builds, and leaves every document it does not read
exactly like feedparser to feedparser."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.directory.reader.rss import read_rss
from hub.directory.reader.xmlfeed import build_feed, parse_xml, read_with_feedparser

FIXTURES = Path(__file__).parents[1] / "fixtures"
URL = "https://feeds.example/blog/feed.xml"
NS = (
    'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
    'xmlns:slash="http://purl.org/rss/1.0/modules/slash/" '
    'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"'
)


def rss(channel: str, *items: str, decl: str = '<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    body = "".join(f"<item>{item}</item>" for item in items)
    return f'{decl}<rss version="2.0" {NS}><channel>{channel}{body}</channel></rss>'.encode()


HEAD = "<title>Blog</title><link>https://blog.example/</link><description>About</description>"

READ_FAST = {
    "bench-like": rss(
        HEAD + "<language>en</language>",
        *(
            f"<title>Post {k}</title><link>https://blog.example/{k}</link><guid>g-{k}</guid>"
            f"<pubDate>Mon, 0{1 + k} Jan 2024 10:00:00 GMT</pubDate><category>topic{k}</category>"
            f"<description>&lt;p&gt;Body {k} with &lt;a href='/x'&gt;a link&lt;/a&gt;.&lt;/p&gt;"
            "</description>"
            for k in range(5)
        ),
    ),
    "wordpress": rss(
        HEAD + "<lastBuildDate>Tue, 02 Jan 2024 10:00:00 +0000</lastBuildDate>"
        "<generator>https://wordpress.org/?v=6.4</generator><sy:updatePeriod>hourly"
        "</sy:updatePeriod><sy:updateFrequency>1</sy:updateFrequency>"
        '<atom:link href="https://blog.example/feed/" rel="self" type="application/rss+xml"/>'
        '<atom:link rel="hub" href="https://hub.example/"/>'
        "<image><url>https://blog.example/icon.png</url><title>Blog</title>"
        "<link>https://blog.example/</link><width>32</width><height>32</height></image>",
        "<title>Caf\u00e9 &amp; bar</title><link>https://blog.example/2024/01/cafe/?a=1&amp;b=2"
        "</link><comments>https://blog.example/2024/01/cafe/#respond</comments>"
        "<dc:creator><![CDATA[Ann Author]]></dc:creator><pubDate>Tue, 02 Jan 2024 09:30:00 +0100"
        '</pubDate><category><![CDATA[Food]]></category><category domain="tag">Coffee</category>'
        '<category>Food</category><guid isPermaLink="false">https://blog.example/?p=12</guid>'
        "<description><![CDATA[A short <b>summary</b> [&#8230;]]]></description>"
        '<content:encoded><![CDATA[<p>Full <a href="/menu">text</a>.</p>'
        '<img src="pic.jpg" alt=""><img src="https://t.example/p.gif" width="1" height="1">'
        "]]></content:encoded><wfw:commentRss>https://blog.example/2024/01/cafe/feed/"
        "</wfw:commentRss><slash:comments>3</slash:comments>",
    ),
    "permalink guid, relative links, enclosure": rss(
        "<image><url>/icon.png</url><title>I</title><link>/</link></image>" + HEAD,
        "<guid>/2024/relative</guid><title>no link</title>",
        "<guid>https://blog.example/p</guid><link>https://blog.example/other</link>",
        '<link>/rel/link</link><guid isPermaLink="true">https://blog.example/g</guid>'
        '<enclosure url="/audio.mp3" type="Audio/MPEG" length="1234"/>'
        '<enclosure url="https://blog.example/a.jpg" type="image/jpeg"/>',
        "<description>only a description, no title, guid or link</description>",
    ),
    "no declaration, no channel link": rss(
        "<title>T</title><description></description>",
        "<title></title><description></description><author>Bob</author>",
        decl="",
    ),
    "mojibake and entities": rss(
        "<title>Ã© d\u00e9j\u00e0 &lt;b&gt;vu&lt;/b&gt;</title><link>https://blog.example/</link>",
        '<title>&lt;em&gt;Hi&lt;/em&gt; \u00c3\u00a9t\u00e9</title><guid isPermaLink="false">'
        "x1</guid><pubDate>Sun, 31 Dec 2023 23:59:59 -0930</pubDate>",
        '<title>  spaced   </title><guid isPermaLink="false">x2</guid><pubDate>1 Jan 2023 '
        "00:00:00 GMT</pubDate>",
    ),
    "empty channel": rss(HEAD),
}

LEFT_TO_FEEDPARSER = {
    "atom": (FIXTURES / "atom.xml").read_bytes(),
    "rss 0.91": (FIXTURES / "rss091.xml").read_bytes(),
    "another date form": rss(HEAD, "<guid>a</guid><pubDate>2024-01-02T10:00:00Z</pubDate>"),
    "media namespace": rss(
        HEAD,
        '<guid>a</guid><media:thumbnail xmlns:media="http://search.yahoo.com/mrss/" '
        'url="https://x.example/t.jpg"/>',
    ),
    "an author with an e-mail address": rss(HEAD, "<author>bob@x.example (Bob)</author>"),
    "markup inside a description": rss(HEAD, "<description><p>raw</p></description>"),
    "xml:base": rss(HEAD, '<guid xml:base="https://other.example/">a</guid>'),
    "latin-1": rss(HEAD, "<title>x</title>", decl='<?xml version="1.0" encoding="ISO-8859-1"?>'),
    "channel author": rss(HEAD + "<managingEditor>ed@x.example</managingEditor>"),
    "not well-formed": rss(HEAD, "<title>a & b</title>"),
    "C1 control character": rss(HEAD, "<title>smart \u0093quotes\u0094</title>"),
    "two links": rss(HEAD, "<link>https://a.example/</link><link>https://b.example/</link>"),
}


def feedparser_reading(data: bytes):
    return build_feed(read_with_feedparser(data, URL), URL)


@pytest.mark.parametrize("name", READ_FAST)
def test_fast_reader_matches_feedparser(name):
    data = READ_FAST[name]
    read = read_rss(data, URL)
    assert read is not None, "read by the fast reader"
    assert build_feed(read, URL) == feedparser_reading(data)


def test_fixture_rss20_is_read_fast_and_the_same():
    data = (FIXTURES / "rss20.xml").read_bytes()
    assert read_rss(data, "https://x.example/rss20.xml") is not None
    fast = parse_xml(data, "https://x.example/rss20.xml")
    assert fast == build_feed(read_with_feedparser(data, "https://x.example/rss20.xml"),
                              "https://x.example/rss20.xml")  # fmt: skip


@pytest.mark.parametrize("name", LEFT_TO_FEEDPARSER)
def test_left_to_feedparser(name):
    assert read_rss(LEFT_TO_FEEDPARSER[name], URL) is None


@pytest.mark.parametrize(
    "value",
    ["https://a.example", "http://a.example:8080/x/y.html", "https://a.example/../x",
     "https://a.example//x", "https://a.example/x/?a=1&b=2", "https://A.Example/X%20y"],
)  # fmt: skip
def test_plain_urls_are_resolved_as_feedparser_resolves_them(value):
    from feedparser.urls import make_safe_absolute_uri

    from hub.directory.reader.rss import _resolve

    for base in (URL, "http://other.example/"):
        assert _resolve(base, value) == make_safe_absolute_uri(base, value) == value


def test_entity_declarations_are_never_expanded_by_the_fast_reader():
    """A DTD hidden behind a long comment (past the head the reader looks at first) declares
    entities that would multiply: the fast reader refuses the document (feedparser reads it
    the way it always did), it never expands them."""
    bomb = (
        b'<?xml version="1.0" encoding="utf-8"?><!--' + b"x" * 5000 + b"-->"
        b'<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<rss version="2.0"><channel><title>&b;</title><link>https://e.example/</link>'
        b"</channel></rss>"
    )
    assert read_rss(bomb, "https://e.example/feed") is None
