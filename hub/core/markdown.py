"""Markdown → sanitised HTML (CommonMark + GFM tables, strikethrough and task lists).

The parser is markdown-it.rs (`markdown-it-pyrs`), the Rust port of markdown-it: the rules and
HTML of markdown-it-py at a twentieth of the cost. It has no nesting limit and recurses on the
native stack, and it has slow paths (hundreds of reference definitions) and panics on a few
inputs (`[` before an unmatched backtick): such texts go to markdown-it-py, which caps nesting.
On a Python it has no wheel for (3.13 and later) it is not installed, and markdown-it-py
renders every text, to the same HTML.
No linkify: bare URLs stay text, `<https://…>` autolinks work. Task-list checkboxes render as
the text glyphs ☐ / ☑ rather than `<input>` elements, which the sanitiser never allows.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from markdown_it import MarkdownIt as SlowMarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.tasklists import tasklists_plugin

from hub.core.sanitize import sanitize_html

try:
    from markdown_it_pyrs import MarkdownIt, Node
except ImportError:  # no wheel for this Python (3.13 and later): markdown-it-py renders all
    MarkdownIt = Node = None

_RULES = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph",
          "reference", "autolink", "backticks", "emphasis", "entity", "escape", "image", "link",
          "newline", "table", "strikethrough", "tasklist"]  # fmt: skip
_FAST = MarkdownIt is not None  # the Rust renderer is installed
if _FAST:
    _ESCAPED = MarkdownIt("zero").enable_many(_RULES)  # Micropub string content: raw HTML literal
    _WITH_HTML = MarkdownIt("zero").enable_many([*_RULES, "html_block", "html_inline"])  # v1

_UNCHECKED, _CHECKED = "\u2610", "\u2611"
_CHECKBOX = "task-list-item-checkbox"
_GLYPHS = (
    (f'<input class="{_CHECKBOX}" type="checkbox" />', _UNCHECKED),
    (f'<input class="{_CHECKBOX}" type="checkbox" checked="" />', _CHECKED),
)

# Limits of the fast path. Block nesting needs a `>`, a list marker or indentation per level on
# the line that opens it, so a line starting with fewer than 50 of those nests at most ~100 deep;
# inline nesting needs an opening `*`, `_`, `~` or `[` per level within one paragraph.
_DEEP_LINE = re.compile(r"(?:[ \t>]|[*+-](?![^ \t\r\n])|\d{1,9}[.)](?![^ \t\r\n])){50,}")
_DEEP_CANDIDATE = re.compile(r"[\r\n][ \t>*+\-\d.)]{50}")  # a quick scan for such lines
_MAX_INLINE_OPENERS = 3000
_MAX_DEFINITIONS = 300  # `]:`; markdown-it.rs is quadratic in consecutive reference definitions
_RENDERED_IMG = re.compile(r'<img src="([^"]*)"')


def _fast_path_is_safe(text: str) -> bool:
    if not _FAST or text.count("]:") > _MAX_DEFINITIONS or _DEEP_LINE.match(text):
        return False
    if any(_DEEP_LINE.match(text, m.start() + 1) for m in _DEEP_CANDIDATE.finditer(text)):
        return False
    openers = text.count("*") + text.count("_") + text.count("~") + text.count("[")
    if openers <= _MAX_INLINE_OPENERS:
        return True
    return all(
        block.count("*") + block.count("_") + block.count("~") + block.count("[")
        <= _MAX_INLINE_OPENERS
        for block in text.split("\n\n")
    )


def render_markdown_unsanitised(text: str, *, allow_html: bool = False) -> str:
    """The renderer's HTML before the sanitiser: raw HTML escaped unless `allow_html`, task
    checkboxes already turned into glyphs."""
    if _fast_path_is_safe(text):
        try:
            html = (_WITH_HTML if allow_html else _ESCAPED).render(text)
        except BaseException as exc:  # a Rust panic (e.g. on "[`"), raised as PanicException
            if type(exc).__name__ != "PanicException":
                raise
        else:
            return _glyphs(html) if _CHECKBOX in html else html
    return (_SLOW_WITH_HTML if allow_html else _SLOW_ESCAPED).render(text)


def _glyphs(html: str) -> str:
    for checkbox, glyph in _GLYPHS:  # in a loose list the glyph goes into the item's paragraph
        html = html.replace(f"{checkbox}\n<p> ", f"\n<p>{glyph} ").replace(checkbox, glyph)
    return html


def render_markdown(text: str, *, allow_html: bool = False) -> str:
    """Render Markdown and sanitise the result; raw HTML is escaped unless `allow_html`."""
    return sanitize_html(render_markdown_unsanitised(text, allow_html=allow_html))


def markdown_image_urls(text: str) -> list[str]:
    """URLs of images the Markdown names, `![alt](url)` (also reference-style) and `<img src>`
    in raw HTML, in order of appearance without duplicates. An image inside another image's
    alt text is only text there, so it does not count."""
    raw_img = "<img" in text.lower()  # HTML tag names ignore case
    if "![" not in text and not raw_img:
        return []
    urls: list[str] = []
    if _fast_path_is_safe(text):
        try:
            if raw_img:
                _collect_images(_WITH_HTML.tree(text), urls)
            else:  # every <img> in the rendering is a Markdown image, its src escaped
                urls = [unescape(src) for src in _RENDERED_IMG.findall(_WITH_HTML.render(text))]
            return list(dict.fromkeys(url for url in urls if url))
        except BaseException as exc:  # see render_markdown_unsanitised
            if type(exc).__name__ != "PanicException":
                raise
            urls.clear()
    _collect_slow_images(text, urls)
    return list(dict.fromkeys(urls))


def _collect_images(node: Node, urls: list[str]) -> None:
    for child in node.children:
        name = child.name
        if name == "image":
            if url := child.meta.get("url"):
                urls.append(url)
        elif name == "html_block" or name == "html_inline":
            urls += html_image_urls(child.meta["content"])
        elif child.children:
            _collect_images(child, urls)


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            src = dict(attrs).get("src")
            if src and src.strip():
                self.urls.append(src.strip())


def html_image_urls(markup: str) -> list[str]:
    """`<img src>` URLs in an HTML fragment, in order of appearance without duplicates."""
    parser = _Images()
    parser.feed(markup)
    parser.close()
    return list(dict.fromkeys(parser.urls))


# The slow path: markdown-it-py with the tasklists plugin, for texts beyond the fast path's limits.


def _checkboxes_to_glyphs(state: StateCore) -> None:
    """Turn the tasklists plugin's `<input>` tokens into plain text glyphs."""
    for token in state.tokens:
        for i, child in enumerate(token.children or ()):
            if child.type == "html_inline" and child.content.startswith(
                f'<input class="{_CHECKBOX}"'
            ):
                text = Token("text", "", 0)
                text.content = _CHECKED if 'checked="checked"' in child.content else _UNCHECKED
                assert token.children is not None
                token.children[i] = text


def _build_slow(allow_html: bool) -> SlowMarkdownIt:
    md = SlowMarkdownIt("commonmark", {"html": allow_html, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(tasklists_plugin)
    md.core.ruler.after("github-tasklists", "hub-task-glyphs", _checkboxes_to_glyphs)
    return md


_SLOW_ESCAPED = _build_slow(allow_html=False)
_SLOW_WITH_HTML = _build_slow(allow_html=True)


def _collect_slow_images(text: str, urls: list[str]) -> None:
    for token in _SLOW_WITH_HTML.parse(text):
        if token.type in ("html_block", "html_inline"):
            urls += html_image_urls(token.content)
        for child in token.children or ():
            if child.type == "image" and child.attrGet("src"):
                urls.append(str(child.attrGet("src")))
            elif child.type == "html_inline":
                urls += html_image_urls(child.content)
