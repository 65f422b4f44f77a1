"""The one HTML allow-list. Every piece of HTML hub stores or shows passes through here:
rendered Markdown, v1 `content_html`, Micropub `content[html]`, webmention and feed content."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3

_BLOCK = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol",
          "li", "dl", "dt", "dd", "div", "figure", "figcaption", "details", "summary", "table",
          "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col"}  # fmt: skip
_INLINE = {"a", "strong", "b", "em", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup",
           "q", "cite", "abbr", "code", "kbd", "samp", "var", "span", "time", "data", "img",
           "picture", "source", "video", "audio", "track", "input"}  # fmt: skip
TAGS = frozenset(_BLOCK | _INLINE)

ATTRIBUTES: dict[str, set[str]] = {
    "*": {"dir", "lang"},
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title", "width", "height", "loading", "decoding", "srcset", "sizes",
            "class"},
    "source": {"src", "srcset", "type", "media", "sizes"},
    "video": {"src", "controls", "poster", "preload", "loop", "muted", "playsinline", "width",
              "height"},
    "audio": {"src", "controls", "preload", "loop", "muted"},
    "track": {"src", "kind", "srclang", "label"},
    "td": {"colspan", "rowspan", "align", "scope"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "time": {"datetime", "class"},
    "data": {"value", "class"},
    "abbr": {"title"},
    "input": {"checked", "disabled"},  # Markdown task lists: disabled checkboxes only
    "q": {"cite"},
    "blockquote": {"cite"},
    "code": {"class"},
    "pre": {"class"},
    "span": {"class"},
    "div": {"class"},
    "figure": {"class"},
}  # fmt: skip

URL_SCHEMES = {"http", "https", "mailto", "tel"}
# microformats (h-*, p-*, u-*, dt-*, e-*), code highlighting, and our image figure
_SAFE_CLASS = re.compile(r"^(?:(?:h|p|u|dt|e)-[a-z0-9-]+|language-[A-Za-z0-9_+-]+|image-embed)$")


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "class":
        kept = [c for c in value.split() if _SAFE_CLASS.match(c)]
        return " ".join(kept) or None
    return value


def sanitize_html(markup: str) -> str:
    """Markup reduced to the allow-list: no scripts, styles, frames, forms, event handlers,
    `style` attributes, or `javascript:`/`data:` URLs; links get rel="noopener noreferrer"."""
    return nh3.clean(
        markup,
        tags=set(TAGS),
        clean_content_tags={"script", "style", "template", "noscript", "textarea", "title"},
        attributes=ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        tag_attribute_values={"input": {"type": {"checkbox"}}},
        set_tag_attribute_values={"input": {"disabled": "", "type": "checkbox"}},
    )


class _Inventory(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.names: dict[str, int] = {}

    def _count(self, name: str) -> None:
        self.names[name] = self.names.get(name, 0) + 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._count(tag)
        for name, _ in attrs:
            self._count(name)


def _inventory(markup: str) -> dict[str, int]:
    parser = _Inventory()
    parser.feed(markup)
    parser.close()
    return parser.names


def removed_markup(before: str, after: str) -> list[str]:
    """Tag and attribute names that sanitising removed (for the v1 `html_sanitized` warning)."""
    kept = _inventory(after)
    return sorted(n for n, count in _inventory(before).items() if count > kept.get(n, 0)
                  and n != "rel")  # fmt: skip


_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def strip_tags(markup: str) -> str:
    """Plain text from markup: tags dropped (script/style content too), entities decoded,
    whitespace collapsed."""
    cleaned = nh3.clean(markup, tags=set(), clean_content_tags={"script", "style"})
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", cleaned))).strip()
