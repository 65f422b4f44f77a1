"""The dashboard's own static files (`hub/site/dashboard/static/`), served at
`/dashboard/assets/{name}`: today only the editor's script, `editor.js`.

Files are read once, at import; each gets a strong ETag from its SHA-256. A request naming
that version (`?v={etag}`, as `asset_url` writes it in pages) may be cached for a year;
without it, for an hour, then revalidated (`If-None-Match` answers 304). No session is
needed: the files hold no secret, and the login page may not run them anyway.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from hub.core.errors import NotFound
from hub.site.render import environment

STATIC = Path(__file__).resolve().parent / "static"
PREFIX = "/dashboard/assets/"
TYPES = {".js": "text/javascript; charset=utf-8"}
CACHE_VERSIONED = "public, max-age=31536000, immutable"
CACHE_PLAIN = "public, max-age=3600, must-revalidate"


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    version: str  # the first 16 hex digits of the SHA-256

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


def _load() -> dict[str, Asset]:
    found = {}
    for path in sorted(STATIC.iterdir()):
        if path.is_file() and path.suffix in TYPES:
            body = path.read_bytes()
            version = hashlib.sha256(body).hexdigest()[:16]
            found[path.name] = Asset(body, TYPES[path.suffix], version)
    return found


ASSETS = _load()


def asset_url(name: str) -> str:
    """The versioned path of a dashboard asset, for pages (`{{ asset_url("editor.js") }}`)."""
    return f"{PREFIX}{name}?v={ASSETS[name].version}"


environment.globals["asset_url"] = asset_url


def _matches(if_none_match: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


async def asset(request: Request) -> Response:
    """`GET /dashboard/assets/{name}`: the file, 304 when the client has it, 404 else."""
    found = ASSETS.get(request.path_params["name"])
    if found is None:
        raise NotFound("No such file.")
    versioned = request.query_params.get("v") == found.version
    headers = {
        "ETag": found.etag,
        "Cache-Control": CACHE_VERSIONED if versioned else CACHE_PLAIN,
        "X-Content-Type-Options": "nosniff",
    }
    if _matches(request.headers.get("if-none-match", ""), found.etag):
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)
