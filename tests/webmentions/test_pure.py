"""Pure parts of webmentions (URL normalisation and target parsing are in tests/core/urls):
link matching, the representative h-entry, type order (R-W7), authorship and content shortening."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import mf2py
import pytest

from hub.core.webmentions.content import sanitize_mention_html, truncate_text
from hub.webmentions.send.targets import Translation, content_links, entry_targets
from hub.webmentions.verify.mf2 import (
    card_from_author_page,
    interpret,
    parse_published,
    representative_entry,
)
from hub.webmentions.verify.source import links_to, load


def test_links_in_html_resolve_against_base_and_decode_entities():
    body = b'<base href="https://hub.test/ada_blog/"><a href="post?x=1&amp;y=2">p</a>'
    source = load("text/html", None, body)
    assert links_to(source, "https://elsewhere.example/", "http://hub.test/ada_blog/post?x=1&y=2")
    assert not links_to(source, "https://elsewhere.example/", "http://hub.test/ada_blog/other")


def test_representative_entry_prefers_the_one_at_the_source_url():
    doc = (
        '<div class="h-entry"><a class="u-url" href="https://s.example/1">1</a></div>'
        '<div class="h-feed"><div class="h-entry"><a class="u-url" href="https://s.example/2">'
        "2</a></div></div>"
    )
    mf2 = mf2py.parse(doc=doc, url="https://s.example/2")
    entry, feed = representative_entry(mf2, ["https://s.example/2"])
    assert entry["properties"]["url"] == ["https://s.example/2"] and feed is not None


def test_type_order_and_h_cite_targets():
    target = "https://hub.test/c/p"
    doc = (
        '<div class="h-entry"><a class="u-like-of" href="https://hub.test/c/p">l</a>'
        '<div class="u-repost-of h-cite"><a class="u-url" href="https://hub.test/c/p/">r</a></div>'
        "</div>"
    )
    found = interpret(
        mf2py.parse(doc=doc, url="https://s.example/"),
        source="https://s.example/", final_url="https://s.example/", target=target, title=None,
    )  # fmt: skip
    assert found.type == "repost"


def test_author_page_card_needs_url_and_uid_or_rel_me():
    page = mf2py.parse(
        doc='<a rel="me" href="https://a.example/">me</a>'
        '<div class="h-card"><a class="p-name u-url" href="https://other.example/">Other</a></div>'
        '<div class="h-card"><a class="p-name u-url" href="https://a.example/">Alice</a></div>',
        url="https://a.example/",
    )
    assert card_from_author_page(page, "https://a.example/").name == "Alice"


def test_name_is_dropped_when_it_is_the_content():
    doc = (
        '<div class="h-entry"><p class="p-name e-content">Hello <a '
        'href="https://hub.test/c/p">there</a></p></div>'
    )
    found = interpret(
        mf2py.parse(doc=doc, url="https://s.example/"),
        source="https://s.example/", final_url="https://s.example/",
        target="https://hub.test/c/p", title=None,
    )  # fmt: skip
    assert found.name is None and found.content_text == "Hello there"


def test_published_times():
    assert parse_published("2026-05-20T12:00:00+0200") == datetime(2026, 5, 20, 10, tzinfo=UTC)
    assert parse_published("2026-05-20 12:00Z") == datetime(2026, 5, 20, 12, tzinfo=UTC)
    assert parse_published("2026-05-20") == datetime(2026, 5, 20, tzinfo=UTC)
    assert parse_published("someday") is None


def test_truncation_closes_elements():
    html, text = sanitize_mention_html("<blockquote><p>" + "abc " * 100 + "</p></blockquote>", 20)
    assert html.endswith("…</p></blockquote>") and len(text) <= 21
    assert truncate_text("short") == "short"


def test_send_targets_primary_permalink_wins():
    primary = Translation(
        "en", '<a href="https://t.example/x">x</a>', "https://hub.test/c/e?lang=en"
    )
    secondary = Translation(
        "fr",
        '<a href="https://t.example/x">x</a><a href="https://t.example/y">y</a>',
        "https://hub.test/c/e?lang=fr",
    )
    targets = entry_targets([primary, secondary], {}, is_own=lambda norm: False)
    assert [(t.target, t.source) for t in targets] == [
        ("https://t.example/x", "https://hub.test/c/e?lang=en"),
        ("https://t.example/y", "https://hub.test/c/e?lang=fr"),
    ]


@pytest.mark.parametrize(
    ("html", "links"),
    [
        ("<p>No links, an <abbr>abbr</abbr> and &lt;a href=x&gt; as text.</p>", []),
        ('<p><A HREF="/up">upper</A></p>', ["https://hub.test/up"]),
        (
            '<p><a\nhref="/nl">newline</a><a/href="/slash">slash</a></p>',
            ["https://hub.test/nl", "https://hub.test/slash"],
        ),
        ('<a href="/plain">x</a>', ["https://hub.test/plain"]),
        ("<p>ends with <a", []),
    ],
)
def test_content_links_find_every_a_tag_and_only_those(html, links):
    assert content_links(html, "https://hub.test/c/e") == links


_PIECES = [
    '<a href="http://x.test/a">',
    "</a>",
    "<p>",
    "</p>",
    "text",
    "&amp;",
    '&lt;a href="y"&gt;',
    '<a href="/rel">',
    '<a title="t" href="http://e.test/p?q=1&amp;r=2">',
    "<a href='/single'>",
    "<a href=/unquoted>",
    '<!-- <a href="/comment"> -->',
    '<script><a href="/script"></script>',
    '<a href="">',
    '<a href="  /spaced  ">',
    "<a href>",
    '<a href="/1" href="/2">',
    '<A HREF="/UP">',
    '<a\nhref="/nl">',
    '<a/href="/slash">',
    '<img alt="<a href=x>" src="/i">',
    '<img alt="a > b" src="/i">',
    '<abbr title="x">',
    '<a href="http://x.test/../b">',
    '<a href="http://x.test/a b">',
    '<a href="https://x.test:8/p.html">',
    "<br/>",
    "<br />",
    '<a href="/x"/>',
    "<",
    ">",
    "<style>a</style>",
    '<a href="javascript:x">',
    '<a href="http://x.test/?">',
    '<a href="http://x.test/#f">',
    '<a href="HTTP://X.test/">',
    '<a  href="/two-spaces"  >',
    '<a href = "/eq">',
    '<a data-x="1" href="/d">',
    '<a href="&#104;ttp://e.test/">',
    "<?pi?>",
    "<!doctype html>",
]


def test_content_links_read_as_the_tokenizer_reads_them():
    """Sanitised HTML is read by one regular expression; anything else by the tokenizer.
    Both give the same links, for hostile mixes too."""
    from html.parser import HTMLParser
    from urllib.parse import urljoin

    class Anchors(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.hrefs = []

        def handle_starttag(self, tag, attrs):
            href = dict(attrs).get("href") if tag == "a" else None
            if href and href.strip():
                self.hrefs.append(href.strip())

    base = "https://hub.test/c/e?lang=en"
    rng = random.Random(20)
    for _ in range(5000):
        html = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 6)))
        parser = Anchors()
        parser.feed(html)
        parser.close()
        assert content_links(html, base) == [urljoin(base, h) for h in parser.hrefs], html
