"""Old URLs of imported items as redirect keys: the path (and query, for `/?p=123`) in one
normal form, so that the key stored at import time and the one read from a request match.

Pure: no I/O. The site looks the keys up (`queries.find_redirect`) only for a path nothing
else answered, and for the node home with a query.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

MAX_KEY = 2000


def key(path: str, query: str = "") -> str | None:
    """The redirect key of a path and query: percent-decoded, without a trailing slash
    (except `/`), with the query's pairs sorted. None for an empty key or one too long."""
    path = unquote(path or "/")
    if not path.startswith("/"):
        path = "/" + path
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    full = path + ("?" + urlencode(pairs) if pairs else "")
    if full == "/" or len(full) > MAX_KEY:
        return None  # the home page itself is never an entry's old URL
    return full


def key_of_url(url: str) -> str | None:
    """The redirect key of an item's old URL (absolute or a path)."""
    parts = urlsplit(url.strip())
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    return key(parts.path, parts.query)


def keys_of_urls(urls: list[str] | tuple[str, ...]) -> list[str]:
    """The distinct keys of `urls`, in order."""
    keys: list[str] = []
    for url in urls:
        k = key_of_url(url)
        if k and k not in keys:
            keys.append(k)
    return keys
