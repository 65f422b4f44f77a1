"""Each table's SQL lives in the package that owns it (DESIGN.md, docs/architecture.md).

Read as text: a module that names a table after FROM, JOIN, INTO, UPDATE or DELETE FROM holds
SQL on it. The adapters hold SQL only on the tables they own; a statement that joins several
tables lives with the one it is about, in the owner's package, and the others export fragments
it may embed (e.g. `hub.core.webmentions.queries.APPROVED_JSON`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HUB = ROOT / "hub"
SQL = HUB / "sql"  # the migrations ship inside the package (hub.core.migrate)

# owner (a folder or module under hub/, as a path prefix) per table; a table not listed is
# owned by hub/core as a whole (authors, channels, credentials, entries and their satellites,
# the job outbox, idempotency keys)
OWNERS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("webmentions", "webmention_sends", "webmention_blocks", "webmention_known_sources"),
        ("core/webmentions/",),
    ),
    **dict.fromkeys(
        (
            "sites",
            "feeds",
            "posts",
            "site_tags",
            "site_words",
            "site_recommendations",
            "subscriptions",
            "site_submissions",
            "webhooks",
            "webhook_deliveries",
        ),
        ("directory/",),
    ),
    **dict.fromkeys(
        ("dashboard_sessions", "indieauth_codes", "indieauth_issued", "indieauth_refresh_tokens"),
        ("site/",),
    ),
}
CORE = ("core/",)


def tables() -> list[str]:
    names = set()
    for migration in SQL.glob("*.sql"):
        names |= set(
            re.findall(r"CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)", migration.read_text())
        )
    return sorted(names)


def holders(table: str) -> set[str]:
    pattern = re.compile(rf"\b(?:FROM|JOIN|INTO|UPDATE|DELETE FROM)\s+{table}\b")
    return {
        path.relative_to(HUB).as_posix()
        for path in HUB.rglob("*.py")
        if pattern.search(path.read_text())
    }


def test_the_migrations_create_the_tables_this_test_knows():
    assert "entries" in tables() and "webmentions" in tables() and "sites" in tables()
    assert set(OWNERS) <= set(tables())


@pytest.mark.parametrize("table", tables())
def test_sql_on_a_table_lives_with_its_owner(table):
    owners = OWNERS.get(table, CORE)
    strays = sorted(p for p in holders(table) if not p.startswith(owners))
    assert strays == [], f"SQL on {table} outside {', '.join(owners)}: {strays}"
