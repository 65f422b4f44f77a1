"""Markdown → sanitised HTML (CommonMark + GFM tables, strikethrough and task lists).

The parser is markdown-it.rs (`markdown-it-pyrs`), the Rust port of markdown-it: the rules and
HTML of markdown-it-py at a twentieth of the cost. It has no nesting limit and recurses on the
native stack, and it has slow paths (hundreds of reference definitions) and panics on a few
inputs (`[` before an unmatched backtick): such texts go to markdown-it-py, which caps nesting.
On a Python it has no wheel for (3.13 and later) it is not installed, and markdown-it-py
renders every text, to the same HTML.

No text stalls the event loop (`hub.core.offload`): texts up to 64 KiB on the fast path (about
10 ms) and up to 2 KiB on the slow one render in the calling thread; longer ones render in the
worker process, and the answer is kept for the next call with the same text (a create asks for
the HTML, the plain text and the image URLs of one body). A text for the slow path longer than
128 KiB (seconds of work even off the loop) is refused with `TooLarge` (code
`markdown_too_complex`) before anything renders, and so is a text that crashes the renderer.
No linkify: bare URLs stay text, `<https://…>` autolinks work. Task-list checkboxes render as
the text glyphs ☐ / ☑ rather than `<input>` elements, which the sanitiser never allows.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from html import unescape
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, TypeVar

from hub.core.errors import TooLarge
from hub.core.offload import INLINE_BYTES, ChildCrashed, in_child
from hub.core.rendered_html import may_hold_html, sanitize_rendered
from hub.core.sanitize import sanitize_html

if TYPE_CHECKING:
    from markdown_it import MarkdownIt as SlowMarkdownIt
    from markdown_it.rules_core import StateCore

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

T = TypeVar("T")

_UNCHECKED, _CHECKED = "\u2610", "\u2611"
_CHECKBOX = "task-list-item-checkbox"
# markdown-it.rs' checkboxes (rendered without XHTML's slash) and, in a loose list, the start
# of the item's paragraph after them: the glyph goes into that paragraph.
_GLYPHS = (
    (re.compile(f'<input class="{_CHECKBOX}" type="checkbox">(?:(\n<p>)( ))?'), _UNCHECKED),
    (
        re.compile(f'<input class="{_CHECKBOX}" type="checkbox" checked="">(?:(\n<p>)( ))?'),
        _CHECKED,
    ),
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


SLOW_INLINE_BYTES = 2 * 1024  # the slow path at its worst: ~25 ms for this much
SLOW_MAX_BYTES = 128 * 1024  # ~1.5 s at its worst, in the worker process
TOO_COMPLEX = (
    "The Markdown is too complex to render: text this deeply nested, or with this many "
    "brackets, emphasis markers or reference definitions, may be at most {limit:,} characters "
    "long and this one has {size:,}. Split it into smaller paragraphs or posts."
)
CRASHED = "The Markdown could not be rendered (it is nested too deeply); simplify it."
_MEMO_SIZE = 4  # results of heavy texts kept: a write asks for one body's HTML, text, images
_memo: OrderedDict[tuple, Any] = OrderedDict()
_memo_lock = threading.Lock()


def _too_complex(size: int) -> TooLarge:
    message = TOO_COMPLEX.format(limit=SLOW_MAX_BYTES, size=size)
    return TooLarge(message, limit=SLOW_MAX_BYTES, code="markdown_too_complex")


def _route(text: str) -> tuple[bool, bool]:
    """(fast path, render in this thread). A long text goes to the worker process, which also
    decides its path there: the scans on a text of megabytes are single calls that would keep
    the GIL (and so the event loop) for tens of milliseconds."""
    if len(text) > INLINE_BYTES:
        return True, False
    if _fast_path_is_safe(text):
        return True, True
    return False, len(text) <= SLOW_INLINE_BYTES


def _in_child(fn: Any, *args: Any) -> Any:
    """`fn(*args)` in the worker process, remembered for the next call with the same text."""
    key = (fn.__name__, *args)
    with _memo_lock:
        if key in _memo:
            _memo.move_to_end(key)
            return _memo[key]
    try:
        result = in_child(fn, *args)
    except ChildCrashed:
        raise TooLarge(CRASHED, code="markdown_too_complex") from None
    if result is None:  # refused in the child (a panic sent a long text to the slow path)
        raise _too_complex(len(args[0]))
    with _memo_lock:
        _memo[key] = result
        while len(_memo) > _MEMO_SIZE:
            _memo.popitem(last=False)
    return result


def render_markdown(text: str, *, allow_html: bool = False) -> str:
    """Render Markdown and sanitise the result; raw HTML is escaped unless `allow_html`.
    `TooLarge` for a text too complex to render."""
    fast, inline = _route(text)
    if inline:
        return _sanitise(text, allow_html, *_rendered(text, allow_html, fast))
    return _in_child(_render_sanitised, text, allow_html)


def _sanitise(text: str, allow_html: bool, html: str, by_rust: bool) -> str:
    """`sanitize_html(html)`; for markdown-it.rs' HTML of a text that cannot hold raw HTML
    (escaped, or none in it), the same by string passes (`hub.core.rendered_html`)."""
    if by_rust and not (allow_html and may_hold_html(text)):
        return sanitize_rendered(html)
    return sanitize_html(html)


def render_markdown_compared(
    text: str, compare: Callable[[str, str], T], *, allow_html: bool = False
) -> tuple[str, T]:
    """`render_markdown(text)` and `compare(unsanitised, sanitised)`, both computed where the
    text is rendered: for a long text, in the worker process, so that only the sanitised HTML
    and `compare`'s (small) answer come back, neither the unsanitised HTML (tens of MB near
    the v1 body limit: one unpickling that holds the GIL) nor `compare`'s work (a second
    parse of both) runs in this process. `compare` must be a module-level function."""
    fast, inline = _route(text)
    if inline:
        raw, by_rust = _rendered(text, allow_html, fast)
        html = _sanitise(text, allow_html, raw, by_rust)
        return html, compare(raw, html)
    return _in_child(_render_compared, text, allow_html, compare)


def markdown_image_urls(text: str) -> list[str]:
    """URLs of images the Markdown names, `![alt](url)` (also reference-style) and `<img src>`
    in raw HTML, in order of appearance without duplicates. An image inside another image's
    alt text is only text there, so it does not count. `TooLarge` as `render_markdown`."""
    if "![" not in text and "<img" not in text.lower():  # HTML tag names ignore case
        return []
    fast, inline = _route(text)
    if inline:
        return _image_urls(text, fast) or []
    return list(_in_child(_image_urls_in_child, text))


def _render(text: str, allow_html: bool, fast: bool) -> str:
    return _rendered(text, allow_html, fast)[0]


def _rendered(text: str, allow_html: bool, fast: bool) -> tuple[str, bool]:
    """(unsanitised HTML, whether markdown-it.rs made it)."""
    if fast:
        try:
            html = (_WITH_HTML if allow_html else _ESCAPED).render(text, xhtml=False)
        except BaseException as exc:  # a Rust panic (e.g. on "[`"), raised as PanicException
            if type(exc).__name__ != "PanicException":
                raise
        else:
            return (_glyphs(html) if _CHECKBOX in html else html), True
    if len(text) > SLOW_MAX_BYTES:
        raise _too_complex(len(text))
    return _slow(allow_html).render(text), False


def _render_both(text: str, allow_html: bool) -> tuple[str, str] | None:
    """In the worker process: (unsanitised, sanitised) HTML; None when refused."""
    try:
        html, by_rust = _rendered(text, allow_html, _fast_path_is_safe(text))
    except TooLarge:
        return None
    return html, _sanitise(text, allow_html, html, by_rust)


def _render_sanitised(text: str, allow_html: bool) -> str | None:
    """In the worker process: the sanitised HTML (only it comes back); None when refused."""
    both = _render_both(text, allow_html)
    return None if both is None else both[1]


def _render_compared(
    text: str, allow_html: bool, compare: Callable[[str, str], T]
) -> tuple[str, T] | None:
    """In the worker process: (sanitised HTML, `compare(unsanitised, sanitised)`)."""
    both = _render_both(text, allow_html)
    if both is None:
        return None
    raw, html = both
    return html, compare(raw, html)


def _image_urls_in_child(text: str) -> list[str] | None:
    return _image_urls(text, _fast_path_is_safe(text))


def _glyphs(html: str) -> str:
    for checkbox, glyph in _GLYPHS:
        html = checkbox.sub(rf"\1{glyph}\2", html)
    return html


def _image_urls(text: str, fast: bool) -> list[str] | None:
    """The image URLs (see `markdown_image_urls`); None when refused."""
    raw_img = "<img" in text.lower()
    urls: list[str] = []
    if fast:
        try:
            if raw_img:
                _collect_images(_WITH_HTML.tree(text), urls)
            else:  # every <img> in the rendering is a Markdown image, its src escaped
                urls = [unescape(src) for src in _RENDERED_IMG.findall(_WITH_HTML.render(text))]
            return list(dict.fromkeys(url for url in urls if url))
        except BaseException as exc:  # see _render
            if type(exc).__name__ != "PanicException":
                raise
            urls.clear()
    if len(text) > SLOW_MAX_BYTES:
        return None
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
# Built on first use: most processes never render such a text, and markdown-it-py with its
# plugins is 2-3 MiB of every process's memory (bench_v1_media.py's upload peak counts it).


def _checkboxes_to_glyphs(state: StateCore) -> None:
    """Turn the tasklists plugin's `<input>` tokens into plain text glyphs."""
    from markdown_it.token import Token

    for token in state.tokens:
        for i, child in enumerate(token.children or ()):
            if child.type == "html_inline" and child.content.startswith(
                f'<input class="{_CHECKBOX}"'
            ):
                text = Token("text", "", 0)
                text.content = _CHECKED if 'checked="checked"' in child.content else _UNCHECKED
                assert token.children is not None
                token.children[i] = text


@functools.cache
def _slow(allow_html: bool) -> SlowMarkdownIt:
    """The slow path's renderer, raw HTML kept or escaped."""
    from markdown_it import MarkdownIt as SlowMarkdownIt
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = SlowMarkdownIt("commonmark", {"html": allow_html, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(tasklists_plugin)
    md.core.ruler.after("github-tasklists", "hub-task-glyphs", _checkboxes_to_glyphs)
    return md


def _collect_slow_images(text: str, urls: list[str]) -> None:
    for token in _slow(True).parse(text):
        if token.type in ("html_block", "html_inline"):
            urls += html_image_urls(token.content)
        for child in token.children or ():
            if child.type == "image" and child.attrGet("src"):
                urls.append(str(child.attrGet("src")))
            elif child.type == "html_inline":
                urls += html_image_urls(child.content)
