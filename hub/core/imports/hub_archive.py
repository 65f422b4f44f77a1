"""hub's own export archive (a folder or a `.zip` written by `hub export`) read as import
items: every channel's `feed.json` with its `_hub` extension, media read from `media/`."""

from __future__ import annotations

import atexit
import json
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from hub.core.errors import Invalid
from hub.core.imports.formats import Format, register
from hub.core.imports.items import Parsed
from hub.core.imports.jsonfeed import MAX_FEED_BYTES, parse_feed

KIND = "hub"
MAX_UNZIPPED_BYTES = 20 * 1024**3
_SLUG = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")


def _manifest(root: Path) -> dict | None:
    try:
        manifest = json.loads((root / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("generator") == "hub" else None


def _unzip(path: Path) -> Path:
    """The zip's files in a temporary folder (removed when the process ends). Member names
    that climb out of it are refused by `extractall`; a zip bomb by the size check."""
    with zipfile.ZipFile(path) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
            raise Invalid(f"{path} unpacks to more than {MAX_UNZIPPED_BYTES // 1024**3} GB.")
        root = Path(tempfile.mkdtemp(prefix="hub-import-"))
        atexit.register(shutil.rmtree, root, True)
        archive.extractall(root)
    return root


def read_archive(path: Path) -> Parsed:
    """The items of every channel of the archive, source ids `{channel}/{entry URL}`."""
    root = _unzip(path) if path.is_file() else path
    manifest = _manifest(root)
    if manifest is None:
        raise Invalid(f"{path} is not a hub export archive (no hub manifest.json).")
    parsed = Parsed(KIND)
    for slug in manifest.get("channels") or ():
        if not isinstance(slug, str) or not _SLUG.match(slug):
            raise Invalid(f"{path}: the manifest names a channel {slug!r} that is not a slug.")
        feed = root / "channels" / slug / "feed.json"
        if not feed.is_file() or feed.stat().st_size > MAX_FEED_BYTES:
            raise Invalid(f"{path}: channels/{slug}/feed.json is missing or too big.")
        one = parse_feed(feed.read_bytes(), kind=KIND, media_root=root, prefix=f"{slug}/")
        parsed.items.extend(one.items)
        parsed.refused.extend(one.refused)
    return parsed


def _detect(path: Path) -> bool:
    if path.is_dir():
        return _manifest(path) is not None
    if path.suffix.lower() != ".zip" or not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except (KeyError, ValueError):
            return False
    return isinstance(manifest, dict) and manifest.get("generator") == "hub"


register(
    Format(KIND, "a hub export archive (a folder or .zip from `hub export`)", _detect, read_archive)
)
