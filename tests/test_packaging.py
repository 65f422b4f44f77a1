"""hub as an installed package: the wheel carries its migrations and templates, and the
migrations the package holds (read through importlib.resources) are the ones the database has."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from importlib.resources import files
from pathlib import Path

import pytest

from hub.core.migrate import load_migrations

ROOT = Path(__file__).resolve().parents[1]


def packaged_migrations() -> list[str]:
    return sorted(p.name for p in (files("hub") / "sql").iterdir() if p.name.endswith(".sql"))


async def test_the_database_has_exactly_the_migrations_the_package_holds(db):
    recorded = [r["name"] + ".sql" for r in await db.fetch(
        "SELECT name FROM schema_migrations ORDER BY version")]  # fmt: skip
    assert recorded == packaged_migrations()
    assert [m.name + ".sql" for m in load_migrations()] == recorded


@pytest.mark.slow
def test_the_built_wheel_holds_every_migration_template_and_static_file(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
         "--quiet", "-w", str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("hub-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    in_wheel = sorted(n.removeprefix("hub/sql/") for n in names if n.startswith("hub/sql/"))
    assert in_wheel == packaged_migrations() and len(in_wheel) >= 18
    data = {  # what hub reads at run time besides its modules: templates, static files
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "hub").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc")
    }
    assert any(n.startswith("hub/templates/") for n in data)
    assert sorted(data - set(names)) == []
