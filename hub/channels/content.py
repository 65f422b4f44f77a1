"""The v1 content rules (publicasta-v1-resolved §1.6), pure: Markdown or HTML in, sanitised
HTML out, with the warnings an agent needs (leading H1, demoted H1s, sanitised markup,
excerpt copied from the body)."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from hub.channels.schemas import warning
from hub.core.markdown import render_markdown
from hub.core.sanitize import removed_markup, sanitize_html, strip_tags

_FIRST_H1 = re.compile(r"^\s*<h1(?:\s[^>]*)?>(.*?)</h1>\s*", re.S | re.I)
_H1_OPEN = re.compile(r"<h1(\s[^>]*)?>", re.I)
_H1_CLOSE = re.compile(r"</h1>", re.I)
_FIRST_P = re.compile(r"<p(?:\s[^>]*)?>(.*?)</p>", re.S | re.I)
_RAW_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_TRAILING = re.compile(r"[\s.!?:;,\u3002\uff01\uff1f]+$")


def _norm(text: str) -> str:
    return _TRAILING.sub("", " ".join(text.split()).casefold())


def render_body(fmt: str, source: str, title: str, path: str) -> tuple[str, list[dict]]:
    """(content_html, warnings) for a translation body given as Markdown or HTML."""
    warnings: list[dict] = []
    field = f"{path}.content_{fmt}" if path else f"content_{fmt}"
    if fmt == "markdown":
        html = render_markdown(source, allow_html=True)
        raw = _RAW_MARKDOWN.render(source)  # unsanitised, only to name what was removed
    else:
        raw = source
        html = sanitize_html(source)
    removed = removed_markup(raw, html)
    if removed:
        warnings.append(
            warning(
                "html_sanitized",
                f"Unsafe or unsupported markup was removed: {', '.join(removed)}.",
                field,
            )
        )
    match = _FIRST_H1.match(html)
    if match and title and _norm(strip_tags(match.group(1))) == _norm(title):
        html = html[match.end() :]
        warnings.append(
            warning(
                "title_h1_removed",
                "The body started with the title as an H1; it was removed.",
                field,
            )
        )
    if _H1_OPEN.search(html):
        html = _H1_CLOSE.sub("</h2>", _H1_OPEN.sub(lambda m: f"<h2{m.group(1) or ''}>", html))
        warnings.append(
            warning(
                "h1_demoted",
                "H1 headings in the body were changed to H2; use ## for sections.",
                field,
            )
        )
    return html.strip(), warnings


def excerpt_warnings(excerpt: str | None, html: str, path: str) -> list[dict]:
    if not excerpt:
        return []
    match = _FIRST_P.search(html)
    if not match:
        return []
    first = _norm(strip_tags(match.group(1)))
    if first and first.startswith(_norm(excerpt)):
        field = f"{path}.excerpt" if path else "excerpt"
        return [
            warning(
                "excerpt_repeats_body",
                "The excerpt repeats the first paragraph of the body; write a separate teaser.",
                field,
            )
        ]
    return []


def clean_excerpt(excerpt: str | None, path: str) -> tuple[str | None, list[dict]]:
    """Plain text only: tags are stripped with a warning (R-74)."""
    if excerpt is None:
        return None, []
    text = strip_tags(excerpt)
    if text != excerpt.strip():
        field = f"{path}.excerpt" if path else "excerpt"
        return text, [warning("html_sanitized", "Markup was removed from the excerpt.", field)]
    return excerpt, []
