"""Channels through the v1 API: list, create, patch (E1-E3). Each write is one transaction."""

from __future__ import annotations

from hub.channels import present
from hub.channels.access import (
    channel_for,
    channel_limit,
    may_publish,
    require_api_publishing,
    require_read,
)
from hub.channels.errors import CHANNEL_CHANGED, PreconditionFailed
from hub.channels.preconditions import channel_etag, matches
from hub.channels.schemas import (
    MAX_TRANSLATIONS,
    MISSING,
    MSG_CHANNEL_TRANSLATIONS,
    MSG_DEFAULT_LANGUAGE,
    parse_channel,
    parse_json_object,
)
from hub.core import channels as core_channels
from hub.core.auth import Principal
from hub.core.errors import Forbidden, Invalid
from hub.core.media import queries as media_queries
from hub.core.resources import Resources
from hub.core.writes import Tx


async def _present(conn, resources: Resources, principal: Principal, rows) -> list[dict]:
    ids = [c.id for c in rows]
    translations = await core_channels.channel_translations(conn, ids)
    media = await media_queries.channel_media_paths(conn, ids)
    limit = channel_limit(resources.settings, principal)
    writable = await core_channels.writable_channel_ids(conn, principal.author_id, limit)
    writes = principal.has_scope("create", "update", "media", "channels")
    out = []
    for c in rows:
        read_only = c.id not in writable
        out.append(
            present.channel(
                c,
                translations[c.id],
                media.get(c.id, (None, None)),
                read_only=read_only,
                can_write=not read_only and writes and may_publish(resources.settings, principal),
                urls=resources.urls,
            )
        )
    return out


async def list_channels(resources: Resources, principal: Principal) -> dict:
    require_read(principal)
    async with resources.pool.acquire() as conn:
        rows = await core_channels.list_channels(conn, principal.author_id)
        if principal.channel_id is not None:
            rows = [c for c in rows if c.id == principal.channel_id]
        return {"channels": await _present(conn, resources, principal, rows)}


async def get_channel(resources: Resources, principal: Principal, slug: str) -> tuple[dict, str]:
    """EXT: one channel and its ETag (to send back in If-Match with a PATCH)."""
    async with resources.pool.acquire() as conn:
        channel = await channel_for(conn, resources.settings, principal, slug)
        [shown] = await _present(conn, resources, principal, [channel])
    return shown, channel_etag(channel.updated_at)


async def create_channel(
    tx: Tx, resources: Resources, principal: Principal, raw: bytes
) -> tuple[dict, str]:
    require_api_publishing(resources.settings, principal)
    principal.require_scope("channels")
    request = parse_channel(parse_json_object(raw), create=True)
    first = request.translations[0]
    language = request.default_language
    if language is MISSING:
        language = first.language
    main = next(t for t in request.translations if t.language == language)
    conn = tx.conn
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtext('channels'), $1::int)", principal.author_id
    )
    limit = channel_limit(resources.settings, principal)
    if limit is not None and await core_channels.count_channels(conn, principal.author_id) >= limit:
        raise Forbidden(
            f"Your plan's channel limit ({limit}) is reached. Upgrade to create more.",
            code="channel_limit",
        )
    channel = await core_channels.create_channel(
        conn,
        author_id=principal.author_id,
        title=main.title,
        language=language,
        slug=None if request.slug is MISSING else request.slug,
        description=main.description if main.description is not MISSING else None,
        status="published" if request.status is MISSING else request.status,
    )
    for t in request.translations:
        if t is not main:
            description = None if t.description is MISSING else t.description
            await core_channels.upsert_channel_translation(
                conn, channel.id, t.language, t.title, description
            )
    channel = await core_channels.get_channel_by_slug(conn, channel.slug)
    [shown] = await _present(conn, resources, principal, [channel])
    return {**shown, "warnings": request.warnings}, channel_etag(channel.updated_at)


async def patch_channel(
    tx: Tx,
    resources: Resources,
    principal: Principal,
    slug: str,
    raw: bytes,
    *,
    if_match: str | None = None,
) -> tuple[dict, str]:
    conn = tx.conn
    channel = await channel_for(conn, resources.settings, principal, slug, write_scope="channels")
    if not matches(if_match, channel_etag(channel.updated_at)):
        raise PreconditionFailed(CHANNEL_CHANGED)
    request = parse_channel(parse_json_object(raw), create=False)
    if request.slug is not MISSING and request.slug != channel.slug:
        raise Invalid.field("slug", "The slug cannot be changed.")
    existing = {
        t["language"]: t
        for t in (await core_channels.channel_translations(conn, [channel.id]))[channel.id]
    }
    if len(existing.keys() | {t.language for t in request.translations}) > MAX_TRANSLATIONS:
        raise Invalid.field("translations", MSG_CHANNEL_TRANSLATIONS)
    for i, t in enumerate(request.translations):
        old = existing.get(t.language)
        if old is None and t.title is MISSING:
            path = f"translations.{i}.title"
            raise Invalid.field(path, f"The {path} field is required.")
        title = old["title"] if t.title is MISSING else t.title
        description = (
            (old["description"] if old else None) if t.description is MISSING else t.description
        )
        await core_channels.upsert_channel_translation(
            conn, channel.id, t.language, title, description
        )
        existing[t.language] = {"language": t.language}
    language = (
        channel.default_language
        if request.default_language is MISSING
        else request.default_language
    )
    if language not in existing:
        raise Invalid.field("default_language", MSG_DEFAULT_LANGUAGE)
    status = channel.status if request.status is MISSING else request.status
    await core_channels.update_channel(conn, channel.id, default_language=language, status=status)
    channel = await core_channels.get_channel_by_slug(conn, channel.slug)
    [shown] = await _present(conn, resources, principal, [channel])
    return {**shown, "warnings": request.warnings}, channel_etag(channel.updated_at)
