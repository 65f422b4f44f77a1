"""Webmention endpoint discovery (W3C §3.1.2; webmention-site-feeds.md §2.3, ROCKS 1-23).

Pure: the final URL after redirects, the response headers and the body in; the endpoint out.
The `Link` header comes first (every header line, every link-value, RFC 8288 parsing so commas
inside `<...>` and quotes are respected); then, for HTML only, the first `<link>` or `<a>` in
document order whose `rel` has the token `webmention` and that has an `href`. The HTML is parsed
by html5lib, so comments and escaped markup are never elements. The href is resolved against
the final URL (or `<base href>`); an empty href is the page itself; the query string is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin

import html5lib

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
    value = next((v for k, v in headers if k.lower() == "content-type"), "")
    message = Message()
    message["content-type"] = value
    charset = message.get_param("charset")
    return (value.split(";")[0].strip().lower(), str(charset) if charset else None)


def parse_html(body: bytes, charset: str | None = None):
    """An html5lib element tree (no namespaces) of at most MAX_HTML_BYTES of `body`."""
    kwargs = {"transport_encoding": charset} if charset else {}
    return html5lib.parse(
        body[:MAX_HTML_BYTES], treebuilder="etree", namespaceHTMLElements=False, **kwargs
    )


def document_base(root, url: str) -> str:
    """The URL relative hrefs resolve against: the first `<base href>`, else `url`."""
    for element in root.iter("base"):
        href = element.get("href")
        if href is not None:
            return urljoin(url, href.strip())
    return url


def endpoint_from_html(root, url: str) -> str | None:
    base = document_base(root, url)
    for element in root.iter():
        if element.tag not in ("link", "a"):
            continue
        href = element.get("href")
        if href is None or not _is_webmention(element.get("rel", "").split()):
            continue
        return urljoin(base, href.strip())
    return None


def title_of(root) -> str | None:
    for element in root.iter("title"):
        text = " ".join("".join(element.itertext()).split())
        return text[:_TITLE_CHARS] or None
    return None


def discover(url: str, headers: Iterable[tuple[str, str]], body: bytes) -> Discovery:
    """The endpoint of the page at `url` (the final URL after redirects), and its title."""
    headers = list(headers)
    endpoint = endpoint_from_headers(url, headers)
    kind, charset = media_type(headers)
    if kind not in HTML_TYPES:
        return Discovery(endpoint, None)
    root = parse_html(body, charset)
    if endpoint is None:
        endpoint = endpoint_from_html(root, url)
    return Discovery(endpoint, title_of(root))
