"""`hub.cli.common`: a data command in the embedded default starts and stops its own database."""

import pytest

from tests.cli.conftest import clean_env
from tests.cli.conftest import run_hub as _run


@pytest.mark.slow
def test_embedded_mode_cli_starts_and_stops_its_own_database(tmp_path):
    env = clean_env()
    env["HUB_DATA_DIR"] = str(tmp_path / "data")
    added = _run(env, "author", "add", "Solo")
    assert added.returncode == 0, added.stderr
    listed = _run(env, "author", "list")  # a second process finds the data the first wrote
    assert listed.returncode == 0 and "Solo" in listed.stdout
    postmaster = tmp_path / "data" / "postgres" / "postmaster.pid"
    assert not postmaster.exists(), "the CLI left the embedded PostgreSQL running"
