"""Discovery's scan of plainly written pages (`hub.webmentions.send.plain_scan`) finds what
the tokenizer's scan finds, or gives up: checked on hostile mixes of the pieces pages are
made of, each mix read both ways."""

from __future__ import annotations

import random
from html import unescape

import pytest

from hub.webmentions.send.discovery import _Scanner, discover
from hub.webmentions.send.plain_scan import NotPlain, scan_plain

PIECES = [
    "<!doctype html>",
    "<!DOCTYPE html PUBLIC>",
    "<html>",
    "<head>",
    "</head>",
    "<body>",
    "<title>A &amp; B</title>",
    "<TITLE>Upper</TITLE>",
    "<title>\n  spaced \n</title>",
    "<title></title>",
    "<title>no end",
    "<title>a <b>tag</b></title>",
    "<title/>",
    '<link rel="webmention" href="/wm">',
    '<link rel="Webmention" href="/upper">',
    '<link rel="stylesheet webmention" href="/two">',
    '<link rel="webmention">',
    '<link rel="webmention" href="">',
    '<link rel="http://webmention.org/" href="/legacy">',
    '<a rel="webmention" href="/a">',
    "<a rel=webmention href=/unquoted>",
    "<a rel='webmention' href='/single'>",
    '<a href="/first" href="/second" rel="webmention">',
    '<a rel="webmention" href="/x&amp;y">',
    '<base href="/base/">',
    '<base target="_top">',
    "<template>",
    "</template>",
    '<template><link rel="webmention" href="/tpl"></template>',
    "<svg>",
    "</svg>",
    "<svg/>",
    '<svg><a rel="webmention" href="/svg"></a></svg>',
    "<math>",
    "</math>",
    "<!-- a comment -->",
    '<!-- <link rel="webmention" href="/c"> -->',
    "<!-->",
    "<!--->",
    "<!-- open",
    "--!>",
    "-->",
    '<script>"<link rel=webmention href=/s>"</script>',
    "<style>a{}</style>",
    "<textarea><a></textarea>",
    "<p>",
    "</p>",
    "text",
    "a < b",
    "<",
    ">",
    "&lt;link&gt;",
    "<br/>",
    '<img alt="a > b" src="/i">',
    '<img alt="<a>">',
    '<a\nrel="webmention"\thref="/ws">',
    '<a  rel="webmention"  href="/sp" >',
    '<a rel = "webmention" href="/eq">',
    "<?pi?>",
    "<![CDATA[x]]>",
    "</a>",
    "<a/>",
    '<a\x0brel="webmention" href="/vt">',
    '<a rel="webmention" href="/self" />',
]


def _tokenizer(text: str, *, href: str | None = None):
    scanner = _Scanner(text)
    if href is not None:
        scanner.href, scanner.want_base = href, False
    scanner.scan(text)
    return scanner.base, scanner.href, scanner.title


def _plain(text: str, *, href: str | None = None):
    lower = text.lower()
    base, found, title = scan_plain(
        text, want_base=href is None and "<base" in lower, want_title="<title" in lower,
        href=href,
    )  # fmt: skip
    return base, found, " ".join(unescape(title).split())[:200] or None if title else None


@pytest.mark.parametrize("known", [None, "https://t.example/from-link-header"])
def test_the_plain_scan_finds_what_the_tokenizer_finds_or_gives_up(known):
    rng = random.Random(17)
    plain = 0
    for _ in range(6000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8)))
        try:
            base, href, title = _plain(text, href=known)
        except NotPlain:
            continue
        plain += 1
        assert (base, href, title) == _tokenizer(text, href=known), text
    assert plain > 1000  # the mixes are plain often enough to test something


def test_a_plain_page_is_read_without_the_tokenizer_and_a_script_gives_up():
    page = '<!doctype html><html><head><title>T</title><link rel="webmention" href="/wm">'
    assert scan_plain(page, want_base=False, want_title=True, href=None) == (None, "/wm", "T")
    with pytest.raises(NotPlain):
        scan_plain("<script>x</script>" + page, want_base=False, want_title=True, href=None)


def test_discover_reads_a_page_with_markup_before_its_link_through_the_tokenizer():
    body = b"<html><head><script>var a = '<link>';</script><title>T</title>"
    body += b"<link rel=webmention href=/wm></head></html>"
    found = discover("https://t.example/p", [("Content-Type", "text/html")], body)
    assert (found.endpoint, found.title) == ("https://t.example/wm", "T")
