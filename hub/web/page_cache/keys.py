"""Which requests the page cache may answer, and under which key.

Only an anonymous reader's GET or HEAD of a public page: no `Authorization` header, no
dashboard session cookie, a path outside the node's fixed words (the APIs, the dashboard,
IndieAuth, media files, ...; `robots.txt` and `sitemap.xml` excepted), and a query made only
of the parameters the pages read (`lang`, `before`, `page`), each once and short. Any other
query (a tracker's, a cache buster) goes to the app: a flood of random query strings costs
renders, never memory. The key is the host, the raw path and query, the representation
(the `Accept` value when it names a JSON type, which may ask for an ActivityPub document;
else HTML) and whether the answer is gzip.
"""

from __future__ import annotations

from functools import lru_cache

from starlette.types import Scope

from hub.core.slugs import RESERVED_CHANNEL_SLUGS
from hub.web.compression import accepts_gzip
from hub.web.page_cache.store import Key

CACHED_FILES = frozenset({"robots.txt", "sitemap.xml"})
FIXED = frozenset(word.encode() for word in RESERVED_CHANNEL_SLUGS - CACHED_FILES)
QUERY_NAMES = frozenset({b"lang", b"before", b"page"})
MAX_QUERY = 120  # bytes
MAX_ACCEPT = 300
SESSION_COOKIE = b"hub_session="  # also matches `__Host-hub_session=`


@lru_cache(maxsize=64)
def _gzip(accept_encoding: bytes) -> bool:
    return accepts_gzip(accept_encoding.decode("latin-1"))


def _query_ok(query: bytes) -> bool:
    if not query:
        return True
    if len(query) > MAX_QUERY:
        return False
    names = [part.partition(b"=")[0] for part in query.split(b"&")]
    return len(set(names)) == len(names) and all(n in QUERY_NAMES for n in names)


def request_key(scope: Scope) -> Key | None:
    """The key of a request the cache may answer, or None (see the module)."""
    if scope["method"] not in ("GET", "HEAD"):
        return None
    raw = scope.get("raw_path") or scope["path"].encode()
    path, _, in_path_query = raw.partition(b"?")  # some servers keep the query in raw_path
    if not path.startswith(b"/") or path.split(b"/", 2)[1] in FIXED:
        return None
    query = scope.get("query_string", b"") or in_path_query
    if not _query_ok(query):
        return None
    host = accept = encoding = b""
    for name, value in scope["headers"]:
        if name == b"host":
            host = value.lower()
        elif name == b"accept":
            accept = value
        elif name == b"accept-encoding":
            encoding = value
        elif name == b"authorization":
            return None
        elif name == b"cookie" and SESSION_COOKIE in value:
            return None
    if b"json" in accept:
        if len(accept) > MAX_ACCEPT:
            return None
        representation = accept
    else:
        representation = b""
    return (host, path, query, representation, _gzip(encoding) if encoding else False)
