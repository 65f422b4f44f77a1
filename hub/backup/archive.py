"""The backup archive as a tar file (gzip-compressed when its name ends in `.tar.gz` or `.tgz`):
`database.dump`, `media/...` and `manifest.json`, written to a temporary name and renamed in
place, read back with every member's name and type checked before anything is extracted."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from hub.backup.errors import ArchiveRefused
from hub.backup.manifest import DUMP, MANIFEST, MEDIA, Manifest

PROGRESS_EVERY = 500
"""A progress line every this many media files."""

_DAMAGED = (tarfile.TarError, EOFError, zlib.error, OSError)


def compressed(path: Path) -> bool:
    return path.name.endswith((".tar.gz", ".tgz"))


def open_for_writing(path: Path, *, gzip: bool) -> tarfile.TarFile:
    return tarfile.open(path, "w:gz" if gzip else "w", format=tarfile.PAX_FORMAT)


def media_files(media_dir: Path) -> Iterator[Path]:
    """The regular files under `media_dir` (symbolic links left out), in a stable order."""
    if not media_dir.is_dir():
        return
    for root, dirs, files in os.walk(media_dir):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                yield path


def add_media(
    tar: tarfile.TarFile, media_dir: Path, progress: Callable[[str], None]
) -> tuple[int, int]:
    """Add every media file under `media/`; (files, bytes) added. A file deleted while the
    backup runs is left out."""
    count = total = 0
    for path in media_files(media_dir):
        arcname = f"{MEDIA}/{path.relative_to(media_dir).as_posix()}"
        try:
            info = tar.gettarinfo(str(path), arcname)
            with path.open("rb") as handle:
                tar.addfile(info, handle)
        except FileNotFoundError:
            continue
        count += 1
        total += info.size
        if count % PROGRESS_EVERY == 0:
            progress(f"media: {count} files, {total} bytes")
    return count, total


def add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _allowed(member: tarfile.TarInfo) -> bool:
    path = PurePosixPath(member.name)
    if path.is_absolute() or ".." in path.parts:
        return False
    if member.name in (MANIFEST, DUMP):
        return member.isfile()
    return path.parts[0] == MEDIA and (member.isfile() or member.isdir())


def read_manifest(path: Path) -> tuple[Manifest, list[tarfile.TarInfo]]:
    """The manifest and the members of the archive at `path`, reading it through once;
    `ArchiveRefused` for a damaged archive, an unknown member or a missing part."""
    try:
        with tarfile.open(path, "r:*") as tar:
            members = tar.getmembers()
            strange = [m.name for m in members if not _allowed(m)]
            if strange:
                raise ArchiveRefused(f"it holds what a hub backup does not: {strange[0]!r}")
            names = {m.name for m in members}
            for needed in (MANIFEST, DUMP):
                if needed not in names:
                    raise ArchiveRefused(f"it has no {needed}")
            handle = tar.extractfile(MANIFEST)
            manifest = Manifest.from_json(handle.read() if handle else b"")
    except FileNotFoundError as exc:
        raise ArchiveRefused("there is no such file") from exc
    except _DAMAGED as exc:
        raise ArchiveRefused(f"it is not a tar archive or is damaged ({exc})") from exc
    return manifest, members


def extract(path: Path, into: Path) -> None:
    """Extract the archive into the directory `into` (names were checked by `read_manifest`;
    tarfile's `data` filter refuses links and special files as well)."""
    try:
        with tarfile.open(path, "r:*") as tar:
            tar.extractall(into, filter="data")
    except _DAMAGED as exc:
        raise ArchiveRefused(f"it is damaged ({exc})") from exc


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
