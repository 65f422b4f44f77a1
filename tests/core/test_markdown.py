from html.parser import HTMLParser

from hub.core.markdown import html_image_urls, markdown_image_urls, render_markdown


def test_commonmark_and_gfm_render():
    html = render_markdown(
        "# Title\n\n*em* **strong** ~~gone~~\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "```python\nprint(1)\n```\n\n- [x] done\n- [ ] todo\n"
    )
    assert "<h1>Title</h1>" in html
    assert "<em>em</em>" in html and "<strong>strong</strong>" in html and "<s>gone</s>" in html
    assert "<table>" in html and "<td>2</td>" in html
    assert '<code class="language-python">' in html
    assert 'checked="checked"' in html and html.count('type="checkbox"') == 2


def test_raw_html_is_escaped_in_plain_markdown():
    html = render_markdown("I <3 <b>bold</b> claims")
    assert html.strip() == "<p>I &lt;3 &lt;b&gt;bold&lt;/b&gt; claims</p>"


def test_raw_html_is_sanitised_when_allowed():
    html = render_markdown("hi <b>there</b>\n\n<script>alert(1)</script>\n", allow_html=True)
    assert "<b>there</b>" in html and "script" not in html and "alert" not in html


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.seen = []

    def handle_starttag(self, tag, attrs):
        self.seen += [(tag, name, value or "") for name, value in attrs]


def _attributes(html):
    parser = _Attributes()
    parser.feed(html)
    return parser.seen


def test_script_never_survives_either_way():
    for allow in (False, True):
        html = render_markdown(
            '[x](javascript:alert(1)) <img src=x onerror="alert(1)">', allow_html=allow
        )
        for _tag, name, value in _attributes(html):
            assert not name.startswith("on") and not value.lower().startswith("javascript")
        assert "<script" not in html


def test_image_urls_are_found_in_markdown_and_html():
    text = (
        "![a](https://x.example/a.png)\n\n"
        '<img src="https://y.example/b.png">\n\n'
        'text <img src="/c.png">'
    )
    assert markdown_image_urls(text) == [
        "https://x.example/a.png",
        "https://y.example/b.png",
        "/c.png",
    ]
    assert html_image_urls('<p><img src="a"><img src="b"><img src="a"></p>') == ["a", "b"]
