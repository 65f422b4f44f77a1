"""hub/directory/reader/discovery.py, urlnorm.py, classify.py: pure rules, table-tested."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.directory.reader.classify import PostShape, classify
from hub.directory.reader.discovery import (
    FeedSummary,
    choose_main,
    feed_links,
    hub_links,
    parse_link_header,
    probe_urls,
)
from hub.directory.urlnorm import feed_key, looks_like_url, site_key

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_feed_links_from_html_and_link_header():
    html = (FIXTURES / "site.html").read_text()
    found = feed_links(
        html,
        url="https://orchard.example/",
        link_header='<https://orchard.example/h.xml>; rel="alternate"; type="application/rss+xml"',
    )
    assert [(c.url, c.type) for c in found] == [
        ("https://orchard.example/h.xml", "rss"),
        ("https://orchard.example/feed.xml", "rss"),
        ("https://orchard.example/comments/feed.atom", "atom"),
        ("https://orchard.example/feed.json", "jsonfeed"),
    ]


def test_feed_links_ignore_other_rels_and_dedupe():
    html = """<link rel="alternate" type="application/rss+xml" href="/a">
    <link rel="alternate" type="application/rss+xml" href="/a">
    <link rel="stylesheet" type="text/css" href="/s.css">
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    <base href="https://cdn.example/blog/">"""
    found = feed_links(html, url="https://x.example/")
    assert [c.url for c in found] == ["https://cdn.example/a"]


def test_hub_links_and_link_header_parsing():
    assert parse_link_header('<https://h/>; rel="hub", <https://s/feed>; rel=self') == [
        {"href": "https://h/", "rel": "hub"},
        {"href": "https://s/feed", "rel": "self"},
    ]
    assert hub_links("", url="https://s/", link_header='<https://h/>; rel="hub"') == (
        "https://h/",
        None,
    )


def test_probe_urls_stay_on_the_origin():
    assert probe_urls("https://x.example:8443/blog/post?a=1") == [
        "https://x.example:8443/feed",
        "https://x.example:8443/rss.xml",
        "https://x.example:8443/atom.xml",
        "https://x.example:8443/index.xml",
        "https://x.example:8443/feed.json",
    ]


@pytest.mark.parametrize(
    ("feeds", "main"),
    [
        ([("https://a/feed.xml", "rss", "A"), ("https://a/f.json", "jsonfeed", "A")], 1),
        ([("https://a/long/feed.xml", "rss", "A"), ("https://a/rss", "rss", "A")], 1),
        ([("https://a/rss", "rss", "A"), ("https://feeds.feedburner.com/a", "rss", "A")], 1),
        ([("https://a/comments/f", "rss", "C"), ("https://a/longer/feed", "rss", "A")], 1),
        ([("https://a/x", "rss", "Comments on A"), ("https://a/feed2", "atom", "A")], 1),
        ([("https://a/comments/f", "rss", "C")], 0),
        ([("https://a/", "hfeed", "A"), ("https://a/feed.xml", "rss", "A")], 1),
        ([("https://a/", "hfeed", "A")], 0),
        ([], None),
    ],
)
def test_main_feed_rule(feeds, main):
    assert choose_main([FeedSummary(*f) for f in feeds]) == main


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://WWW.Example.com/", "http://example.com"),
        ("https://example.com:443/blog/", "https://example.com/blog"),
        ("https://example.com/blog#top", "https://example.com/blog"),
    ],
)
def test_site_identity(a, b):
    assert site_key(a) == site_key(b)


def test_feed_identity_keeps_the_query():
    assert feed_key("https://x.example/?feed=rss") != feed_key("https://x.example/?feed=atom")
    assert site_key("https://x.example:8080/") != site_key("https://x.example/")


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("https://x.example/a", True),
        ("example.com", True),
        ("example.com/blog", True),
        ("apple", False),
        ("apple pie", False),
        ("title:apple", False),
        ("v1.2", False),
    ],
)
def test_looks_like_url(text, url):
    assert looks_like_url(text) is url


def shapes(n, *, title=None, text="x", image=False):
    return [PostShape(title, text, image) for _ in range(n)]


@pytest.mark.parametrize(
    ("posts", "kind"),
    [
        (shapes(2), "blog"),  # too few posts
        (shapes(10, image=True, text="A sunset"), "photoblog"),
        (shapes(10, image=True, text="y" * 2000), "blog"),
        (shapes(10, text="Coffee."), "microblog"),
        (shapes(10, title="Coffee", text="Coffee is ready"), "microblog"),  # title = start
        (shapes(10, title="A long essay", text="z" * 3000), "blog"),
        (shapes(4, title="T", text="short") + shapes(6, text="short"), "microblog"),
        (shapes(5, title="T", text="short") + shapes(5, text="short"), "blog"),
    ],
)
def test_classify(posts, kind):
    assert classify(posts) == kind
