"""Webmention endpoint discovery (W3C §3.1.2; webmention-site-feeds.md §2.3, ROCKS 1-23).

Pure: the final URL after redirects, the response headers and the body in; the endpoint out.
The `Link` header comes first (every header line, every link-value, RFC 8288 parsing so commas
inside `<...>` and quotes are respected); then, for HTML only, the first `<link>` or `<a>` in
document order whose `rel` has the token `webmention` and that has an `href`. The HTML is parsed
by a scanner on the stdlib tokenizer that stops once it has the endpoint, the title and any
`<base>` (html5lib's full tree cost ~10x more), so comments, raw text and `<template>`
contents are never elements. The href is resolved against the final URL (or `<base href>`);
an empty href is the page itself; the query string is kept. The page is decoded by
html5lib's encoding sniffing (`html5lib._inputstream`: html5lib is pinned to 1.x).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin

from html5lib._inputstream import HTMLBinaryInputStream, lookupEncoding

from hub.webmentions.send.plain_scan import NotPlain, scan_plain

REL = "webmention"
LEGACY_REL = "http://webmention.org/"
HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_HTML_BYTES = 1024 * 1024
_TITLE_CHARS = 200


@dataclass(frozen=True)
class Discovery:
    endpoint: str | None  # absolute URL, or None: the target has no endpoint
    title: str | None  # the page's <title>, for reply contexts (R-W23)


@dataclass(frozen=True)
class LinkValue:
    target: str
    params: dict[str, str]

    @property
    def rels(self) -> list[str]:
        return self.params.get("rel", "").split()


def parse_link_header(value: str) -> list[LinkValue]:
    """Every link-value of one `Link` header field (RFC 8288 §3), in order. Parameter names
    are lowercased; the first occurrence of a parameter wins; broken link-values are skipped."""
    links: list[LinkValue] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and value[i] in " \t,":
            i += 1
        if i >= n:
            break
        if value[i] != "<":  # not a link-value: skip to the next comma outside quotes
            i = _skip_to_comma(value, i)
            continue
        end = value.find(">", i + 1)
        if end < 0:
            break
        target = value[i + 1 : end].strip()
        i = end + 1
        params: dict[str, str] = {}
        while True:
            while i < n and value[i] in " \t":
                i += 1
            if i >= n or value[i] != ";":
                break
            i += 1
            while i < n and value[i] in " \t":
                i += 1
            start = i
            while i < n and value[i] not in "=;, \t":
                i += 1
            name = value[start:i].lower()
            while i < n and value[i] in " \t":
                i += 1
            param = ""
            if i < n and value[i] == "=":
                i += 1
                while i < n and value[i] in " \t":
                    i += 1
                if i < n and value[i] == '"':
                    param, i = _quoted(value, i)
                else:
                    start = i
                    while i < n and value[i] not in ";,":
                        i += 1
                    param = value[start:i].strip()
            if name and name not in params:
                params[name] = param
        links.append(LinkValue(target, params))
        i = _skip_to_comma(value, i)
    return links


def _quoted(value: str, i: int) -> tuple[str, int]:
    """The quoted-string starting at value[i] == '"', unescaped, and the index after it."""
    out: list[str] = []
    i += 1
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value):
            out.append(value[i + 1])
            i += 2
            continue
        if char == '"':
            return "".join(out), i + 1
        out.append(char)
        i += 1
    return "".join(out), i


def _skip_to_comma(value: str, i: int) -> int:
    quoted = False
    while i < len(value):
        if value[i] == '"':
            quoted = not quoted
        elif value[i] == "\\" and quoted:
            i += 1
        elif value[i] == "," and not quoted:
            return i + 1
        i += 1
    return i


def _is_webmention(rels: Iterable[str]) -> bool:
    return any(r.lower() == REL or r == LEGACY_REL for r in rels)


def endpoint_from_headers(url: str, headers: Iterable[tuple[str, str]]) -> str | None:
    """The first `Link` link-value with rel `webmention`, resolved against `url`."""
    for name, value in headers:
        if name.lower() != "link":
            continue
        for link in parse_link_header(value):
            if _is_webmention(link.rels):
                return urljoin(url, link.target)
    return None


def media_type(headers: Iterable[tuple[str, str]]) -> tuple[str, str | None]:
    """(lowercase media type, charset or None) of the Content-Type header."""
    return _media_type(next((v for k, v in headers if k.lower() == "content-type"), ""))


@functools.lru_cache(maxsize=256)
def _media_type(value: str) -> tuple[str, str | None]:  # a few values, parsed slowly by email
    message = Message()
    message["content-type"] = value
    charset = message.get_param("charset")
    return (value.split(";")[0].strip().lower(), str(charset) if charset else None)


def decode_html(body: bytes, charset: str | None = None) -> str:
    """At most MAX_HTML_BYTES of `body` as text, decoded as an HTML parser would: a BOM, then
    the transport charset, then a `<meta charset>` in the first KiB, else windows-1252 (the
    encoding html5lib's sniffing picks, which the reply context still parses with)."""
    body = body[:MAX_HTML_BYTES]
    # html5lib's order: a BOM, then the transport charset when it names an encoding. Only a
    # body that cannot start with a BOM skips building its input stream for that answer.
    encoding = _encoding(charset) if charset and body[:1] not in _BOM_FIRST_BYTES else None
    if encoding is None:
        stream = HTMLBinaryInputStream(body, transport_encoding=charset, useChardet=False)
        encoding = stream.charEncoding[0]
    return encoding.codec_info.decode(body, "replace")[0].lstrip("\ufeff")


_BOM_FIRST_BYTES = (b"\xef", b"\xfe", b"\xff", b"\x00")  # UTF-8, -16 and -32 BOMs start so
_encoding = functools.lru_cache(maxsize=64)(lookupEncoding)  # webencodings' label lookup


class _Done(Exception):
    """Raised by the scanner once it has all discovery needs."""


class _Scanner(HTMLParser):
    """The tokens discovery needs, in document order: the first `<base href>`, the first
    `<title>`'s text, the first `<link>`/`<a>` with rel=webmention and an href. Comments
    (HTML5 rules, `<!-->` included), raw text (`script`, `style`, `textarea`, `title`, ...),
    `<template>` contents (not part of the document) and SVG/MathML are never elements."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        lower = text.lower()
        self.want_base = "<base" in lower
        self.want_title = "<title" in lower
        self.base: str | None = None
        self.href: str | None = None
        self.title: str | None = None
        self._title_parts: list[str] | None = None
        self._template = 0
        self._foreign = 0

    def _finish_if_done(self) -> None:
        if self.href is not None and not self.want_base and not self.want_title:
            raise _Done

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _RAW_TEXT:
            self.set_cdata_mode(tag)
        if tag == "template":
            self._template += 1
            return
        if tag in _FOREIGN:
            self._foreign += 1
            return
        if self._template or self._foreign:
            return
        if tag == "title" and self.want_title:
            self._title_parts = []
        elif tag == "base" and self.want_base:
            href = _first(attrs, "href")
            if href is not None:
                self.base, self.want_base = href, False
                self._finish_if_done()
        elif tag in ("link", "a") and self.href is None:
            href = _first(attrs, "href")
            if href is not None and _is_webmention((_first(attrs, "rel") or "").split()):
                self.href = href
                self._finish_if_done()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """`<x/>`: an HTML start tag all the same (`<title/>` opens a title, `<script/>` a
        script); only foreign elements are void."""
        if tag in _FOREIGN:
            return
        self.handle_starttag(tag, attrs)
        if tag in self.CDATA_CONTENT_ELEMENTS:
            self.set_cdata_mode(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "template" and self._template:
            self._template -= 1
        elif tag in _FOREIGN and self._foreign:
            self._foreign -= 1
        elif tag == "title" and self._title_parts is not None:
            self._end_title()

    def handle_data(self, data: str) -> None:
        if self._title_parts is not None:
            self._title_parts.append(data)

    def _end_title(self) -> None:
        text = " ".join(unescape("".join(self._title_parts or ())).split())
        self.title, self._title_parts, self.want_title = text[:_TITLE_CHARS] or None, None, False
        self._finish_if_done()

    def parse_comment(self, i: int, report: int = 1) -> int:
        """An HTML5 comment: `<!-->` and `<!--->` end at once; else it ends at `-->` or
        `--!>`, or at the end of the document."""
        rawdata = self.rawdata
        after = i + 4
        if rawdata.startswith(">", after):
            return after + 1
        if rawdata.startswith("->", after):
            return after + 2
        match = _COMMENT_END.search(rawdata, after)
        return match.end() if match else len(rawdata)

    def scan(self, text: str) -> None:
        try:
            self.feed(text)
            self.close()
        except _Done:
            return
        if self._title_parts is not None:  # a title left open runs to the end
            self._end_title()


_RAW_TEXT = frozenset({"title", "textarea", "xmp", "iframe", "noembed", "noframes"})
_FOREIGN = frozenset({"svg", "math"})
_COMMENT_END = re.compile(r"--!?>")


def _first(attrs: list[tuple[str, str | None]], name: str) -> str | None:
    """The first `name` attribute's value ("" when it has none), or None."""
    for key, value in attrs:
        if key == name:
            return value or ""
    return None


def discover(url: str, headers: Iterable[tuple[str, str]], body: bytes) -> Discovery:
    """The endpoint of the page at `url` (the final URL after redirects), and its title."""
    headers = list(headers)
    endpoint = endpoint_from_headers(url, headers)
    kind, charset = media_type(headers)
    if kind not in HTML_TYPES:
        return Discovery(endpoint, None)
    text = decode_html(body, charset)
    lower = text.lower()
    try:  # most pages' heads are plainly written: read without the tokenizer
        base, href, title = scan_plain(
            text, want_base=endpoint is None and "<base" in lower,
            want_title="<title" in lower, href=endpoint,
        )  # fmt: skip
        title = " ".join(unescape(title).split())[:_TITLE_CHARS] or None if title else None
    except NotPlain:
        scanner = _Scanner(text)
        if endpoint is not None:  # only the title is wanted
            scanner.href, scanner.want_base = endpoint, False
        scanner.scan(text)
        base, href, title = scanner.base, scanner.href, scanner.title
    if endpoint is None and href is not None:
        base = urljoin(url, base.strip()) if base is not None else url
        endpoint = urljoin(base, href.strip())
    return Discovery(endpoint, title)
