import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.core.sanitize import (
    MAX_DEPTH,
    is_plainly_sanitised,
    removed_markup,
    sanitize_html,
    strip_tags,
    text_of_sanitised,
)


def test_script_and_its_content_are_removed():
    out = sanitize_html("<p>Hi</p><script>alert('pwned')</script>")
    assert out == "<p>Hi</p>"


def test_style_element_and_style_attribute_are_removed():
    out = sanitize_html('<style>p{color:red}</style><p style="position:fixed">text</p>')
    assert out == "<p>text</p>"


def test_iframe_object_embed_and_forms_are_removed():
    out = sanitize_html(
        '<iframe src="https://evil.example/">x</iframe><object data="x"></object>'
        '<embed src="x"><form action="/"><input name="q"><button>Go</button></form>'
    )
    for tag in ("iframe", "object", "embed", "form", "input", "button"):
        assert f"<{tag}" not in out


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="/a.png" onerror="alert(1)">',
        '<p onclick="alert(1)">x</p>',
        '<body onload="alert(1)">x</body>',
        '<a href="/" onmouseover="alert(1)">x</a>',
    ],
)
def test_event_handlers_are_removed(markup):
    assert "alert" not in sanitize_html(markup)


def test_svg_with_onload_is_removed():
    out = sanitize_html('<svg onload="alert(1)"><circle r="5"/></svg>after')
    assert "svg" not in out and "alert" not in out
    assert "after" in out


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "jav&#x0A;ascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    ],
)
def test_dangerous_link_schemes_are_removed(href):
    out = sanitize_html(f'<a href="{href}">click</a>')
    assert "href" not in out
    assert "click" in out


def test_data_urls_are_not_allowed_for_images():
    out = sanitize_html('<img src="data:image/png;base64,AAAA" alt="dot">')
    assert "data:" not in out
    assert 'alt="dot"' in out


def test_links_are_kept_with_safe_rel():
    out = sanitize_html('<a href="https://example.com/x" title="X" rel="opener">X</a>')
    assert 'href="https://example.com/x"' in out
    assert 'title="X"' in out
    assert 'rel="noopener noreferrer"' in out


@pytest.mark.parametrize("href", ["/relative/path", "mailto:ada@example.com", "tel:+4312345"])
def test_relative_mailto_and_tel_links_are_kept(href):
    assert f'href="{href}"' in sanitize_html(f'<a href="{href}">x</a>')


def test_images_keep_alt_and_dimensions():
    out = sanitize_html('<img src="https://e.com/a.jpg" alt="A cat" width="640" height="480">')
    assert 'src="https://e.com/a.jpg"' in out
    assert 'alt="A cat"' in out
    assert 'width="640"' in out and 'height="480"' in out


def test_tables_are_kept():
    markup = (
        "<table><thead><tr><th>a</th></tr></thead>"
        '<tbody><tr><td colspan="2">1</td></tr></tbody></table>'
    )
    assert sanitize_html(markup) == markup


def test_code_block_keeps_language_class():
    markup = '<pre><code class="language-python">print(1)</code></pre>'
    assert sanitize_html(markup) == markup


def test_microformat_classes_are_kept_and_other_classes_dropped():
    out = sanitize_html(
        '<div class="h-entry evil-overlay"><a class="u-url btn" href="/p">p</a>'
        '<span class="p-name dt-published">n</span></div>'
    )
    assert 'class="h-entry"' in out
    assert 'class="u-url"' in out
    assert 'class="p-name dt-published"' in out
    assert "evil-overlay" not in out and "btn" not in out


def test_class_with_only_unsafe_names_is_removed_entirely():
    assert sanitize_html('<span class="fixed-top">x</span>') == "<span>x</span>"


def test_dir_and_lang_are_kept_on_any_tag():
    out = sanitize_html('<p dir="rtl" lang="ar">مرحبا</p>')
    assert 'dir="rtl"' in out and 'lang="ar"' in out


def test_comments_are_removed():
    assert sanitize_html("a<!-- secret -->b") == "ab"


