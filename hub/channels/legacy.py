"""The legacy `/api/v1/projects/...` aliases (R-90): every answer there carries `Deprecation:
true` and a `Link` to the same path under `/api/v1/channels`. The link is built from the path as
sent, percent-encoded, so a slug of any characters gives a header of plain ASCII."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request

PREFIX = "/api/v1/projects"
SUCCESSOR = "/api/v1/channels"
# RFC 3986 pchar and "/", less the characters a `Link` target or its `<...>` would misread
_SAFE = "/-._~!$&'()*+,;=:@"


def is_legacy(path: str) -> bool:
    return path.startswith(PREFIX)


def successor_path(path: str) -> str:
    """The same resource under `/api/v1/channels` (decoded paths in, decoded path out)."""
    return SUCCESSOR + path.removeprefix(PREFIX) if is_legacy(path) else path


def successor_link(path: str) -> str:
    """The `Link` header's value for a legacy `path` (decoded): plain ASCII, percent-encoded."""
    return f'<{quote(successor_path(path), safe=_SAFE)}>; rel="successor-version"'


def deprecation_headers(request: Request) -> dict[str, str]:
    """`Deprecation` and `Link` for an answer on a legacy path ({} on any other)."""
    path = request.scope["path"]  # not request.url.path: urlsplit drops tabs and newlines
    if not is_legacy(path):
        return {}
    return {"Deprecation": "true", "Link": successor_link(path)}
