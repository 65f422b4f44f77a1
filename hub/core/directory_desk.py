"""What the owner's dashboard does in the directory, as an interface: add a site by URL (its
discovery runs as a job), follow each submission's progress, subscribe to feeds.

The directory's tables have one owner (`hub.directory`), and the site may not import the
directory; `hub.app` hands the site an implementation (`hub.directory.desk`) on
`app.state.directory_desk`, and the dashboard works through this type only."""

from __future__ import annotations

from typing import Any, Protocol

import asyncpg

Conn = asyncpg.Pool | asyncpg.Connection


class DirectoryDesk(Protocol):
    """Each call one statement (or one write) on the given connection."""

    def check_url(self, url: str, /) -> str:
        """The URL to submit, stripped; Invalid (field `url`) unless it is http(s) with a host."""
        ...

    async def submit_site(self, conn: asyncpg.Connection, author_id: int, url: str, /) -> int:
        """Record a pending submission and stage its discovery job, in the caller's
        transaction; its id."""
        ...

    async def list_submissions(
        self, conn: Conn, author_id: int, limit: int, /
    ) -> list[asyncpg.Record]: ...

    async def subscribed_feed_ids(
        self, conn: Conn, author_id: int, feed_ids: list[Any], /
    ) -> set[Any]: ...

    async def subscribe(self, conn: asyncpg.Connection, author_id: int, feed_id: Any, /) -> bool:
        """Follow a feed (idempotent); False when there is no such feed."""
        ...

    async def unsubscribe(
        self, conn: asyncpg.Connection, author_id: int, feed_id: Any, /
    ) -> bool: ...
