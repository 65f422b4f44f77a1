"""The v1 content rules (publicasta-v1-resolved §1.6), pure: Markdown or HTML in, sanitised
HTML out, with the warnings an agent needs (leading H1, demoted H1s, sanitised markup,
excerpt copied from the body)."""

from __future__ import annotations

import re

from hub.channels.schemas import warning
from hub.core.markdown import render_markdown, render_markdown_compared
from hub.core.sanitize import removed_markup, sanitize_html, strip_tags, text_of_sanitised

_FIRST_H1 = re.compile(r"^\s*<h1(?:\s[^>]*)?>(.*?)</h1>\s*", re.S | re.I)
_H1_OPEN = re.compile(r"<h1(\s[^>]*)?>", re.I)
_H1_CLOSE = re.compile(r"</h1>", re.I)
_FIRST_P = re.compile(r"<p(?:\s[^>]*)?>(.*?)</p>", re.S | re.I)
_A_TAG = re.compile(r"<a\b[^>]*>", re.I)
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)
_ALIGN = re.compile(r'(<t[hd]) style="text-align:(?:left|center|right)"')
_TRAILING = re.compile(r"[\s.!?:;,\u3002\uff01\uff1f]+$")


def _norm(text: str) -> str:
    return _TRAILING.sub("", " ".join(text.split()).casefold())


def _rendered_markdown(source: str) -> tuple[str, list[str]]:
    """(sanitised HTML, what the sanitiser took out of it). Without raw HTML in the source (no
    `<`), Markdown can only produce links and images whose scheme the allow-list refuses (the
    attribute is dropped, so the tag is left without it): found in the output, no second
    parse needed. With raw HTML, the unsanitised rendering is compared with the result, where
    it was rendered (`render_markdown_compared`: in the worker process for a long body)."""
    if "<" in source:
        return render_markdown_compared(source, _removed_by_sanitiser, allow_html=True)
    html = render_markdown(source, allow_html=True)
    removed = []
    if any("href=" not in tag for tag in _A_TAG.findall(html)):
        removed.append("href")
    if any("src=" not in tag for tag in _IMG_TAG.findall(html)):
        removed.append("src")
    return html, removed


def _removed_by_sanitiser(raw: str, html: str) -> list[str]:
    """`removed_markup` of a Markdown rendering; table alignment (`style="text-align:…"`,
    which Markdown itself writes) does not count."""
    return removed_markup(_ALIGN.sub(r"\1", raw), html)


def render_body(fmt: str, source: str, title: str, path: str) -> tuple[str, list[dict]]:
    """(content_html, warnings) for a translation body given as Markdown or HTML; `TooLarge`
    for Markdown too complex to render (`hub.core.markdown`)."""
    warnings: list[dict] = []
    field = f"{path}.content_{fmt}" if path else f"content_{fmt}"
    if fmt == "markdown":
        html, removed = _rendered_markdown(source)
    else:
        html = sanitize_html(source)
        removed = removed_markup(source, html)
    if removed:
        warnings.append(
            warning(
                "html_sanitized",
                f"Unsafe or unsupported markup was removed: {', '.join(removed)}.",
                field,
            )
        )
    match = _FIRST_H1.match(html)
    if match and title and _norm(text_of_sanitised(match.group(1))) == _norm(title):
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
    first = _norm(text_of_sanitised(match.group(1)))
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
