import pytest

from hub.core import markdown
from hub.core.errors import TooLarge
from hub.core.markdown import html_image_urls, markdown_image_urls, render_markdown
from hub.core.offload import INLINE_BYTES


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


ARTICLE = """# Title

Intro with *em*, **strong**, ~~struck~~, `code` and a [link](https://e.com/a "T").

- [ ] todo
- [x] done

1. one
2. two

> quoted

| a | b |
|:--|--:|
| 1 | 2 |

```py
x = 1 < 2
```

![cat](/media/cat.webp)

---
"""


def test_a_typical_article_renders_to_exactly_this_html():
    assert render_markdown(ARTICLE) == (
        "<h1>Title</h1>\n"
        "<p>Intro with <em>em</em>, <strong>strong</strong>, <s>struck</s>, <code>code</code>"
        ' and a <a href="https://e.com/a" title="T" rel="noopener noreferrer">link</a>.</p>\n'
        "<ul>\n<li>\u2610 todo</li>\n<li>\u2611 done</li>\n</ul>\n"
        "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n"
        "<blockquote>\n<p>quoted</p>\n</blockquote>\n"
        "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n"
        '<pre><code class="language-py">x = 1 &lt; 2\n</code></pre>\n'
        '<p><img src="/media/cat.webp" alt="cat"></p>\n<hr>\n'
    )


def test_task_glyphs_in_loose_ordered_and_nested_lists():
    out = render_markdown("- [ ] a\n\n- [X] b\n  - [x] c\n\n1. [ ] d\n- [ ]not a task\n")
    assert "<p>\u2610 a</p>" in out
    assert "<p>\u2611 b</p>" in out
    assert "\u2611 c" in out
    assert "\u2610 d" in out
    assert "[ ]not a task" in out
    assert "<input" not in out


def test_bare_urls_and_emails_stay_text():
    out = render_markdown("See https://e.com/x, www.e.com and me@e.com.")
    assert out == "<p>See https://e.com/x, www.e.com and me@e.com.</p>\n"


def test_block_html_is_escaped_unless_allowed():
    text = "<div>\n*x*\n</div>\n\n<img src=/a.png>\n"
    assert render_markdown(text) == (
        "<p>&lt;div&gt;\n<em>x</em>\n&lt;/div&gt;</p>\n<p>&lt;img src=/a.png&gt;</p>\n"
    )
    assert render_markdown(text, allow_html=True) == '<div>\n*x*\n</div>\n<img src="/a.png">\n'


def test_unclosed_raw_html_is_closed_by_the_sanitiser():
    out = render_markdown("<div><b>bold\n\n*md*", allow_html=True)
    assert out.startswith("<div><b>bold")
    assert out.count("</b>") == 1 and out.count("</div>") == 1


@pytest.mark.parametrize("text", ["a [`b", "[`", "see ![`x"])
def test_inputs_the_fast_parser_panics_on_still_render(text):
    assert render_markdown(text).startswith("<p>")
    assert markdown_image_urls(text + " ![i](/i.png)") == ["/i.png"]


@pytest.mark.parametrize(
    "text",
    ["> " * 50_000 + "x", "- " * 50_000 + "x", "*a " * 2_000 + "b" + " a*" * 2_000,
     "![" * 10_000 + "a" + "](/u.png)" * 10_000],
)  # fmt: skip
def test_very_deep_nesting_renders_without_crashing(text):
    out = render_markdown(text, allow_html=True)
    assert out.startswith(("<blockquote>", "<ul>", "<p>"))


@pytest.mark.parametrize(
    "text", ["![" * 100_000 + "a", "![" * 30_000 + "a" + "](/u.png)" * 30_000, "[" * 300_000]
)
def test_long_texts_for_the_slow_path_are_refused_before_rendering(text):
    with pytest.raises(TooLarge) as refused:
        render_markdown(text)
    assert refused.value.code == "markdown_too_complex"
    assert f"{len(text):,}" in refused.value.message
    if "![" in text:
        with pytest.raises(TooLarge):
            markdown_image_urls(text)


def test_long_plain_texts_render_in_the_worker_process_like_short_ones():
    paragraph = "Some *text* with ![an image](/i.png) and `code` [x][r].\n\n"
    text = paragraph * (INLINE_BYTES // len(paragraph) + 1) + "[r]: /r\n"
    assert len(text) > INLINE_BYTES
    assert render_markdown(text) == render_markdown(paragraph + "[r]: /r\n") * (
        INLINE_BYTES // len(paragraph) + 1
    )
    assert markdown_image_urls(text) == ["/i.png"]


def test_many_reference_definitions_still_resolve():
    text = "".join(f"[r{i}]: /u{i}\n" for i in range(400)) + "\n[last][r399]"
    assert '<a href="/u399" rel="noopener noreferrer">last</a>' in render_markdown(text)


def test_image_urls_reference_style_raw_uppercase_and_nested():
    text = (
        "![ref][logo] and ![collapsed][] and ![short]\n\n"
        '<P><IMG SRC="/caps.png"></P>\n\n'
        "| ![cell](/cell.png) |\n|---|\n\n"
        "![outer ![inner](/inner.png)](/outer.png) \\![escaped](/no.png)\n\n"
        "[logo]: https://e.com/logo.png\n[collapsed]: /c.png\n[short]: </s h.png>\n"
    )
    assert markdown_image_urls(text) == [
        "https://e.com/logo.png",
        "/c.png",
        "/s%20h.png",
        "/caps.png",
        "/cell.png",
        "/outer.png",
    ]


def test_image_urls_need_image_syntax():
    assert markdown_image_urls("a ! [b](/x.png) and <imgx src=/y.png> and <image src=/z>") == []


@pytest.mark.parametrize("allow_html", [False, True])
def test_without_the_rust_renderer_markdown_it_py_gives_the_same_html(monkeypatch, allow_html):
    """On a Python that markdown-it-pyrs has no wheel for, every text takes the slow path."""
    texts = [ARTICLE, "- [ ] a\n\n- [x] b\n", "<div>raw <b>html</b></div>\n\n*x*", "a [`b"]
    fast = [render_markdown(t, allow_html=allow_html) for t in texts]
    images = markdown_image_urls(ARTICLE + '\n<img src="/raw.png">')
    monkeypatch.setattr(markdown, "_FAST", False)
    assert [render_markdown(t, allow_html=allow_html) for t in texts] == fast
    assert markdown_image_urls(ARTICLE + '\n<img src="/raw.png">') == images
