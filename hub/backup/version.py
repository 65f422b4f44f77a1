"""The version of the installed hub and the newest schema it knows, for the manifest."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from hub.core.migrate import load_migrations


def hub_version() -> str:
    try:
        return version("hub")
    except PackageNotFoundError:
        return "unknown"


def known_schema_version() -> int:
    """The number of the last migration this hub ships."""
    return max((m.version for m in load_migrations()), default=0)
