"""The pure parts of the public site (the URL scheme itself is in tests/core/urls): links,
language codes, cursors, display-time HTML, response targets, entry states, caching
validators, feed documents."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import feedparser
import pytest
from starlette.requests import Request

from hub.core.languages import normalise_language
from hub.core.urls import Urls
from hub.site.feeds.render import FeedDoc, FeedItem, atom, json_feed, rss
from hub.site.public.caching import etag_of, is_fresh
from hub.site.public.content import (
    display_html,
    language_name,
    preview_text,
    response_html,
    responses,
)
from hub.site.public.links import ChannelLinks, Endpoints
from hub.site.public.params import decode_cursor, encode_cursor
from hub.site.public.view import entry_state


@pytest.mark.parametrize(
    ("raw", "code"),
    [("en", "en"), ("PT-br", "pt-BR"), ("zh-hant-tw", "zh-Hant-TW"), ("es-419", "es-419"),
     ("english", None), ("e", None), ("en_US", None), ("", None)],
)  # fmt: skip
def test_normalise_language(raw, code):
    assert normalise_language(raw) == code


def test_cursor_round_trip():
    assert decode_cursor(encode_cursor(1_700_000_000_123_456, 42)) == (1_700_000_000_123_456, 42)
    assert decode_cursor("-5.1") == (-5, 1)
    for bad in ("", "1", "a.b", "1.2.3", "1 .2"):
        assert decode_cursor(bad) is None


def test_display_html_absolutises_and_drops_property_classes():
    html = (
        '<p><a href="/a" class="u-like-of h-card">x</a><img src="i.png" srcset="i.png 1x, '
        '/j.png 2x"><code class="language-py">c</code><a href="#n">n</a></p>'
    )
    out = display_html(html, "https://hub.example/c/post?lang=en")
    assert 'href="https://hub.example/a"' in out and 'class="h-card"' in out
    assert "u-like-of" not in out
    assert 'srcset="https://hub.example/c/i.png 1x, https://hub.example/j.png 2x"' in out
    assert 'class="language-py"' in out
    assert 'href="https://hub.example/c/post?lang=en#n"' in out


def test_display_html_cleans_again():
    out = display_html('<p onclick="x">a<script>b</script><a href="javascript:c">d</a></p>', "")
    assert out == '<p>a<a rel="noopener noreferrer">d</a></p>'


def test_preview_text_cuts_on_a_word():
    assert preview_text("<p>one two three</p>", 9) == "one two…"
    assert preview_text("<p>short</p>") == "short"


def test_responses_read_urls_and_cites():
    found = responses({
        "in-reply-to": [{"type": ["h-cite"], "properties": {"url": ["https://a.example/"]}}],
        "like-of": "https://b.example/",
        "repost-of": ["not a url", {"value": "https://c.example/"}],
        "bookmark-of": [{"properties": {"url": ["javascript:x"]}}],
    })  # fmt: skip
    assert found == {
        "in-reply-to": [{"url": "https://a.example/", "name": "https://a.example/"}],
        "like-of": [{"url": "https://b.example/", "name": "https://b.example/"}],
        "repost-of": [{"url": "https://c.example/", "name": "https://c.example/"}],
    }
    assert response_html({"like-of": [{"url": "https://b.example/?a&b", "name": "<B>"}]}) == (
        '<p>Liked <a href="https://b.example/?a&amp;b">&lt;B&gt;</a></p>'
    )


def test_responses_bring_the_stored_reply_context():
    contexts = [{
        "target_norm": "https://a.example/post", "name": "A title",
        "url": "https://a.example/post?utm=x", "author_name": "Bob",
        "author_url": "https://a.example/", "author_photo_path": "webmentions/bob-abc123.webp",
    }, {"target_norm": "https://b.example/", "name": None, "url": None,
        "author_name": None, "author_url": "javascript:x", "author_photo_path": None}]  # fmt: skip
    found = responses(
        {"in-reply-to": "https://A.example/post#c", "like-of": ["https://b.example"],
         "repost-of": "https://c.example/"},
        contexts, lambda path: f"/storage/{path}",
    )  # fmt: skip
    assert found["in-reply-to"] == [{
        "url": "https://A.example/post#c", "name": "A title", "cited": True,
        "canonical": "https://a.example/post?utm=x",
        "author": {"name": "Bob", "url": "https://a.example/",
                   "photo": "/storage/webmentions/bob-abc123.webp"},
    }]  # fmt: skip
    # nothing of use read: the bare URL; no context at all: as before
    assert found["like-of"] == [{"url": "https://b.example", "name": "https://b.example",
                                 "cited": True}]  # fmt: skip
    assert found["repost-of"] == [{"url": "https://c.example/", "name": "https://c.example/"}]


def test_language_name():
    assert language_name("fr") == "Français"
    assert language_name("pt-BR") == "Português (pt-BR)"
    assert language_name("xx") == "xx"


def _entry(**row):
    base = {"default_language": "en", "published_at": None, "visibility": "public",
            "deleted_at": None, "status": "published"}  # fmt: skip
    return base | row


def _t(status, published_at=None):
    return {"status": status, "published_at": published_at}


NOW = datetime(2026, 5, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("entry", "translations", "language", "state"),
    [
        (_entry(published_at=NOW), {"en": _t("published", NOW)}, "en", "ok"),
        (_entry(status="draft"), {"en": _t("draft")}, "en", "missing"),
        (_entry(status="scheduled"), {"en": _t("scheduled")}, "en", "missing"),
        (_entry(status="moderation_review"), {"en": _t("moderation_review")}, "en", "missing"),
        (_entry(status="moderation_review", published_at=NOW), {"en": _t("published", NOW)},
         "en", "ok"),
        (_entry(status="draft", published_at=NOW), {"en": _t("draft", NOW)}, "en", "gone"),
        (_entry(status="archived", published_at=NOW), {"en": _t("archived", NOW)}, "en", "gone"),
        (_entry(status="archived"), {"en": _t("archived")}, "en", "missing"),
        (_entry(status="deleted", published_at=NOW, deleted_at=NOW),
         {"en": _t("published", NOW)}, "en", "gone"),
        (_entry(published_at=NOW, visibility="private"), {"en": _t("published", NOW)}, "en",
         "missing"),
        (_entry(published_at=NOW, visibility="unlisted"), {"en": _t("published", NOW)}, "en",
         "ok"),
        (_entry(published_at=NOW), {"en": _t("published", NOW), "fr": _t("draft", NOW)}, "fr",
         "gone"),
        (_entry(published_at=NOW), {"en": _t("published", NOW), "fr": _t("draft")}, "fr",
         "missing"),
        (_entry(published_at=NOW), {"en": _t("published", NOW)}, "de", "missing"),
    ],
)  # fmt: skip
def test_entry_state(entry, translations, language, state):
    assert entry_state(entry, translations, language) == state


def _request(headers: dict[str, str]) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "GET", "headers": raw, "path": "/"})


def test_is_fresh():
    tag = etag_of("a", 1)
    assert tag == etag_of("a", 1) != etag_of("a", 2) and tag.startswith('W/"')
    when = datetime(2026, 5, 20, 10, 0, 0, 500000, tzinfo=UTC)
    assert is_fresh(_request({"If-None-Match": tag}), tag, when)
    assert is_fresh(_request({"If-None-Match": f'"x", {tag.removeprefix("W/")}'}), tag, when)
    assert is_fresh(_request({"If-None-Match": "*"}), tag, when)
    assert not is_fresh(_request({"If-None-Match": '"x"'}), tag, when)
    since = "Wed, 20 May 2026 10:00:00 GMT"
    assert is_fresh(_request({"If-Modified-Since": since}), tag, when)
    assert not is_fresh(_request({"If-Modified-Since": "Wed, 20 May 2026 09:59:59 GMT"}), tag, when)
    assert not is_fresh(_request({"If-Modified-Since": "garbage"}), tag, when)
    assert not is_fresh(_request({"If-None-Match": '"x"', "If-Modified-Since": since}), tag, when)


def test_links_node_and_custom_domain():
    urls = Urls("https://hub.example")
    node = ChannelLinks(urls, "ada", None)
    assert node.home() == "https://hub.example/ada"
    assert node.home("fr") == "https://hub.example/ada?lang=fr"
    assert node.feed("rss", tag="a b", language="fr") == (
        "https://hub.example/ada/tags/a%20b/rss.xml?lang=fr"
    )
    assert node.endpoints == Endpoints("https://hub.example")
    custom = ChannelLinks(urls, "ada", "blog.example")
    assert custom.home() == "https://blog.example/"
    assert custom.feed("json") == "https://blog.example/feed.json"
    assert custom.entry("post", "en", primary="en") == "https://blog.example/post"
    assert custom.entry("post", "fr", primary="en") == "https://blog.example/post?lang=fr"
    assert custom.endpoints.rels()[0] == ("webmention", "https://blog.example/api/webmentions")
    assert custom.node_path("tags/a%20b") == "https://blog.example/tags/a%20b"
    assert (
        Endpoints("https://h")
        .link_header()
        .startswith(
            '<https://h/api/webmentions>; rel="webmention", <https://h/micropub>; rel="micropub"'
        )
    )


def _doc(**extra) -> FeedDoc:
    item = FeedItem(
        id="https://h/c/p?lang=en", url="https://h/c/p?lang=en", title="T & <t>",
        content_html="<p>a &amp; b</p>", summary=None, published=NOW, modified=NOW,
        language="en", tags=["x"], image=None, external_url=None,
    )  # fmt: skip
    values = dict(
        title="C", home_url="https://h/c", feed_url="https://h/c/rss.xml", description=None,
        language="en", updated=NOW, author_name="Ada", author_url="https://h/c", icon=None,
        hub=None, items=[item],
    )  # fmt: skip
    return FeedDoc(**(values | extra))


def test_feed_documents_are_well_formed():
    for render, version in ((rss, "rss20"), (atom, "atom10")):
        text = render(_doc(title="C\x00\x1f ok"))
        ET.fromstring(text.encode())
        parsed = feedparser.parse(text)
        assert parsed.bozo == 0 and parsed.version == version
        assert parsed.feed.title == "C ok"
        assert parsed.entries[0].title == "T & <t>"
        assert parsed.entries[0].content[0].value == "<p>a &amp; b</p>"
    assert b'"version":"https://jsonfeed.org/version/1.1"' in json_feed(_doc())
