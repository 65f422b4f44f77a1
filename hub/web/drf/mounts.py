"""The `/api` mount: the DRF-style endpoint rows of every adapter that serves under `/api`
(directory, webmentions), routed by one Mount whose errors are answered as `{"detail"}`."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.routing import Mount

from hub.web.drf import errors
from hub.web.drf.endpoint import Endpoint
from hub.web.mounts import api_mount


def drf_mount(path: str, endpoints: Iterable[Endpoint], *, name: str) -> Mount:
    """One Mount at `path` for `endpoints` (rows from several adapters, first match wins)."""
    return api_mount(path, [e.route() for e in endpoints], errors.handle, name=name)
