"""The installed hub's version, from the package metadata, and the User-Agent built from it.

`hub --version` prints `VERSION`; every outbound request (the guarded fetch client, feed polls,
webhooks) names itself `hub/VERSION`, so both change with the one `version` in pyproject.toml.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION: str = version("hub")
except PackageNotFoundError:  # imported from a checkout that was never installed
    VERSION = "0+unknown"

USER_AGENT: str = f"hub/{VERSION}"
"""The product token of every outbound request, e.g. `hub/0.1.0`."""
