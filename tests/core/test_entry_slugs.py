import asyncpg
import pytest

from hub.core.channels import default_channel
from hub.core.entries.slugs import allocate_entry_slug, first_choice_slug
from tests.factories import make_author


@pytest.fixture
async def channel(db):
    author = await make_author(db, "Ada", channel_slug=None)
    async with db.acquire() as conn:
        return await default_channel(conn, author.author_id)


async def _insert(db, channel, slug):
    await db.execute(
        "INSERT INTO entries (channel_id, author_id, slug, default_language, created_via)"
        " VALUES ($1, $2, $3, 'en', 'cli')",
        channel.id,
        channel.author_id,
        slug,
    )


async def test_slug_is_transliterated_and_unique_per_channel(db, channel):
    async with db.acquire() as conn:
        first = await allocate_entry_slug(conn, channel.id, "Ünïcödé Über Straße")
        await _insert(db, channel, first)
        second = await allocate_entry_slug(conn, channel.id, "Ünïcödé Über Straße")
        await _insert(db, channel, second)
        third = await allocate_entry_slug(conn, channel.id, "Ünïcödé Über Straße")
    assert first == "unicode-uber-strasse"
    assert second == "unicode-uber-strasse-2"
    assert third == "unicode-uber-strasse-3"


async def test_same_slug_in_another_channel_is_free(db, channel):
    other = await make_author(db, "Bob", channel_slug=None)
    async with db.acquire() as conn:
        other_channel = await default_channel(conn, other.author_id)
        await _insert(db, channel, "hello")
        assert await allocate_entry_slug(conn, other_channel.id, "Hello") == "hello"


async def test_database_refuses_a_duplicate_slug_in_one_channel(db, channel):
    await _insert(db, channel, "dup")
    with pytest.raises(asyncpg.UniqueViolationError):
        await _insert(db, channel, "dup")


async def test_text_without_letters_falls_back(db, channel):
    async with db.acquire() as conn:
        assert await allocate_entry_slug(conn, channel.id, "!!! ???") == "entry"


async def test_underscore_separator_for_v1_slugs(db, channel):
    async with db.acquire() as conn:
        await _insert(db, channel, "winter_car_care")
        slug = await allocate_entry_slug(conn, channel.id, "Winter Car Care", separator="_")
    assert slug == "winter_car_care_2"


@pytest.mark.parametrize(
    "text", ["Ünïcödé Über Straße", "", "!!!", "word " * 40, "Trailing dash -"]
)
async def test_first_choice_is_what_an_empty_channel_allocates(db, channel, text):
    async with db.acquire() as conn:
        allocated = await allocate_entry_slug(conn, channel.id, text)
    assert first_choice_slug(text) == allocated
    assert len(allocated) <= 80
