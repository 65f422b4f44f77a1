"""What the owner's dashboard reads of the directory, as an interface.

The directory's tables have one owner (`hub.directory.queries`), and the site may not import
the directory; `hub.app` hands the site an implementation (`hub.directory.queries.health`)
on `app.state.directory_health`, and the dashboard reads through this type only."""

from __future__ import annotations

from typing import Any, Protocol

import asyncpg

Conn = asyncpg.Pool | asyncpg.Connection


class DirectoryHealth(Protocol):
    """Sites, their feeds and feed health, each read one statement on the given connection."""

    async def count_sites(self, conn: Conn, /) -> int: ...

    async def list_sites(self, conn: Conn, limit: int, offset: int, /) -> list[asyncpg.Record]: ...

    async def list_feeds_of(self, conn: Conn, site_ids: list[Any], /) -> list[asyncpg.Record]: ...

    async def feed_health(self, conn: Conn, /) -> dict[str, int]: ...