def test_removed_markup_reports_what_was_stripped():
    before = '<p onclick="x()" style="color:red">Hi<script>alert(1)</script></p>'
    assert removed_markup(before, sanitize_html(before)) == ["onclick", "script", "style"]


def test_removed_markup_is_empty_for_clean_html():
    before = '<p>Hi <a href="/x">there</a></p>'
    assert removed_markup(before, sanitize_html(before)) == []


def test_strip_tags_gives_plain_text():
    text = strip_tags("<h1>Title</h1><p>Fish &amp; chips<br>today</p><script>x()</script>")
    assert text == "Title Fish & chips today"


def test_strip_tags_decodes_entities_only_once_and_collapses_whitespace():
    assert strip_tags("a  &lt;b&gt;\n\n &amp;lt;  c") == "a <b> &lt; c"


def test_class_filter_applies_whatever_the_attribute_case():
    out = sanitize_html('<div CLASS="h-entry evil"><span Class="fixed">x</span></div>')
    assert out == '<div class="h-entry"><span>x</span></div>'


def test_markup_without_classes_keeps_its_allowed_attributes():
    markup = '<p><a href="/p" title="t">p</a> <img src="/a.png" alt="a" width="4"></p>'
    assert sanitize_html(markup) == (
        '<p><a href="/p" title="t" rel="noopener noreferrer">p</a>'
        ' <img src="/a.png" alt="a" width="4"></p>'
    )


def test_nesting_deeper_than_the_limit_loses_tags_not_text():
    # html5ever's time grows with the square of block nesting: 20,000 nested divs took a second
    deep = "<div>" * 20_000 + "bottom" + "</div>" * 20_000
    out = sanitize_html(deep)
    assert "bottom" in out
    assert out.count("<div>") == MAX_DEPTH
    tower = "<span>" * 5_000 + "<div>" * 5_000 + "x"  # inline elements count as depth too
    out = sanitize_html(tower)
    assert out.count("<span>") + out.count("<div>") == MAX_DEPTH and "x" in out
    slashed = "<div/>" * 5_000 + "y"  # HTML ignores the slash: these nest too
    out = sanitize_html(slashed)
    assert out.count("<div>") == MAX_DEPTH and "y" in out


def test_many_shallow_elements_are_kept_whole():
    paragraphs = "".join(f"<p>Paragraph {i} with <em>words</em>" for i in range(400))  # no </p>
    out = sanitize_html(paragraphs)
    assert out.count("<p>") == 400 and out.count("<em>") == 400
    nested = "<ul><li>a" * 40 + "</li></ul>" * 40 + "<div><b>x</b></div>" * 300
    out = sanitize_html(nested)
    assert out.count("<ul>") == 40 and out.count("<div>") == 300 and out.count("<b>") == 300


TEXT_SAMPLES = [
    "<p>Fish &amp; chips<br>today</p>",
    '<p><a href="https://x.test/?a=1&amp;b=2" title="a > b">link</a> &lt;tag&gt; &amp;amp;</p>',
    "<p>a&nbsp;b\u00a0c<img src=x.png alt='1 > 0'>d</p>",
    "<h1>T</h1><ul><li>one</li><li>two<ul><li>three</li></ul></li></ul><hr>after",
    "<table><tr><td>a</td><td>b</td></tr></table><figure><img src=a><figcaption>c"
    "</figcaption></figure>",
    "<p>keep<script>drop()</script><style>x{}</style><!-- note --> this</p>",
    "<div><p>unclosed <b>bold <i>both</b> italic</p>&am<b></b>p; &#60;b&#x3e; &bogus;",
    '<p title="&quot;quoted&quot;" lang="en">q</p><span class="h-card">Ada</span>',
    "plain &amp; text without tags",
    "<pre><code class=language-py>if a < b:\n    pass</code></pre>",
]


@pytest.mark.parametrize("markup", TEXT_SAMPLES)
def test_text_of_sanitised_html_is_what_the_parser_gives(markup):
    clean = sanitize_html(markup)
    assert text_of_sanitised(clean) == strip_tags(clean)


