"""`sanitize_html` for HTML that markdown-it.rs made from Markdown without raw HTML, in a few
string passes instead of a parse (html5ever under nh3 was ~40% of rendering a long article).

Such HTML is a small, fixed language: the renderer writes every "<" of the text as `&lt;` and
every `"` as `&quot;`, so a "<" always starts one of its own tags and a `"` always delimits an
attribute; its tags are those of the enabled rules (p, h1-h6, blockquote, ul, ol, li, pre,
code, em, strong, s, a, img, table, thead, tbody, tr, th, td, hr, br; the task list's inputs
are already glyphs), well nested, every one in the allow-list. What the sanitiser does to it
is known, and done here with `str.replace` and two template substitutions: `rel` added to
links, the table cells' `style` and the task list's classes dropped, `&quot;` in text written
as `"`, U+00A0 as `&nbsp;` (the caller renders without XHTML's slashes, as the sanitiser
writes `<br>`, `<hr>` and `<img ...>`). Anything this module cannot show the sanitiser would
write the same way goes to `sanitize_html`: a link or image URL outside a plain shape (a
scheme other than http(s), mailto or tel; a host the URL parser might refuse), a code class
the class filter would change, `&quot;` in an attribute, a link inside a link (the HTML parser
splits them), a carriage return (the parser makes it a newline), a character `clean_text`
removes, or more start tags than the depth limit could allow.
tests/core/test_rendered_html.py renders hostile and generated Markdown both ways and compares.

Only for markdown-it.rs' output, and only when the text cannot hold raw HTML (`may_hold_html`):
raw HTML in the source always goes through the full sanitiser.
"""

from __future__ import annotations

import re

from hub.core.inputs import clean_text
from hub.core.sanitize import MAX_DEPTH, _at_most_deep, sanitize_html

# Where markdown-it may start raw HTML (an open or closing tag, a comment, a processing
# instruction, a declaration, CDATA; html_block's starts are among these): "<" then a tag name
# ended by whitespace, "/", ">" or the end, or "<" then "/", "!" or "?". A superset: an
# autolink's scheme or e-mail ends its first word with ":" or "@", so `<https://…>` is not here.
_RAW_HTML = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|\Z)|[/!?])")

_REL = r'\1 rel="noopener noreferrer">\2'
# A whole link whose text holds no other link start; `subn` counts them, so a link of another
# shape, or one inside another (the HTML parser would split them), shows as a shortfall.
_LINK = re.compile(r'(<a href="[^"]*"(?: title="[^"]*")?)>((?:[^<]++|<(?!/?a[ >]))*+</a>)')
_HREF = re.compile(r'href="([^"]*)"')
_SRC = re.compile(r'src="([^"]*)"')
# URLs nh3 keeps as they are: relative ones (no scheme: the URL parser answers "relative
# without a base"), http(s) with a plain host (letters, digits, hyphens, dots; the last label
# starting with a letter, so not an IPv4 address; no punycode label, which IDNA checks; a port
# below 10,000), and mailto: / tel: without an authority. Matched all at once, one a line.
_SAFE_URL = (
    r"(?:(?![A-Za-z][A-Za-z0-9+.\-]*:)[^\x00-\x20]*"
    r"|[Hh][Tt][Tt][Pp][Ss]?://(?:(?![Xx][Nn]--)[A-Za-z0-9-]+\.)*(?![Xx][Nn]--)[A-Za-z][A-Za-z0-9-]*"
    r"(?::[0-9]{1,4})?(?:[/?#][^\x00-\x20]*)?"
    r"|(?:[Mm][Aa][Ii][Ll][Tt][Oo]|[Tt][Ee][Ll]):(?!//)[^\x00-\x20]*)"
)
_SAFE_URLS = re.compile(rf"(?:{_SAFE_URL}\n)*{_SAFE_URL}\Z")
_CODE_CLASS = re.compile(r'<code class="([^"]*)"')
_SAFE_CODE_CLASS = re.compile(r"language-[A-Za-z0-9_+-]+\Z")
_QUOT_IN_ATTRIBUTE = re.compile(r'="[^"]*&quot;')
_ALIGN = re.compile(r' style="text-align:(?:left|right|center)"')
_TASK_CLASS = re.compile(r' class="(?:contains-task-list|task-list-item)"')


def may_hold_html(text: str) -> bool:
    """Whether Markdown rendered with raw HTML allowed could pass some through (a superset)."""
    return _RAW_HTML.search(text) is not None


def _plain_urls(html: str) -> bool:
    urls = _HREF.findall(html)
    if "<img " in html:
        urls += _SRC.findall(html)
    return not urls or _SAFE_URLS.match("\n".join(urls)) is not None


def _plain_code_classes(html: str) -> bool:
    return "<code class=" not in html or all(map(_SAFE_CODE_CLASS.match, _CODE_CLASS.findall(html)))


def sanitize_rendered(html: str) -> str:
    """`sanitize_html(html)` for markdown-it.rs' rendering (without XHTML's slashes) of a text
    without raw HTML (see the module's docstring): the same string, mostly without parsing it."""
    if (
        "\r" in html
        or "<input" in html
        or not _at_most_deep(html, MAX_DEPTH)
        or not _plain_urls(html)
        or not _plain_code_classes(html)
        or ("&quot;" in html and _QUOT_IN_ATTRIBUTE.search(html))
    ):
        return sanitize_html(html)
    out = html
    if "<a " in out:
        out, links = _LINK.subn(_REL, out)
        if links != out.count("<a "):
            return sanitize_html(html)
    out = _ALIGN.sub("", out)
    if ' class="' in out:
        out = _TASK_CLASS.sub("", out)
    out = out.replace("&quot;", '"')
    if "\xa0" in out:
        out = out.replace("\xa0", "&nbsp;")
    cleaned = clean_text(out)
    return out if cleaned is out else sanitize_html(html)
