"""`sanitize_rendered` (string passes over markdown-it.rs' HTML) gives exactly what the full
sanitiser gives, on hostile Markdown and on generated texts; raw HTML never reaches it."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.core import markdown, rendered_html
from hub.core.markdown import render_markdown
from hub.core.rendered_html import may_hold_html, sanitize_rendered
from hub.core.sanitize import sanitize_html

_URLS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:x", "file:///etc/passwd",
         "data:image/png;base64,AAAA", "data:text/html;base64,PHNjcmlwdD4=",
         "java&#115;cript:alert(1)", "&#106;avascript:x", "javascript&colon;x", "java\\script:x",
         "<javascript:x>", " javascript:x", "%20javascript:x", "http://xn--80ak6aa92e.com",
         "http://xn--a.com", "http://XN--a.com", "http://a.xn--b.com", "http://999.1.1.1/",
         "http://1.2.3.4", "http://0x7f.1/", "http://e.0x1/", "http://e.com:99999/",
         "http://e.com:80/", "http://e.com:/", "http://u:p@e.com/", "http://[::1]/", "http://-/",
         "http://e..com/", "http://e.com./", "http:e.com", "http:/e.com", "https://", "ftp://x",
         "foo:bar", "a+b.c-d:e", "1a:b", "//e.com/x", "///x", "mailto:a@b.c", "MAILTO:a@b.c",
         "tel:+1", "mailto://x", "mailto:", "HTTPS://E.COM/A?b=1&c=2#d", "?q", "#f", "", "<>",
         "<a b>", "http://e.com/\\x", "http://e%41.com/", "http://é.com/",
         "http://e.com/é"]  # fmt: skip
HOSTILE = [
    *(f"[l]({url})" for url in _URLS),
    *(f"![i]({url})" for url in _URLS),
    *(f"[r]\n\n[r]: {url}" for url in _URLS),
    *(f"<{url}>" for url in _URLS),
    "<javascript:alert(1)> <vbscript:x> <data:text/html,<script>x</script>>",
    "<script>alert(1)</script> <img src=x onerror=alert(1)> <a href=javascript:x>a</a>",
    "<div>\n*x*\n</div>\n\n<!-- c --> <? p ?> <!X> <![CDATA[x]]> </b>",
    "&lt;script&gt;alert(1)&lt;/script&gt; &#60;b&#62; &#x3C;i&#x3E; &amp;lt;",
    "&quot;q&quot; \"q\" 'q' &nbsp;x\u00a0y &copy; &#0;",
    "&#1;",
    "&#13;",
    "&#127;",
    "&#x85;",
    "&#xFFFE;",
    "&#xD800;",
    '[t](/u "a &quot;b&quot;")',
    "[t](/u 'a \"b\"')",
    "[t](/u \"<c> &amp; 'd'\")",
    '![a "b" <c>](/i.png)',
    "![a](/i.png 't \"x\"')",
    '![a\u00a0b](/i.png "c\u00a0d")',
    "[r]\n\n[r]: javascript:alert(1)\n\n[ok][o] ![img][o]\n\n[o]: /ok 'T'",
    "[<https://inner.example>](https://outer.example)",
    "[a [b](/b) c](/a)",
    "[<me@x.org>](/a)",
    "![outer ![inner](/in.png)](/out.png)",
    "[![img](/i.png)](/link)",
    "<https://a.b/c?d=e&f=g> <me@example.org> <MAILTO:x@y.z> <irc://x> <a+b:c>",
    '```python"onclick=x\ncode\n```',
    "```c#\nx\n```",
    "```h-card e-x\ny\n```",
    "```\nz\n```",
    "```&quot;\nz\n```",
    "```a&amp;b\nz\n```",
    "~~~ language-x\nq\n~~~",
    "- [ ] a\n- [x] b\n\n1. [X] c\n\n   d\n\n5) [ ] e\n- [ ]f",
    "| a | b | c |\n|:-|-:|:-:|\n| `|` | *x* | [l](/l) |\n",
    "*" * 300 + "deep" + "*" * 300,
    "*a " * 300 + "b" + " a*" * 300,
    "> " * 40 + "quote\n\n" + "- " * 20 + "list",
    "line  \nbreak\\\nagain\n\n---\n\n***\n\nSetext\n===",
    "`<code>` ``a ` b`` \\<not html\\> \\[not link\\]",
    "A\u2028B\u2029C \ufeff \u200b e\u0301 \U0001f600",
]


def _both_ways(text: str, allow_html: bool) -> None:
    html, by_rust = markdown._rendered(text, allow_html, True)
    if by_rust and not (allow_html and may_hold_html(text)):
        assert sanitize_rendered(html) == sanitize_html(html), text


@pytest.mark.parametrize("allow_html", [False, True])
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_comes_out_as_the_full_sanitiser_makes_it(text, allow_html):
    _both_ways(text, allow_html)


_PIECES = ["[", "]", "(", ")", "](", "![", "<", ">", "`", "```", "*", "_", "~~", "\\", '"',
           "'", "&", ";", "&quot;", "&amp;", "&#13;", "&#1;", "&nbsp;", "\u00a0", "&#x85;",
           "javascript:", "data:image/png;base64,", "https://", "http://", "HTTP://", "mailto:",
           "tel:", "ftp:", "//", "xn--", "e.com", ":8080", ":99999", "1.2.3.4", "999", "0x1", ".",
           "@", "/p",
           "?a=1&b=2", "#f", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\r", "- ", "- [ ] ",
           "- [x] ", "1. ", "> ", "# ", "    ", "| a | b |\n|:-|-:|\n| c | d |\n",
           "[r]: /r 't'\n", "[r]", "<https://a.b/c>", "<me@x.org>", "<div>", "</a>", "<!--",
           "x", "word", "é", "\u2028", "title", "class", "language-"]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=30), st.booleans())
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_markdown_comes_out_as_the_full_sanitiser_makes_it(pieces, allow_html):
    _both_ways("".join(pieces), allow_html)


@given(st.text(max_size=60), st.booleans())
@settings(max_examples=500, deadline=None)
def test_random_text_comes_out_as_the_full_sanitiser_makes_it(text, allow_html):
    _both_ways(text, allow_html)


@given(st.lists(st.sampled_from(_PIECES), max_size=30))
@settings(max_examples=1500, deadline=None)
def test_a_text_without_possible_raw_html_renders_the_same_with_html_allowed(pieces):
    """`may_hold_html` is a superset: when it says no, the HTML rules changed nothing."""
    text = "".join(pieces)
    if not may_hold_html(text) and markdown._fast_path_is_safe(text):
        with_html, by_rust = markdown._rendered(text, True, True)
        if by_rust:  # not a text markdown-it.rs panics on
            assert with_html == markdown._rendered(text, False, True)[0]


def test_raw_html_with_html_allowed_goes_through_the_full_sanitiser(monkeypatch):
    def refuse(html):
        raise AssertionError("raw HTML reached the string passes")

    monkeypatch.setattr(markdown, "sanitize_rendered", refuse)
    out = render_markdown('<a href="javascript:x" onclick="y">a</a> <b>b</b>', allow_html=True)
    assert out == '<p><a rel="noopener noreferrer">a</a> <b>b</b></p>\n'


def test_a_plain_article_needs_no_parse(monkeypatch):
    """The common case stays on the string passes (what makes rendering fast)."""
    from tests.core.test_markdown import ARTICLE

    text = ARTICLE + '\n[x](https://e.com/a?b=1&c=2 "t") <me@x.org> &nbsp;"q"\n'
    expected = render_markdown(text)

    def refuse(html):
        raise AssertionError("fell back to the parser")

    monkeypatch.setattr(rendered_html, "sanitize_html", refuse)
    assert render_markdown(text) == expected
