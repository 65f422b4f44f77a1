"""Markdown → sanitised HTML (CommonMark + GFM tables, strikethrough and task lists)."""

from __future__ import annotations

from html.parser import HTMLParser

from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin

from hub.core.sanitize import sanitize_html


def _build(allow_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html, "typographer": False})
    md.enable(["table", "strikethrough"])
    return md.use(tasklists_plugin)


_ESCAPED = _build(allow_html=False)  # Micropub string content: raw HTML shows literally
_WITH_HTML = _build(allow_html=True)  # v1 Markdown: raw HTML passes on to the sanitiser


def render_markdown(text: str, *, allow_html: bool = False) -> str:
    """Render Markdown and sanitise the result; raw HTML is escaped unless `allow_html`."""
    return sanitize_html((_WITH_HTML if allow_html else _ESCAPED).render(text))


def markdown_image_urls(text: str) -> list[str]:
    """URLs of images the Markdown names, `![alt](url)` and `<img src>` in raw HTML, in order."""
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
            if src:
                self.urls.append(src)


def html_image_urls(markup: str) -> list[str]:
    parser = _Images()
    parser.feed(markup)
    parser.close()
    return list(dict.fromkeys(parser.urls))
