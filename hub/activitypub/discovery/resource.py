"""Reading a WebFinger `resource` (RFC 7033 §4.5): `acct:{handle}@{host}` or a URL (a channel's
URL, which is its actor id). Pure: the endpoint looks the channel up."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from hub.core.errors import Invalid

_HANDLE = re.compile(r"^[a-z0-9_]([a-z0-9_.-]{0,62}[a-z0-9_])?$")
_HOST = re.compile(r"^[a-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9a-f:.]+\](:[0-9]{1,5})?$")


@dataclass(frozen=True)
class Resource:
    """`handle` and `host` (with its port, if any) of an `acct:` URI, or the `host` and `path`
    of a URL."""

    host: str
    handle: str | None = None
    path: str | None = None


def parse_resource(resource: str | None) -> Resource:
    """The resource asked for; `Invalid` when missing or malformed."""
    if not resource or len(resource) > 2048:
        raise Invalid("The resource parameter is required.")
    if resource.lower().startswith("acct:"):
        address = unquote(resource[5:]).strip().lstrip("@")
        handle, at, host = address.rpartition("@")
        handle, host = handle.lower(), host.lower()
        if not at or not _HANDLE.match(handle) or not _HOST.match(host):
            raise Invalid("The resource is not an acct: URI of this node.")
        return Resource(host=host, handle=handle)
    if resource.startswith(("http://", "https://")):
        parts = urlsplit(resource)
        if not parts.netloc:
            raise Invalid("The resource is not a valid URL.")
        return Resource(host=parts.netloc.lower(), path=parts.path or "/")
    raise Invalid("The resource must be an acct: URI or an http(s) URL.")
