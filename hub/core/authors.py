"""Authors: the people of this node. Creating one also creates their default channel."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import asyncpg

from hub.core.channels import create_channel
from hub.core.errors import Conflict, Invalid, NotFound
from hub.core.plans import PLANS


@dataclass(frozen=True)
class Author:
    id: int
    name: str
    email: str | None
    plan: str
    is_owner: bool
    created_at: datetime


_COLUMNS = "id, name, email, plan, is_owner, created_at"


async def create_author(
    conn: asyncpg.Connection,
    name: str,
    *,
    email: str | None = None,
    plan: str = "free",
    language: str = "en",
    channel_slug: str | None = None,
) -> Author:
    """Create an author and their default channel in the caller's transaction. The first
    author of the node is its owner."""
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise Invalid.field("name", "The name must be 1 to 200 characters.")
    if plan not in PLANS:
        raise Invalid.field("plan", f"The plan must be one of {', '.join(PLANS)}.")
    try:
        row = await conn.fetchrow(
            f"""
            INSERT INTO authors (name, email, plan, is_owner)
            VALUES ($1, $2, $3, NOT EXISTS (SELECT 1 FROM authors))
            RETURNING {_COLUMNS}
            """,
            name,
            email,
            plan,
        )
    except asyncpg.UniqueViolationError:
        raise Conflict(f"An author named {name!r} already exists.") from None
    author = Author(**dict(row))
    await create_channel(
        conn,
        author_id=author.id,
        title=name,
        language=language,
        slug=channel_slug,
        is_default=True,
    )
    return author


async def find_author(conn: asyncpg.Connection, ref: str) -> Author:
    """An author by id or by name (case-insensitive)."""
    ref = ref.strip()
    row = await conn.fetchrow(
        f"""
        SELECT {_COLUMNS} FROM authors
        WHERE lower(name) = lower($1) OR ($2::bigint IS NOT NULL AND id = $2)
        ORDER BY lower(name) = lower($1) DESC
        LIMIT 1
        """,
        ref,
        int(ref) if ref.isdigit() else None,
    )
    if row is None:
        raise NotFound(f"No author {ref!r}.")
    return Author(**dict(row))


async def list_authors(conn: asyncpg.Connection) -> list[Author]:
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM authors ORDER BY id")
    return [Author(**dict(r)) for r in rows]


# -- the owner (dashboard login, `hub authors password`) ---------------------------------------


async def select_owner(conn: asyncpg.Connection | asyncpg.Pool) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, name, email, url, password_hash FROM authors WHERE is_owner"
    )


async def select_author(
    conn: asyncpg.Connection | asyncpg.Pool, author_id: int
) -> asyncpg.Record | None:
    """An author with their profile (note, rel=me links) and their photo's file path."""
    return await conn.fetchrow(
        """
        SELECT a.id, a.name, a.email, a.url, a.is_owner, a.note, a.rel_me,
               photo.path AS photo_path
        FROM authors a LEFT JOIN media photo ON photo.id = a.photo_media_id
        WHERE a.id = $1
        """,
        author_id,
    )


async def set_password_hash(
    conn: asyncpg.Connection | asyncpg.Pool, author_id: int, password_hash: str
) -> None:
    await conn.execute(
        "UPDATE authors SET password_hash = $2 WHERE id = $1", author_id, password_hash
    )


def join_author(author_id: str) -> str:
    """A JOIN clause for statements of other owners on rows that belong to an author: the
    author whose id is the SQL expression `author_id` (a column, never user input), as `a`."""
    return f"JOIN authors a ON a.id = {author_id}"


# -- the profile (the dashboard's profile form) ------------------------------------------------

NOTE_MAX = 2000
REL_ME_MAX = 20
URL_MAX = 2000
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Profile:
    name: str
    email: str | None
    note: str | None
    rel_me: list[str]


def check_profile(*, name: str, email: str, note: str, rel_me: str) -> Profile:
    """The profile a form sent, validated: name 1-200 characters, an e-mail address or
    nothing, a note of at most 2000 characters, rel=me links one per line (http or https
    URLs, at most 20). `Invalid` names every field in error."""
    problems: dict[str, list[str]] = {}
    name = name.strip()
    if not 1 <= len(name) <= 200:
        problems["name"] = ["The name must be 1 to 200 characters."]
    email = email.strip()
    if email and (len(email) > 320 or not EMAIL.match(email)):
        problems["email"] = ["Type an e-mail address like ada@example.org, or leave it empty."]
    note = note.strip().replace("\r\n", "\n")
    if len(note) > NOTE_MAX:
        problems["note"] = [f"The note may not be greater than {NOTE_MAX} characters."]
    links: list[str] = []
    for line in rel_me.splitlines():
        link = line.strip()
        if not link:
            continue
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.hostname or len(link) > URL_MAX:
            problems["rel_me"] = [f"{link[:100]} is not an http or https URL."]
            break
        if link not in links:
            links.append(link)
    if len(links) > REL_ME_MAX:
        problems["rel_me"] = [f"At most {REL_ME_MAX} links, one per line."]
    if problems:
        raise Invalid(fields=problems)
    return Profile(name, email or None, note or None, links)


async def save_profile(conn: asyncpg.Connection, author_id: int, profile: Profile) -> None:
    """Store the profile; the author's change time moves, so every page and feed of their
    channels changes its ETag. A name another author has → `Invalid` on `name`."""
    try:
        await conn.execute(
            "UPDATE authors SET name = $2, email = $3, note = $4, rel_me = $5 WHERE id = $1",
            author_id,
            profile.name,
            profile.email,
            profile.note,
            profile.rel_me,
        )
    except asyncpg.UniqueViolationError:
        raise Invalid.field("name", "Another author of this node has that name.") from None
