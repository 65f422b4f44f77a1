"""One channel per fediverse handle: a new channel cannot take a slug that another channel
chose as its handle (its slug would be its handle, and WebFinger must find one actor)."""

from __future__ import annotations

import pytest

from hub.core.channels import create_channel
from hub.core.db import transaction
from hub.core.errors import Invalid
from tests.factories import make_author


async def test_a_slug_that_is_another_channels_handle_is_refused_and_skipped(db):
    author = await make_author(db, "Hana")
    await db.execute("UPDATE channels SET ap_handle = 'notes' WHERE id = $1", author.channel_id)
    async with transaction(db) as conn:
        with pytest.raises(Invalid) as refused:
            await create_channel(conn, author_id=author.author_id, title="Notes", slug="notes")
    assert "handle" in str(refused.value.fields["slug"])
    async with transaction(db) as conn:
        made = await create_channel(conn, author_id=author.author_id, title="Notes")
    assert made.slug not in ("notes", "hana_blog")
