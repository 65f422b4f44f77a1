"""EXT §4.6: DELETE a page (soft: 204; readers get 410; the slug stays reserved for
`DELETED_RETENTION`, 30 days, then the daily purge frees it) and DELETE a secondary translation
(204; the primary is refused with 422)."""

from __future__ import annotations

from hub.channels.access import channel_for
from hub.channels.pages.common import Outcome, check_if_match, entry_or_404, finish, now
from hub.channels.schemas import MSG_LANGUAGE
from hub.core.auth import Principal
from hub.core.entries import authoring, publishing
from hub.core.entries.model import load_entry
from hub.core.errors import Invalid, NotFound
from hub.core.languages import normalise_language
from hub.core.resources import Resources
from hub.core.writes import Tx

MSG_PRIMARY = (
    "The primary translation cannot be deleted. Make another language the default_language "
    "first, or delete the article."
)


async def delete_page(
    tx: Tx,
    resources: Resources,
    principal: Principal,
    channel_slug: str,
    slug: str,
    *,
    if_match: str | None = None,
) -> Outcome:
    conn = tx.conn
    channel = await channel_for(
        conn, resources.settings, principal, channel_slug, write_scope="delete"
    )
    entry = await entry_or_404(conn, channel, slug, lock=True)
    check_if_match(if_match, entry)
    await authoring.delete_entry(conn, entry.id, now())
    entry = await load_entry(conn, entry.id)
    return Outcome(finish(entry, channel, resources, []), entry=entry)


async def delete_translation(
    tx: Tx,
    resources: Resources,
    principal: Principal,
    channel_slug: str,
    slug: str,
    path_language: str,
    *,
    if_match: str | None = None,
) -> Outcome:
    conn = tx.conn
    channel = await channel_for(
        conn, resources.settings, principal, channel_slug, write_scope="delete"
    )
    entry = await entry_or_404(conn, channel, slug, lock=True)
    language = normalise_language(path_language)
    if language is None:
        raise Invalid.field("language", MSG_LANGUAGE)
    if language not in entry.translations:
        raise NotFound("Translation not found.")
    check_if_match(if_match, entry)
    if language == entry.primary:
        raise Invalid.field("language", MSG_PRIMARY)
    await publishing.delete_translation(conn, entry.id, language)
    entry = await load_entry(conn, entry.id)
    return Outcome(finish(entry, channel, resources, []), entry=entry)
