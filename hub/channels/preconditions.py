"""v1 write preconditions (EXT): the ETags of articles and channels and the `If-Match` test.
The write unit v1 writes run in is the core's (`hub.core.writes`)."""

from __future__ import annotations


def matches(if_match: str | None, etag: str | None) -> bool:
    """RFC 9110 §13.1.1 with strong comparison: `*` matches any current representation; a
    list matches when one of its entity tags equals `etag`; weak tags never match."""
    if if_match is None:
        return True
    if etag is None:
        return False
    tags = [t.strip() for t in if_match.split(",") if t.strip()]
    return "*" in tags or etag in tags


def entry_etag(version: int) -> str:
    return f'"v{version}"'


def channel_etag(updated_at) -> str:
    return f'"c{int(updated_at.timestamp() * 1_000_000)}"'
