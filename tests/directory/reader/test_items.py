"""What the directory stores of a post's content (`hub.directory.reader.items`): sanitised
HTML within the `posts.content` column's limit, cut at a character boundary."""

from __future__ import annotations

import pytest

from hub.directory.reader.items import (
    MAX_CONTENT_BYTES,
    clean_html,
    fit_content,
    plain_text,
    text_of_clean,
)


def test_content_within_the_limit_is_unchanged():
    html = '<p>Quince <a href="https://a.example/">tree</a></p>'
    assert fit_content(html, 1000) == html


def test_long_content_is_cut_at_a_character_boundary_and_closed():
    html = "<p>" + "ä" * 50 + "</p>"  # 2 bytes a character
    fitted = fit_content(html, 40)
    assert len(fitted.encode()) <= 40
    assert fitted.startswith("<p>ää") and fitted.endswith("</p>")
    assert "\ufffd" not in fitted


def test_the_cut_never_lands_inside_a_tag_or_an_entity():
    html = "<p>" + "word " * 10 + '<a href="https://a.example/long/path">x</a> &amp; more</p>'
    for limit in range(20, len(html)):
        fitted = fit_content(html, limit)
        assert len(fitted.encode()) <= limit, limit
        assert '<a href="https://a.example/long/pa' not in fitted or "</a>" in fitted
        assert "&amp" not in fitted or "&amp;" in fitted


def test_clean_html_keeps_links_nofollow_and_fits_the_column():
    link = '<a href="https://a.example/">q</a> '
    fitted = clean_html("<p>" + link * 20000 + "</p>", None)  # grows by nofollow past 256 KB
    assert len(fitted.encode()) <= MAX_CONTENT_BYTES
    assert 'rel="nofollow noopener noreferrer"' in fitted and fitted.endswith("</p>")


@pytest.mark.parametrize(
    "markup",
    ['<p>Cut <a href="/tools">with care</a>.</p><script>alert(1)</script><p>Done</p>',
     "<div><p>One</p><p>Two &amp; <b>three</b></p><br>four<img src=x.png>\n\n five</div>",
     "a &lt;b&gt; &#169; <!-- c --> <style>p{}</style>text", "<ul><li>x</li><li>y</li></ul>",
     "<p>" + "é" * 300 + "</p>"],
)  # fmt: skip
def test_text_of_clean_html_is_its_plain_text(markup):
    clean = clean_html(markup, "https://a.example/post")
    assert text_of_clean(clean) == (plain_text(clean) or "")
    cut = clean_html(markup * 200, None)[:700]
    assert text_of_clean(fit_content(cut, 500)) == (plain_text(fit_content(cut, 500)) or "")


@pytest.mark.parametrize(
    "value",
    ["https://a.example", "http://a.example:8080/x/y.html", "https://a.example/../x",
     " https://a.example//x ", "https://a.example/x/?a=1&b=2", "https://A.Example/X%20y"],
)  # fmt: skip
def test_plain_absolute_urls_are_kept_as_urljoin_gives_them(value):
    from urllib.parse import urljoin

    from hub.directory.reader.items import absolute_url

    for base in ("https://feeds.example/blog/feed.xml", "http://other.example/"):
        assert absolute_url(value, base) == urljoin(base, value.strip()) == value.strip()
