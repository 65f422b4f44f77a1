"""hub/core/urls/parse.py: a path or URL in, what it names out (the public router's paths,
entries and media in absolute URLs, webmention targets)."""

from __future__ import annotations

import pytest

from hub.core.urls import (
    EntryRef,
    MediaRef,
    Target,
    UrlParts,
    Urls,
    custom_domain_host,
    entry_of,
    media_ref,
    parse_path,
    parse_target,
    split_url,
)

URLS = Urls("http://hub.test")


@pytest.mark.parametrize(
    ("path", "channel", "target"),
    [
        ("/", None, Target("node")),
        ("/ada", None, Target("channel", "ada")),
        ("/ada/", None, Target("channel", "ada")),
        ("/ada/post", None, Target("entry", "ada", slug="post")),
        ("/ada/rss.xml", None, Target("feed", "ada", feed="rss")),
        ("/ada/feed.json", None, Target("feed", "ada", feed="json")),
        ("/ada/tags/a%2Fb", None, Target("tag", "ada", tag="a/b")),
        ("/ada/tags/x/atom.xml", None, Target("feed", "ada", tag="x", feed="atom")),
        ("/ada/tags", None, Target("missing")),
        ("/ada/tags/x/y", None, Target("missing")),
        ("/ada//post", None, Target("missing")),
        ("/ada/%ff", None, Target("missing")),
        ("/", "ada", Target("channel", "ada")),
        ("/post", "ada", Target("entry", "ada", slug="post")),
        ("/tags/x", "ada", Target("tag", "ada", tag="x")),
        ("/atom.xml", "ada", Target("feed", "ada", feed="atom")),
    ],
)
def test_parse_path(path, channel, target):
    assert parse_path(path, channel) == target


def test_media_ref():
    assert media_ref("http://hub.test/micropub/media/abc", URLS) == MediaRef(
        "hub.test", True, public_id="abc"
    )
    assert media_ref("https://blog.example/storage/uploads/2025/01/a.webp", URLS) == MediaRef(
        "blog.example", False, path="uploads/2025/01/a.webp"
    )
    assert media_ref("http://hub.test/storage/../etc/passwd", URLS) is None
    assert media_ref("http://hub.test/blog/post", URLS) is None


def test_parse_target():
    path = parse_target("http://hub.test/ada_blog/caf%C3%A9?lang=en")
    assert (path.segments, path.lang) == (("ada_blog", "café"), "en")
    assert parse_target("http://hub.test/a/b/c") is None
    assert parse_target("http://hub.test/").segments == ()


def test_split_url_below_the_base_path():
    urls = Urls("https://example.org/hub")
    assert split_url("https://EXAMPLE.org/hub/a/b/?x#y", urls) == UrlParts(
        "example.org", True, ("a", "b")
    )
    assert split_url("https://example.org/a/b", urls) is None
    assert split_url("https://blog.example/a", urls) == UrlParts("blog.example", False, ("a",))
    assert split_url("mailto:a@example.org", urls) is None


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (UrlParts("hub.test", True, ("blog", "x")), EntryRef("hub.test", True, "blog", "x")),
        (UrlParts("hub.test", True, ("dashboard", "posts", "7", "edit")),
         EntryRef("hub.test", True, entry_id=7)),
        (UrlParts("hub.test", True, ("dashboard", "posts", "x", "edit")), None),
        (UrlParts("hub.test", True, ("blog",)), None),
        (UrlParts("blog.example", False, ("x",)), EntryRef("blog.example", False, slug="x")),
        (UrlParts("blog.example", False, ("a", "b")), None),
    ],
)  # fmt: skip
def test_entry_of_the_node_shapes(parts, expected):
    assert entry_of(parts) == expected


def test_built_urls_parse_back():
    """`parse` reads what `build` prints."""
    urls = Urls("http://hub.test")
    entry = entry_of(split_url(urls.entry("blog", "café"), urls))
    assert (entry.channel_slug, entry.slug) == ("blog", "café")
    assert entry_of(split_url(urls.dashboard_entry(42), urls)).entry_id == 42
    assert media_ref(urls.micropub_media("abc"), urls).public_id == "abc"
    assert media_ref(urls.media_file("a/b.webp"), urls).path == "a/b.webp"
    path = urls.tag("blog", "a/b").removeprefix(urls.base)
    assert parse_path(path) == Target("tag", "blog", tag="a/b")


def test_custom_domain_host_only_on_default_ports():
    assert custom_domain_host("https://Blog.Example/x") == "blog.example"
    assert custom_domain_host("http://blog.example:80/") == "blog.example"
    assert custom_domain_host("https://blog.example:8443/") is None
    assert custom_domain_host("not a url") is None
