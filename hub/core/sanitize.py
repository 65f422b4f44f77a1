"""The one HTML allow-list. Every piece of HTML hub stores or shows passes through here:
rendered Markdown, v1 `content_html`, Micropub `content[html]`, webmention and feed content.

Links get `rel="noopener noreferrer"` (any author-supplied `rel` is replaced): the same rule for
our own and for third-party content, so a stored fragment never depends on where it came from.
`class` survives only on a few tags and only with microformats (h-*, p-*, u-*, dt-*, e-*),
`language-*` code highlighting or our `image-embed` figure class.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import nh3

from hub.core.inputs import clean_text

_BLOCK = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol",
          "li", "dl", "dt", "dd", "div", "figure", "figcaption", "details", "summary", "table",
          "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col"}  # fmt: skip
_INLINE = {"a", "strong", "b", "em", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup",
           "q", "cite", "abbr", "code", "kbd", "samp", "var", "span", "time", "data", "img",
           "picture", "source", "video", "audio", "track"}  # fmt: skip
TAGS = frozenset(_BLOCK | _INLINE)

_MEDIA = {"src", "controls", "preload", "loop", "muted"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": {"dir", "lang"},
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title", "width", "height", "loading", "decoding", "srcset", "sizes",
            "class"},
    "source": {"src", "srcset", "type", "media", "sizes"},
    "video": _MEDIA | {"poster", "playsinline", "width", "height"},
    "audio": set(_MEDIA),
    "track": {"src", "kind", "srclang", "label"},
    "td": {"colspan", "rowspan", "align", "scope"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "time": {"datetime", "class"},
    "data": {"value", "class"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "details": {"open"},
    "code": {"class"},
    "pre": {"class"},
    "span": {"class"},
    "div": {"class"},
    "figure": {"class"},
}  # fmt: skip

URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})  # plus relative URLs; never data:
# elements removed together with everything inside them
_DROP_WITH_CONTENT = {"script", "style", "template", "noscript", "textarea", "title", "iframe",
                      "object", "noembed", "noframes", "select"}  # fmt: skip
_SAFE_CLASS = re.compile(r"^(?:(?:h|p|u|dt|e)-[a-z0-9-]+|language-[A-Za-z0-9_+-]+|image-embed)$")


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if name != "class":
        return value
    kept = [c for c in value.split() if _SAFE_CLASS.match(c)]
    return " ".join(kept) or None


_OPTIONS: dict = {
    "tags": set(TAGS),
    "clean_content_tags": set(_DROP_WITH_CONTENT),
    "attributes": ATTRIBUTES,
    "url_schemes": set(URL_SCHEMES),
    "link_rel": "noopener noreferrer",
    "strip_comments": True,
}
# Built once (nh3.clean would rebuild the sets on every call). The class filter is a Python
# callback nh3 calls for every kept attribute, so markup without "class" anywhere (attribute
# names are ASCII-case-insensitive) goes through a cleaner without it: the same result.
_CLEANER = nh3.Cleaner(**_OPTIONS, attribute_filter=_filter_attribute)
_CLEANER_WITHOUT_CLASSES = nh3.Cleaner(**_OPTIONS)


# The HTML parser under nh3 walks the stack of open elements for each block start tag, so its
# time grows with the square of the nesting depth: 20,000 nested <div>s (100 KB) take a second.
# No real document nests this deep; deeper start tags (and their end tags) are dropped before
# parsing, their content kept.
MAX_DEPTH = 256
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*>")
# Elements that never nest (void) or whose end tag is optional, so that many in a row are
# usually siblings (`<p>a<p>b`): not counted as depth. A trailing slash counts for nothing:
# HTML opens `<div/>` like `<div>`.
_FLAT = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr", "param", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody",
         "tfoot", "option", "optgroup", "rp", "rt", "colgroup", "caption", "html", "head",
         "body"}  # fmt: skip


# Start tags of flat elements as the Markdown renderer writes them (each match is one "<",
# its name a `_FLAT` one ended by a character no name has): one scan in C, no Python per tag.
_FLAT_START = re.compile(r"<(?:p>|li[ >]|t[dh][ >]|tr>|thead>|tbody>|br />|br>|hr />|hr>|img )")


def _at_most_deep(markup: str, limit: int) -> bool:
    """True when `markup` has at most `limit` start tags that `_limit_depth` counts as depth,
    so that nothing in it is deeper. Each "<" is one position: minus those that open an end
    tag and those that open a `_FLAT_START`, what is left is at least the number of non-flat
    start tags. Conservative: a "<" in text or in an attribute value counts as a tag."""
    left = markup.count("<")
    if left <= limit:
        return True
    left -= markup.count("</")
    return left <= limit or left - len(_FLAT_START.findall(markup)) <= limit


def _limit_depth(markup: str) -> str:
    if _at_most_deep(markup, MAX_DEPTH):  # too few start tags: nothing can be deeper
        return markup
    return _drop_deep_tags(markup, MAX_DEPTH)


def _drop_deep_tags(markup: str, limit: int) -> str:
    """`markup` without the start tags deeper than `limit` and their end tags (a walk over
    every tag in Python)."""
    depth = excess = 0
    drops: list[tuple[int, int]] = []
    for m in _TAG.finditer(markup):
        closing, name = m.groups()
        if name.lower() in _FLAT:
            continue
        if not closing:
            if depth < limit:
                depth += 1
                continue
            excess += 1
        elif excess:
            excess -= 1
        else:
            depth = max(0, depth - 1)
            continue
        drops.append(m.span())
    if not drops:
        return markup
    kept, last = [], 0
    for start, end in drops:
        kept.append(markup[last:start])
        last = end
    kept.append(markup[last:])
    return "".join(kept)


def sanitize_html(markup: str) -> str:
    """Markup reduced to the allow-list: no scripts, styles, frames, forms, SVG/MathML, event
    handlers, `style` attributes, or `javascript:`/`vbscript:`/`data:` URLs. Elements nested
    deeper than MAX_DEPTH lose their tags (not their content). No character XML 1.0 forbids,
    and no DEL or C1 control, survives (`clean_text`, after the parse, which also decodes
    character references such as `&#1;`)."""
    markup = _limit_depth(markup)
    cleaner = _CLEANER if "class" in markup.lower() else _CLEANER_WITHOUT_CLASSES
    return clean_text(cleaner.clean(markup))


# -- markup the sanitiser gives back as it is -------------------------------------------------
# A conservative recogniser of plainly written HTML that `sanitize_html` returns unchanged:
# paragraphs (never nested in anything), line breaks, a few inline elements without attributes
# (none inside one of its own kind), links as the sanitiser writes them (an absolute http(s)
# href that parses as a URL, then the rel it sets), and text escaped as its serializer escapes
# it (no raw "<" or ">", every "&" one of the four references it writes, no no-break space,
# CR, BOM or character `clean_text` removes). Anything else is "not known": sanitise it.
# tests/core/test_sanitize.py checks hostile mixes: whatever it accepts, the sanitiser keeps.
_NOT_PLAIN_CHAR = re.compile("[\x00-\x08\x0b-\x1f\x7f-\xa0\ufeff\ufffe\uffff\ud800-\udfff]")
_NOT_PLAIN_REF = re.compile(r"&(?!(?:amp|lt|gt|nbsp);)")
_PLAIN_TAG = re.compile(r"<([^<>]*)>")
_PLAIN_MAX = 64 * 1024  # characters: longer markup goes to the sanitiser (see below)
_PLAIN_INLINE = frozenset({"strong", "em", "b", "i", "code"})
_PLAIN_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_PLAIN_LINK = re.compile(
    r'a href="https?://'
    # a dotted IPv4 address, or a name whose labels are plain and whose last one is no number
    # (the URL parser reads a name ending in a number as an IPv4 address, and may refuse it)
    rf"(?:{_PLAIN_OCTET}(?:\.{_PLAIN_OCTET}){{3}}"
    r"|(?:(?!xn--)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"(?!xn--)[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)"
    r"(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
    r"(?:/[A-Za-z0-9._~%/+-]*)?(?:\?[A-Za-z0-9._~%=+-]*)?"
    r'(?:#[A-Za-z0-9._~%/+-]*)?" rel="noopener noreferrer"',
    re.I,
)


def is_plainly_sanitised(markup: str) -> bool:
    """True when `markup` is plainly written HTML that `sanitize_html` gives back unchanged
    (see above); False says nothing (sanitise it). Markup over `_PLAIN_MAX` characters is not
    looked at: a regular expression over megabytes holds the GIL for its whole run, even in a
    worker thread, and stalls the event loop (nh3 releases it while it sanitises)."""
    if len(markup) > _PLAIN_MAX or _NOT_PLAIN_CHAR.search(markup) or _NOT_PLAIN_REF.search(markup):
        return False
    parts = _PLAIN_TAG.split(markup)
    open_: list[str] = []
    for i, part in enumerate(parts):
        if not i % 2:  # text
            if "<" in part or ">" in part:
                return False
        elif part == "p":
            if open_:
                return False
            open_.append(part)
        elif part == "br":
            continue
        elif part in _PLAIN_INLINE:
            if part in open_:
                return False
            open_.append(part)
        elif part[:1] == "/":
            if not open_ or open_[-1] != part[1:]:
                return False
            open_.pop()
        elif _PLAIN_LINK.fullmatch(part) and part[:1] == "a":
            if "a" in open_:
                return False
            open_.append("a")
        else:
            return False
    return not open_


class _Inventory(HTMLParser):
    """Counts start tags by name and attributes by (tag, attribute)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: dict[str, int] = {}
        self.attrs: dict[tuple[str, str], int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for name, _ in attrs:
            self.attrs[tag, name] = self.attrs.get((tag, name), 0) + 1


def _inventory(markup: str) -> _Inventory:
    parser = _Inventory()
    parser.feed(markup)
    parser.close()
    return parser


def removed_markup(before: str, after: str) -> list[str]:
    """Sorted tag and attribute names (e.g. "onclick", "script", "style") present in `before`
    but (partly) gone from `after`: the list for the v1 `html_sanitized` warning."""
    old, new = _inventory(before), _inventory(after)
    removed = {tag for tag, n in old.tags.items() if n > new.tags.get(tag, 0)}
    removed |= {name for (tag, name), n in old.attrs.items() if n > new.attrs.get((tag, name), 0)}
    return sorted(removed)


_BREAKS = _BLOCK | {"img", "source", "track", "video", "audio", "figure", "picture"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_WITH_CONTENT:
            self.skipping += 1
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_WITH_CONTENT:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


_SPACE = re.compile(r"\s+")


def strip_tags(markup: str) -> str:
    """Plain text from markup (for excerpts and summaries): tags dropped, script/style content
    dropped, block boundaries become spaces, entities decoded once, whitespace collapsed.
    The result is text, not HTML: escape it again before putting it into a page."""
    if "<" not in markup:  # no tag: what the parser would give, without running it
        return clean_text(_SPACE.sub(" ", unescape(markup)).strip())
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return clean_text(_SPACE.sub(" ", "".join(parser.parts)).strip())


_FIRST_READ = 4096  # characters of markup read first for `leading_words`; twice more each time


def leading_words(markup: str, count: int) -> list[str]:
    """`strip_tags(markup).split()[:count]`, reading only as much of the markup as those words
    need: a slug or a title check wants the first few words of a body of megabytes, and
    parsing all of it would take seconds. The parser is fed in growing pieces and holds back
    what it cannot finish yet (a cut tag, entity or comment), so the text read so far is a
    prefix of the whole text; its first `count` words are final once another word follows."""
    parser = _Text()
    start, size = 0, _FIRST_READ
    while start < len(markup):
        parser.feed(markup[start : start + size])
        start += size
        size *= 2
        words = clean_text("".join(parser.parts)).split(maxsplit=count)
        if len(words) > count:
            return words[:count]
    parser.close()
    return clean_text("".join(parser.parts)).split()[:count]


# A tag as `sanitize_html` writes it: lower-case name, attribute values in double quotes
# (which may hold a raw ">").
_SANITISED_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)(?:[^>"]|"[^"]*")*>')


def text_of_sanitised(markup: str) -> str:
    """`strip_tags` for HTML that `sanitize_html` wrote, by a regular expression instead of a
    parser: that HTML is well formed, has no comments and no element whose content is
    dropped, its text escapes every "<" and starts every "&" an entity, so the same text
    comes out (tests/core/test_sanitize.py compares the two)."""
    text = _SANITISED_TAG.sub(lambda m: " " if m.group(2) in _BREAKS else "", markup)
    return clean_text(_SPACE.sub(" ", unescape(text)).strip())
