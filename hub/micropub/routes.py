"""Routes of `hub/micropub`, mounted at `/micropub` by the app factory."""

from __future__ import annotations

from starlette.routing import Mount

from hub.micropub import errors
from hub.web import api_mount


def mount() -> Mount:
    return api_mount("/micropub", [], errors.handle, name="micropub")
