"""Conditional GET over stored headers (RFC 9110 §13): `If-None-Match` with the weak
comparison wins over `If-Modified-Since`, compared at one-second precision, as the site's
own handlers do (`hub.site.public.caching.is_fresh`). Pure."""

from __future__ import annotations

from datetime import UTC
from email.utils import parsedate_to_datetime

from hub.web.page_cache.store import Headers

NOT_MODIFIED_DROPS = frozenset({b"content-type", b"content-length", b"content-encoding"})


def http_time(value: bytes | None) -> float | None:
    """Seconds since the epoch of an HTTP date, or None."""
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value.decode("latin-1"))
    except (TypeError, ValueError):
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def is_fresh(
    if_none_match: bytes | None,
    if_modified_since: bytes | None,
    etag: bytes | None,
    last_modified: float | None,
) -> bool:
    if if_none_match is not None:
        if etag is None:
            return False
        tags = {t.strip().removeprefix(b"W/") for t in if_none_match.split(b",")}
        return b"*" in tags or etag.removeprefix(b"W/") in tags
    if if_modified_since and last_modified is not None:
        since = http_time(if_modified_since)
        return since is not None and int(last_modified) <= since
    return False


def not_modified_headers(headers: Headers) -> Headers:
    """The headers of a 304: those of the 200 without its body's type, length and coding."""
    return [(k, v) for k, v in headers if k not in NOT_MODIFIED_DROPS]
