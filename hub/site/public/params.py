"""The public URL scheme as a pure function: path segments in, the page they name out.

Node paths (`/{channel}`, `/{channel}/{slug}`, `/{channel}/tags/{tag}`, feeds) and the same
paths on a channel's custom domain, where the channel segment is implied (`/`, `/{slug}`,
`/tags/{tag}`, `/rss.xml`) (webmention-site-feeds §3.1, R-W30). No I/O here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

FEED_FILES = {"rss.xml": "rss", "atom.xml": "atom", "feed.json": "json"}

_LANGUAGE = re.compile(r"^([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|[0-9]{3}))?$")
_CURSOR = re.compile(r"^(-?[0-9]{1,18})\.([0-9]{1,18})$")


@dataclass(frozen=True)
class Target:
    """What a public path names. `kind` is `node`, `channel`, `tag`, `entry`, `feed` or
    `missing`; `feed` is `rss`, `atom` or `json` for feed kinds (channel or tag feed)."""

    kind: str
    channel: str | None = None
    slug: str | None = None
    tag: str | None = None
    feed: str | None = None


MISSING = Target("missing")


def parse_path(raw_path: str, channel: str | None = None) -> Target:
    """The page named by a request path as sent (percent-encoded: each segment is decoded
    on its own, so a tag may contain `/`). `channel` is the channel whose custom domain
    served the request, else None (the node host)."""
    segments = raw_path.split("/")[1:] if raw_path.startswith("/") else raw_path.split("/")
    if segments and segments[-1] == "":
        segments = segments[:-1]  # one trailing slash is the same page
    if any(s == "" for s in segments):
        return MISSING
    try:
        segments = [unquote(s, errors="strict") for s in segments]
    except UnicodeDecodeError:
        return MISSING
    if channel is None:
        if not segments:
            return Target("node")
        channel, *segments = segments
    return _in_channel(channel, segments)


def _in_channel(channel: str, rest: list[str]) -> Target:
    match rest:
        case []:
            return Target("channel", channel)
        case [name] if name in FEED_FILES:
            return Target("feed", channel, feed=FEED_FILES[name])
        case ["tags", tag]:
            return Target("tag", channel, tag=tag)
        case ["tags", tag, name] if name in FEED_FILES:
            return Target("feed", channel, tag=tag, feed=FEED_FILES[name])
        case [slug] if slug != "tags":
            return Target("entry", channel, slug=slug)
    return MISSING


def normalise_language(value: str) -> str | None:
    """`PT-br` → `pt-BR`, `zh-hant-tw` → `zh-Hant-TW`; None when it is not a language code
    of the form the schema accepts (publicasta-v1-resolved R-73)."""
    match = _LANGUAGE.match(value.strip())
    if not match:
        return None
    lang, script, region = match.groups()
    out = lang.lower()
    if script:
        out += "-" + script.title()
    if region:
        out += "-" + region.upper()
    return out


def encode_cursor(published_at_us: int, entry_id: int) -> str:
    """A `?before=` cursor: the microseconds since the epoch of `published_at`, then the id."""
    return f"{published_at_us}.{entry_id}"


def decode_cursor(value: str) -> tuple[int, int] | None:
    match = _CURSOR.match(value)
    return (int(match.group(1)), int(match.group(2))) if match else None


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def cursor_of(published_at: datetime, entry_id: int) -> str:
    """The `?before=` cursor of an entry (its publication time and id)."""
    return encode_cursor((published_at - EPOCH) // timedelta(microseconds=1), entry_id)


def cursor_time(value: str) -> tuple[datetime, int] | None:
    """The (published_at, id) a `?before=` value names; None when malformed or out of range."""
    cursor = decode_cursor(value)
    if cursor is None:
        return None
    try:
        return EPOCH + timedelta(microseconds=cursor[0]), cursor[1]
    except OverflowError:
        return None
