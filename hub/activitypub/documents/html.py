"""Entry HTML as the fediverse receives it: the stored (already sanitised) HTML once more
through the node's allow-list, with every link and image URL made absolute against the
entry's URL (remote servers cannot resolve `/docs/page`). Pure."""

from __future__ import annotations

from html import escape
from urllib.parse import urljoin

import nh3

from hub.core.sanitize import ATTRIBUTES, TAGS, URL_SCHEMES

_URL_ATTRIBUTES = {"href", "src", "poster", "cite"}


def absolute_html(markup: str, base: str) -> str:
    def attribute(tag: str, name: str, value: str) -> str | None:
        if name in _URL_ATTRIBUTES:
            return urljoin(base, value.strip())
        if name == "srcset":
            return None  # the `src` is enough for a remote reader
        return value

    return nh3.clean(
        markup,
        tags=set(TAGS),
        attributes=ATTRIBUTES,
        attribute_filter=attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def text_paragraphs(text: str) -> str:
    """Plain text (a channel description) as HTML paragraphs."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return "".join(f"<p>{escape(b).replace(chr(10), '<br>')}</p>" for b in blocks)


def link(url: str, *, rel: str) -> str:
    """An HTML link showing the URL without its scheme, as Mastodon shows profile links."""
    shown = url.split("://", 1)[-1].rstrip("/")
    return f'<a href="{escape(url)}" rel="{rel}" target="_blank" translate="no">{escape(shown)}</a>'
