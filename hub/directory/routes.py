"""Routes of `hub/directory`, mounted at `/api` by the app factory."""

from __future__ import annotations

from starlette.routing import Mount

from hub.directory import errors
from hub.web import api_mount


def mount() -> Mount:
    return api_mount("/api", [], errors.handle, name="directory")
