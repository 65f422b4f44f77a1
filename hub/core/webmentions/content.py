"""Mention content as stored and shown (webmention-site-feeds.md §1.5 step 5, "Content").

Pure. HTML from a source passes the node allow-list (`hub.core.sanitize`) first, then a
narrower one for third-party comments: `p br a strong b em i blockquote code pre ul ol li`,
no images, frames or styles, links `rel="nofollow ugc noopener"`; it is cut at 2,000 text
characters at a tag boundary, open elements closed, with "…".
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

import nh3

from hub.core.sanitize import sanitize_html, strip_tags

CONTENT_CHARS = 2000
MENTION_SUMMARY_CHARS = 280
TAGS = frozenset({"p", "br", "a", "strong", "b", "em", "i", "blockquote", "code", "pre", "ul",
                  "ol", "li"})  # fmt: skip
_VOID = frozenset({"br"})
ELLIPSIS = "…"


def truncate_text(text: str, limit: int = CONTENT_CHARS) -> str:
    """`text` cut to `limit` characters at a word boundary, with "…" when cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def escape_text(text: str) -> str:
    return html.escape(text, quote=False)


class _Truncator(HTMLParser):
    """Re-emits markup until `limit` text characters, then closes what is open."""

    def __init__(self, limit: int) -> None:
        super().__init__(convert_charrefs=True)
        self.limit = limit
        self.count = 0
        self.out: list[str] = []
        self.open: list[str] = []
        self.cut = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.cut:
            return
        rendered = "".join(
            f' {name}="{html.escape(value or "", quote=True)}"' for name, value in attrs
        )
        self.out.append(f"<{tag}{rendered}>")
        if tag not in _VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.open and self.open[-1] == tag:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.cut or tag in _VOID:
            return
        if tag in self.open:
            while self.open:
                name = self.open.pop()
                self.out.append(f"</{name}>")
                if name == tag:
                    break

    def handle_data(self, data: str) -> None:
        if self.cut:
            return
        room = self.limit - self.count
        if len(data) <= room:
            self.out.append(escape_text(data))
            self.count += len(data)
            return
        kept = truncate_text(data, room).removesuffix(ELLIPSIS) if room > 0 else ""
        self.out.append(escape_text(kept.rstrip()) + ELLIPSIS)
        self.cut = True

    def result(self) -> str:
        return "".join(self.out) + "".join(f"</{name}>" for name in reversed(self.open))


def sanitize_mention_html(markup: str, limit: int = CONTENT_CHARS) -> tuple[str, str]:
    """(safe shortened HTML, its plain text) of a source's `e-content`."""
    narrowed = nh3.clean(
        sanitize_html(markup),
        tags=set(TAGS),
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )
    parser = _Truncator(limit)
    parser.feed(narrowed)
    parser.close()
    safe = nh3.clean(
        parser.result(),
        tags=set(TAGS),
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    )
    return safe.strip(), strip_tags(safe)
