"""The node's media URLs in content, rewritten to the archive's relative paths (pure)."""

from __future__ import annotations

import re
from collections.abc import Collection
from urllib.parse import unquote

from hub.core.urls.build import STORAGE

ARCHIVE_MEDIA = "media"  # the archive's media folder, beside `channels/`


def storage_pattern(origin: str) -> re.Pattern[str]:
    """`/storage/{path}` links, relative or on the node's origin, in HTML or Markdown."""
    return re.compile(rf"(?:{re.escape(origin.rstrip('/'))})?/{STORAGE}/([^\s\"'()<>]+)")


def to_archive(text: str, pattern: re.Pattern[str], exported: Collection[str], prefix: str) -> str:
    """`text` with each link to an exported media file replaced by `{prefix}media/{path}`
    (`prefix` climbs from the file being written to the archive's root, e.g. `../../`)."""

    def swap(match: re.Match[str]) -> str:
        path = unquote(match.group(1))
        return f"{prefix}{ARCHIVE_MEDIA}/{path}" if path in exported else match.group(0)

    return pattern.sub(swap, text)
