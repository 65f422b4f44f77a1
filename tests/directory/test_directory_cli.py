"""`hub directory add URL` against a local feed server and the test database."""

from __future__ import annotations

from hub.cli import main
from tests.directory import FIXTURES


def test_directory_add_discovers_and_polls(db, settings, feed_server, monkeypatch, capsys):
    for name, value in {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "HUB_BASE_URL": "http://hub.test",
        "HUB_ALLOW_LOOPBACK_FETCH": "1",
        "HUB_DATA_DIR": str(settings.data_dir),
    }.items():
        monkeypatch.setenv(name, value)
    url = feed_server.serve_file("/feed", FIXTURES / "rss20.xml")
    assert main(["directory", "add", url]) == 0
    out = capsys.readouterr().out
    assert "(added): 1 feed(s)" in out and "updated, 2 new post(s)" in out
    assert main(["directory", "add", url, "--no-poll"]) == 0
    assert "already known" in capsys.readouterr().out
    assert main(["directory", "add", "http://10.0.0.1/"]) == 1
    assert "not a public address" in capsys.readouterr().err
