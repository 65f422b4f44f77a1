import pytest

from hub.core.sanitize import removed_markup, sanitize_html, strip_tags


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        "<svg onload=alert(1)></svg>",
        "<iframe src=https://evil.example></iframe>",
        "<body onload=alert(1)>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<style>body{display:none}</style>",
        "<form action=https://evil.example><input name=p></form>",
        "<object data=x></object><embed src=x>",
        '<p onclick="alert(1)" onmouseover="alert(1)">x</p>',
    ],
)
def test_hostile_markup_loses_every_script_vector(hostile):
    clean = sanitize_html(hostile).lower()
    for vector in ("<script", "alert(1)", "javascript:", "onerror", "onload", "onclick",
                   "onmouseover", "<iframe", "<svg", "style=", "<style", "<form", "data:",
                   "<object", "<embed"):  # fmt: skip
        assert vector not in clean, (hostile, clean)


def test_script_content_is_dropped_not_shown_as_text():
    assert sanitize_html("<p>hi</p><script>steal()</script>") == "<p>hi</p>"


def test_ordinary_content_survives():
    markup = (
        '<h2>T</h2><p>A <a href="https://example.com/x">link</a>, <em>em</em>, <code>c</code></p>'
        '<img src="https://example.com/a.webp" alt="A cat" width="10" height="5">'
        '<table><tr><td colspan="2">1</td></tr></table>'
        '<pre><code class="language-python">x = 1</code></pre>'
    )
    clean = sanitize_html(markup)
    assert '<a href="https://example.com/x" rel="noopener noreferrer">link</a>' in clean
    assert 'alt="A cat"' in clean and 'width="10"' in clean
    assert 'colspan="2"' in clean and 'class="language-python"' in clean


def test_microformat_classes_stay_and_other_classes_go():
    clean = sanitize_html('<span class="h-card p-name btn-danger">Ada</span>')
    assert clean == '<span class="h-card p-name">Ada</span>'


def test_removed_markup_names_what_was_dropped():
    before = '<p onclick="x">a</p><script>b</script><b style="c">d</b>'
    assert removed_markup(before, sanitize_html(before)) == ["onclick", "script", "style"]
    assert removed_markup("<p>ok</p>", sanitize_html("<p>ok</p>")) == []


def test_strip_tags_gives_plain_text():
    assert strip_tags("<p>Fish &amp; <b>chips</b></p>\n<script>x()</script>  <p>now</p>") == (
        "Fish & chips now"
    )
