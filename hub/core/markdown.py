"""Markdown → sanitised HTML (CommonMark + GFM tables, strikethrough and task lists).

No linkify (linkify-it-py is not installed): bare URLs stay text, `<https://…>` autolinks work.
Task-list checkboxes render as the text glyphs ☐ / ☑ rather than `<input>` elements, which the
sanitiser never allows.
"""

from __future__ import annotations

from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.tasklists import tasklists_plugin

from hub.core.sanitize import sanitize_html

_UNCHECKED, _CHECKED = "\u2610", "\u2611"
_CHECKBOX_PREFIX = '<input class="task-list-item-checkbox"'


def _checkboxes_to_glyphs(state: StateCore) -> None:
    """Turn the tasklists plugin's `<input>` tokens into plain text glyphs."""
    for token in state.tokens:
        for i, child in enumerate(token.children or ()):
            if child.type == "html_inline" and child.content.startswith(_CHECKBOX_PREFIX):
                glyph = _CHECKED if 'checked="checked"' in child.content else _UNCHECKED
                text = Token("text", "", 0)
                text.content = glyph
                assert token.children is not None
                token.children[i] = text


def _build(allow_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(tasklists_plugin)
    md.core.ruler.after("github-tasklists", "hub-task-glyphs", _checkboxes_to_glyphs)
    return md


_ESCAPED = _build(allow_html=False)  # Micropub string content: raw HTML shows literally
_WITH_HTML = _build(allow_html=True)  # v1 Markdown: raw HTML passes on to the sanitiser


def render_markdown(text: str, *, allow_html: bool = False) -> str:
    """Render Markdown and sanitise the result; raw HTML is escaped unless `allow_html`."""
    return sanitize_html((_WITH_HTML if allow_html else _ESCAPED).render(text))


def markdown_image_urls(text: str) -> list[str]:
    """URLs of images the Markdown names, `![alt](url)` and `<img src>` in raw HTML, in order
    of appearance without duplicates."""
    urls: list[str] = []
    for token in _WITH_HTML.parse(text):
        if token.type in ("html_block", "html_inline"):
            urls += html_image_urls(token.content)
        for child in token.children or ():
            if child.type == "image" and child.attrGet("src"):
                urls.append(str(child.attrGet("src")))
            elif child.type == "html_inline":
                urls += html_image_urls(child.content)
    return list(dict.fromkeys(urls))


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
