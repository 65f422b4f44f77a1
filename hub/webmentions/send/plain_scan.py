"""Discovery's scan of a plainly written page, without the tokenizer (issue 20). Pure.

`discovery`'s scanner reads a page with the stdlib tokenizer (`html.parser`), whose Python
code per tag was the larger part of discovery's CPU. Most pages' heads are plainly written:
a doctype, comments, tags whose names and attribute names are plain ASCII, attribute values
in double quotes (or none), and a `<title>` of text. Up to the point where discovery has what
it needs, such a page is read here with regular expressions, tag by tag, with the scanner's
rules (the first `<base href>`, the first `<title>`'s text, the first `<link>`/`<a>` with
rel=webmention and an href; `<template>` contents and SVG/MathML never count; comments by
HTML5's rules). At the first thing that is not plain (an unquoted or single-quoted value,
`<script>`, `<style>` or another raw-text element, a `<` that begins no tag, a title with
markup in it, ...) it gives up and the tokenizer reads the whole page, so what it finds is
always what the tokenizer finds (`tests/webmentions/send/test_discovery.py` compares them).
"""

from __future__ import annotations

import re
from html import unescape

# a start or end tag written plainly: ASCII names, values in double quotes without `<`
_TAG = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[\t\n\r\f ]+[A-Za-z_:][A-Za-z0-9_:.-]*(?:=\"[^\"<]*\")?)*)"
    r"[\t\n\r\f ]*(/?)>"
)
_ATTR = re.compile(r"[\t\n\r\f ]+([A-Za-z_:][A-Za-z0-9_:.-]*)(?:=\"([^\"<]*)\")?")
_DOCTYPE = re.compile(r"<!doctype", re.IGNORECASE)
_COMMENT_END = re.compile(r"--!?>")
_TITLE_END = re.compile(r"</title>", re.IGNORECASE)
# raw text to the tokenizer (its contents are no tags): the scan gives up on any but a title
_RAW_TEXT = frozenset(
    {"script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes", "plaintext"}
)
_FOREIGN = frozenset({"svg", "math"})


class NotPlain(Exception):
    """The page is not plainly written before discovery has what it needs."""


def _attrs(text: str) -> dict[str, str]:
    """A plain tag's attributes: lowercase names, the first of each, values unescaped."""
    found: dict[str, str] = {}
    for name, value in _ATTR.findall(text):
        found.setdefault(name.lower(), unescape(value) if value else "")
    return found


def scan_plain(
    text: str, *, want_base: bool, want_title: bool, href: str | None
) -> tuple[str | None, str | None, str | None]:
    """(base href, endpoint href, raw title text) as the tokenizer's scan finds them, reading
    until it has the endpoint, and the title and `<base>` when wanted (`want_*`: the page has
    one); `href` is an endpoint found already (in the `Link` header). The title is None when
    there is none. Raises NotPlain where the page is not plainly written."""
    base = title = None
    template = foreign = 0
    pos = 0
    while href is None or want_base or want_title:
        start = text.find("<", pos)
        if start < 0:
            break
        if text.startswith("<!--", start):  # HTML5: `<!-->`, `<!--->`, else to `--!?>`
            after = start + 4
            if text.startswith(">", after):
                pos = after + 1
            elif text.startswith("->", after):
                pos = after + 2
            else:
                match = _COMMENT_END.search(text, after)
                pos = match.end() if match else len(text)
            continue
        if _DOCTYPE.match(text, start):
            end = text.find(">", start)
            if end < 0:
                raise NotPlain
            pos = end + 1
            continue
        tag = _TAG.match(text, start)
        if tag is None:
            raise NotPlain
        pos = tag.end()
        closing, name = tag[1], tag[2].lower()
        if closing:
            if name == "template" and template:
                template -= 1
            elif name in _FOREIGN and foreign:
                foreign -= 1
            continue
        if name in _FOREIGN:
            foreign += 0 if tag[4] else 1  # `<svg/>` is void
            continue
        if name in _RAW_TEXT:
            if name != "title" or template or foreign:
                raise NotPlain
            end = _TITLE_END.search(text, pos)
            if end is None or "<" in text[pos : end.start()]:
                raise NotPlain
            if want_title:
                title, want_title = text[pos : end.start()], False
            pos = end.end()
            continue
        if name == "template":
            template += 1
            continue
        if template or foreign:
            continue
        if name == "base" and want_base:
            attrs = _attrs(tag[3])
            if "href" in attrs:
                base, want_base = attrs["href"], False
        elif name in ("link", "a") and href is None:
            attrs = _attrs(tag[3])
            if "href" in attrs and _is_webmention(attrs.get("rel", "").split()):
                href = attrs["href"]
    return base, href, title


def _is_webmention(rels: list[str]) -> bool:
    return any(r.lower() == "webmention" or r == "http://webmention.org/" for r in rels)
