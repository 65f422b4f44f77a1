from hub.core.markdown import html_image_urls, markdown_image_urls, render_markdown


def test_headings_and_emphasis():
    out = render_markdown("# Title\n\nSome *em* and **strong** text.")
    assert "<h1>Title</h1>" in out
    assert "<em>em</em>" in out
    assert "<strong>strong</strong>" in out


def test_tables():
    out = render_markdown("| a | b |\n|---|--:|\n| 1 | 2 |\n")
    assert "<table>" in out
    assert "<th>a</th>" in out
    assert "<td>1</td>" in out


def test_strikethrough():
    assert "<s>gone</s>" in render_markdown("~~gone~~")


def test_fenced_code_keeps_language_class():
    out = render_markdown("```python\nprint('<hi>')\n```\n")
    assert '<pre><code class="language-python">' in out
    assert "print('&lt;hi&gt;')" in out


def test_task_lists_show_checked_and_unchecked_items():
    out = render_markdown("- [ ] buy milk\n- [x] write post\n")
    assert "\u2610 buy milk" in out
    assert "\u2611 write post" in out
    assert "<input" not in out


def test_links_get_safe_rel_and_autolinks_work():
    out = render_markdown("[home](https://example.com/) and <https://e.org/x>")
    assert '<a href="https://example.com/" rel="noopener noreferrer">home</a>' in out
    assert 'href="https://e.org/x"' in out


def test_javascript_links_in_markdown_are_not_clickable():
    for text in ("[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "<javascript:alert(1)>"):
        assert "href" not in render_markdown(text)


def test_raw_html_is_shown_literally_by_default():
    out = render_markdown("I <3 <b>bold</b>")
    assert out.strip() == "<p>I &lt;3 &lt;b&gt;bold&lt;/b&gt;</p>"


def test_raw_html_is_passed_and_sanitised_when_allowed():
    out = render_markdown('I <3 <b>bold</b> <span onclick="x()">s</span>', allow_html=True)
    assert "<b>bold</b>" in out
    assert "I &lt;3" in out
    assert "onclick" not in out


def test_script_never_survives():
    text = "Hello\n\n<script>alert(1)</script>\n\ninline <script>alert(2)</script>"
    for allow_html in (False, True):
        out = render_markdown(text, allow_html=allow_html)
        assert "<script" not in out
    assert "alert" not in render_markdown(text, allow_html=True)


def test_markdown_image_urls_from_markdown_and_raw_html():
    text = (
        '![a cat](https://e.com/cat.jpg "Cat")\n\n'
        '<p><img src="/media/dog.png" alt="dog"></p>\n\n'
        "Inline <img src='/media/x.webp'> and [![again](https://e.com/cat.jpg)](/link)\n"
    )
    assert markdown_image_urls(text) == [
        "https://e.com/cat.jpg",
        "/media/dog.png",
        "/media/x.webp",
    ]


def test_markdown_image_urls_empty_without_images():
    assert markdown_image_urls("Just [a link](/x) and `![not](/code.png)`") == []


def test_html_image_urls():
    markup = '<p><img src="/a.png"><img alt="no src"><img src="https://e.com/b.jpg"></p>'
    assert html_image_urls(markup) == ["/a.png", "https://e.com/b.jpg"]