@pytest.mark.parametrize("text", ["a  &lt;b&gt;\n\n &amp;lt;  c", "x &amp y &#169; z", "  "])
def test_strip_tags_without_tags_matches_the_parser(text):
    from hub.core.sanitize import _Text

    parser = _Text()
    parser.feed(text)
    parser.close()
    assert strip_tags(text) == " ".join("".join(parser.parts).split())


_SOUP = ["<p>", "<li>", "<li class=x>", "<td ", "<th>", "<tr>", "<thead>", "<br />", "<hr>",
         "<img src=a>", "<P>", "<div>", "</div>", "<a href=x>", "</a>", "<em>", "</", "<3",
         "<", "<link>", "<table>", "<thx>", "<time>", "<p/>", "<tbody>", '<b title="<div>">',
         "x"]  # fmt: skip


@given(st.lists(st.sampled_from(_SOUP), max_size=40), st.integers(0, 6))
@settings(max_examples=400, deadline=None)
def test_the_start_tag_bound_never_skips_a_drop(parts, limit):
    """`_limit_depth` skips its walk when `_at_most_deep` says so: then the walk drops nothing."""
    from hub.core.sanitize import _at_most_deep, _drop_deep_tags

    markup = "".join(parts)
    if _at_most_deep(markup, limit):
        assert _drop_deep_tags(markup, limit) == markup


# -- is_plainly_sanitised: whatever it accepts, the sanitiser gives back unchanged -------------

_LINK = '<a href="{}" rel="noopener noreferrer">'
PLAIN = [
    "",
    "A note.",
    "<p>A note with a " + _LINK.format("http://127.0.0.5:4444/posts/17") + "reply</a>, "
    "and &amp; &lt;b&gt; &nbsp; \"quoted\" 'text' \u00e9 \U0001f600.</p>\n",
    "<p>one<br>two</p>\n<p><strong>b <em>e <code>c</code></em></strong></p>",
    "<strong><b><i>x</i></b></strong>",
    _LINK.format("https://Example.COM:8080/a/b.html?q=1#frag") + "x</a>",
    _LINK.format("http://127.0.0.40:43521/popular") + "a port of five digits</a>",
    _LINK.format("http://a.example:65535/") + "x</a>",
]
NOT_PLAIN = [
    "<p>x</p><p>",  # unclosed
    "</p>",
    "<p><p>x</p></p>",
    "<b><b>x</b></b>",
    "<b><i>x</b></i>",
    "<a>x</a>",
    '<a href="/relative" rel="noopener noreferrer">x</a>',
    '<a href="http://a.b.1/" rel="noopener noreferrer">x</a>',  # read as IPv4, refused
    '<a href="http://1.2.3.256/" rel="noopener noreferrer">x</a>',
    '<a href="http://xn--zz.example/" rel="noopener noreferrer">x</a>',
    '<a href="http://a.example:99999/" rel="noopener noreferrer">x</a>',
    '<a href="http://a.example:65536/" rel="noopener noreferrer">x</a>',
    '<a href="http://a.example:080/" rel="noopener noreferrer">x</a>',
    '<a href="http://a.example/?a=1&amp;b=2" rel="noopener noreferrer">x</a>',
    '<a href="http://a.example/" rel="nofollow noopener noreferrer">x</a>',
    '<a href="http://a.example/" class="u-url" rel="noopener noreferrer">x</a>',
    "<P>x</P>",
    "<p >x</p>",
    "<br/>",
    '<img src="http://a.example/x.png">',
    "<script>x</script>",
    "a &quot; b",
    "a &#38; b",
    "a & b",
    "a > b",
    "a\u00a0b",
    "a\r\nb",
    "\ufeffa",
    "a\x0cb",
    "a\x85b",
    "<!-- c -->",
]


@pytest.mark.parametrize("markup", PLAIN)
def test_plainly_sanitised_markup_is_recognised_and_kept(markup):
    assert is_plainly_sanitised(markup)
    assert sanitize_html(markup) == markup


