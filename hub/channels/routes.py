"""Routes of `hub/channels`, mounted at `/api/v1` by the app factory."""

from __future__ import annotations

from starlette.routing import Mount

from hub.channels import errors
from hub.web import api_mount


def mount() -> Mount:
    return api_mount("/api/v1", [], errors.handle, name="channels")
