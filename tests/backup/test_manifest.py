"""`hub.backup.manifest`: what a restore accepts from an archive's manifest.json."""

from __future__ import annotations

import json

import pytest

from hub.backup.errors import ArchiveRefused
from hub.backup.manifest import Manifest

GOOD = {
    "format": 1, "hub_version": "0.1.0", "schema_version": 18,
    "created_at": "2025-01-31T10:00:00+00:00", "pg_dump_version": "18.6",
    "server_version": "18.6", "database_sha256": "ab" * 32,
    "tables": {"entries": 3, "schema_migrations": 18}, "media_files": 2, "media_bytes": 900,
}  # fmt: skip


def test_a_manifest_reads_back_what_it_wrote():
    manifest = Manifest.from_json(json.dumps(GOOD))
    assert Manifest.from_json(manifest.to_json()) == manifest
    assert manifest.pg_dump_major == 18


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": 2}, "format 2"),
        ({"tables": {'x"; DROP TABLE entries; --': 1}}, "malformed table list"),
        ({"tables": {"entries": -1}}, "malformed table list"),
        ({"schema_version": "18"}, "malformed numbers"),
    ],
)
def test_a_malformed_manifest_is_refused(change, message):
    with pytest.raises(ArchiveRefused, match=message):
        Manifest.from_json(json.dumps(GOOD | change))


def test_missing_fields_and_non_json_are_refused():
    with pytest.raises(ArchiveRefused, match="lacks"):
        Manifest.from_json(json.dumps({k: v for k, v in GOOD.items() if k != "tables"}))
    with pytest.raises(ArchiveRefused, match="not JSON"):
        Manifest.from_json(b"\x00garbage")


def test_a_newer_schema_is_refused_an_older_one_accepted():
    manifest = Manifest.from_json(json.dumps(GOOD))
    manifest.check_schema(18)
    manifest.check_schema(25)
    with pytest.raises(ArchiveRefused, match="schema version 18, newer than this hub knows"):
        manifest.check_schema(17)