@pytest.mark.parametrize("markup", NOT_PLAIN)
def test_markup_the_sanitiser_may_change_is_not_recognised(markup):
    assert not is_plainly_sanitised(markup)


_HOSTS = ["127.0.0.5", "1.2.3.256", "0.0.0.0", "01.2.3.4", "a.b.1", "example.com", "EXAMPLE.com",
          "xn--zz.example", "xN--a", "a-.b", "-a.b", "a..b", "a.b.", "localhost", "a_b.c",
          "1.2.3.4.example", "999", "a.b:0", "a.b:65535", "a.b:65536", "a.b:99999",
          "a.b:080", "127.0.0.40:43521", ""]  # fmt: skip
_PATHS = ["", "/", "/a/b", "/%zz", "/a b", "/~x?q=1", "?q", "#f", "/a#b?c", "/a?b=c&d", "\\x"]
_TEXT = ["a", " ", "\n", "&amp;", "&lt;", "&gt;", "&nbsp;", "&quot;", "&", "&amp", "\"", "'",
         ">", "<", "\u00a0", "\r", "\t", "\x0c", "\x7f", "\u00e9", "\ufeff", "\ufdd0",
         "\U0001f600"]  # fmt: skip
_TAGS = ["<p>", "</p>", "<br>", "<br/>", "</br>", "<strong>", "</strong>", "<em>", "</em>", "<b>",
         "</b>", "<i>", "</i>", "<code>", "</code>", "</a>", "<a>", "<div>", "</div>", "<li>",
         "<table>", "<td>", "<pre>", "<P>", "<!--x-->", "<script>", "<title>"]  # fmt: skip
_PART = st.one_of(
    st.sampled_from(_TEXT),
    st.sampled_from(_TAGS),
    st.builds(lambda s, h, p, r: f'<a href="{s}://{h}{p}"{r}>',
              st.sampled_from(["http", "https", "HTTP", "ftp", "javascript"]),
              st.sampled_from(_HOSTS), st.sampled_from(_PATHS),
              st.sampled_from([' rel="noopener noreferrer"', "", ' rel="x"', ' title="t"'])),
    st.text(max_size=3),
)  # fmt: skip


@given(st.lists(_PART, max_size=30))
@settings(max_examples=3000, deadline=None)
def test_whatever_is_recognised_the_sanitiser_keeps(parts):
    markup = "".join(parts)
    if is_plainly_sanitised(markup):
        assert sanitize_html(markup) == markup


@given(st.lists(st.sampled_from([*PLAIN[1:], "<p>", "</p>", "x", "<br>", "&amp;"]), max_size=20))
@settings(max_examples=1000, deadline=None)
def test_whatever_is_recognised_the_sanitiser_keeps_plain_mixes(parts):
    markup = "".join(parts)
    if is_plainly_sanitised(markup):
        assert sanitize_html(markup) == markup


_WORDY = [*TEXT_SAMPLES, *_SOUP, " ", "  word ", "a", "&amp;", "&am", "p;", "<!-- c -->",
          "<!--", "-->", "<script>s t</script>", "<b>", "</b>", "x\u00a0y", "<![CDATA[z]]>",
          "é"]  # fmt: skip


@given(st.lists(st.sampled_from(_WORDY), max_size=40), st.integers(1, 6), st.integers(1, 9))
@settings(max_examples=1500, deadline=None)
def test_leading_words_are_the_first_words_of_the_whole_text(parts, count, first_read):
    """A long body's slug and title check read only its first words: fed in growing pieces cut
    anywhere (in a tag, an entity, a comment), they are the whole text's first words."""
    from hub.core import sanitize

    markup = "".join(parts)
    expected = strip_tags(markup).split()[:count]
    saved = sanitize._FIRST_READ
    sanitize._FIRST_READ = first_read
    try:
        assert sanitize.leading_words(markup, count) == expected
    finally:
        sanitize._FIRST_READ = saved
