"""Routes of `hub/site`, mounted at `/` by the app factory."""

from __future__ import annotations

from starlette.routing import Mount

from hub.site import errors
from hub.web import api_mount


def mount() -> Mount:
    return api_mount("", [], errors.handle, name="site")
