"""Orchestration of `hub/micropub` over core: the token's blog, the config answer, uploads.

Creating entries is in `create.py`, updating, deleting and undeleting in `edit.py`, reading
(`q=source`) in `reading.py`; all of them on the shared entries core (`hub/core/entries`).
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from hub.config import Settings
from hub.core.auth import Principal, principal_query
from hub.core.channels import BLOG_OF_CREDENTIAL_COLUMNS, BLOG_OF_CREDENTIAL_JOINS
from hub.core.entries import attachments
from hub.core.entries.attachments import StoredMedia
from hub.core.entries.write_queries import NEXT_ENTRY_ID
from hub.core.errors import Forbidden
from hub.core.urls import Urls
from hub.micropub.post_types import POST_TYPES
from hub.micropub.properties import POST_STATUSES, VISIBILITIES

QUERIES = ("config", "source", "syndicate-to", "category", "post-types")


@dataclass(frozen=True)
class Blog:
    id: int
    author_id: int
    slug: str
    custom_domain: str | None
    timezone: str
    language: str
    title: str
    url: str  # its home page: the uid of `mp-destination`
    moderation: str | None = None  # the author's override of the node's policy
    new_entry_id: int | None = None  # allocated for a create (`BLOG_QUERY_NEW_ENTRY`)


# The token's statement, reading its blog too (one round trip for both); for POST /micropub
# also an id for the entry a create inserts (an update or a delete leaves a gap in the
# sequence, as a failed insert does).
BLOG_QUERY = principal_query(
    BLOG_OF_CREDENTIAL_COLUMNS + ", NULL::bigint AS new_entry_id", BLOG_OF_CREDENTIAL_JOINS
)
BLOG_QUERY_NEW_ENTRY = principal_query(
    BLOG_OF_CREDENTIAL_COLUMNS + f", {NEXT_ENTRY_ID} AS new_entry_id", BLOG_OF_CREDENTIAL_JOINS
)


def blog_of(principal: Principal, urls: Urls) -> Blog:
    """The blog a token posts to: its channel, or its author's default channel, as the
    token's statement read it (`BLOG_QUERY`)."""
    row = principal.joined
    if row is None or row["blog_id"] is None:
        raise Forbidden("This token has no blog to post to.")
    return Blog(
        id=row["blog_id"],
        author_id=row["blog_author_id"],
        slug=row["blog_slug"],
        custom_domain=row["blog_custom_domain"],
        timezone=row["blog_timezone"],
        language=row["blog_default_language"],
        title=row["blog_title"],
        url=urls.channel(row["blog_slug"], custom_domain=row["blog_custom_domain"]),
        moderation=row["blog_moderation"],
        new_entry_id=row["new_entry_id"],
    )


def config_document(urls: Urls, blog: Blog) -> dict:
    """`q=config` (R-M15): Pika's media endpoint plus what W3C clients read."""
    return {
        "media-endpoint": urls.micropub_media(),
        "syndicate-to": [],
        "destination": [{"uid": blog.url, "name": blog.title}],
        "post-types": POST_TYPES,
        "q": list(QUERIES),
        "post-status": list(POST_STATUSES),
        "visibility": list(VISIBILITIES),
        "markdown": True,
    }


async def store_upload(
    pool: asyncpg.Pool,
    settings: Settings,
    principal: Principal,
    blog: Blog,
    data: bytes,
) -> StoredMedia:
    """Sniff, check and probe an uploaded file, then store its original bytes and a `media`
    row (the core's one upload path, shared with file parts of a create); the same bytes
    uploaded again to the same blog give the existing upload."""
    async with pool.acquire() as conn, conn.transaction():
        return await attachments.store_original(
            conn,
            settings,
            data,
            author_id=principal.author_id,
            channel_id=blog.id,
            credential_id=principal.credential_id,
        )
