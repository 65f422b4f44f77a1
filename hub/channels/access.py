"""Who is calling and what they may touch: 401, then 404 channel, then 403 ownership, then
403 plan, read-only or scope (publicasta-v1-resolved §1.2)."""

from __future__ import annotations

import asyncpg
from starlette.requests import Request

from hub.config import Settings
from hub.core import channels as core_channels
from hub.core.auth import VIA_API_KEY, VIA_BEARER, Principal
from hub.core.errors import Forbidden
from hub.core.plans import limits_for
from hub.web.auth import guarded_principal
from hub.web.requests import resources_of
from hub.web.tokens import read_token

# Scopes of which any one lets a key read through the v1 API (every GET): `read`, or a write
# scope of content it could overwrite anyway, so that keys made before `read` existed keep
# reading. `media` alone (a Micropub upload token) and `directory` read nothing here.
READ_SCOPES = ("read", "create", "update", "channels")


async def authenticate(request: Request) -> Principal:
    """The caller behind `Authorization: Bearer` or `X-API-Key` (401 otherwise), counted
    against its key's rate limit. An address with too many failed authentications in a minute
    (`HUB_RATE_FAILED_AUTH`) gets 429 before any key it sends is looked at."""
    resources = resources_of(request)
    settings = resources.settings
    presented = read_token(request.headers, accept={VIA_BEARER, VIA_API_KEY})
    principal = await guarded_principal(request, presented, namespace="v1")
    per_minute = limits_for(settings, principal).v1_rate
    await resources.limiter.hit(f"v1:{principal.credential_id}", per_minute)
    return principal


def require_read(principal: Principal) -> None:
    """403 "This API key lacks the 'read' scope." unless the key may read (`READ_SCOPES`)."""
    principal.require_scope(*READ_SCOPES)


def channel_limit(settings: Settings, principal: Principal) -> int | None:
    """Channels the caller's author may write to (None: no limit, the node's owner); those
    past it are read-only."""
    return limits_for(settings, principal).channels


def may_publish(settings: Settings, principal: Principal) -> bool:
    """Whether the caller's plan may write through the v1 API."""
    return limits_for(settings, principal).api_publishing


def require_api_publishing(settings: Settings, principal: Principal) -> None:
    if not may_publish(settings, principal):
        raise Forbidden(
            "API publishing is not available on this account level yet.", code="plan_api"
        )


async def channel_for(
    conn: asyncpg.Connection,
    settings: Settings,
    principal: Principal,
    slug: str,
    *,
    write_scope: str | None = None,
) -> core_channels.Channel:
    """The channel behind `slug`, checked for this caller; reads check the read scope, writes
    the plan, the channel's read-only state and `write_scope`."""
    if write_scope is None:
        channel = await core_channels.get_channel_by_slug(conn, slug)
        _check(settings, principal, channel)
        return channel
    limit = channel_limit(settings, principal)
    found = await core_channels.get_channel_with_writability(conn, slug, limit)
    _check(settings, principal, found.channel, write_scope=write_scope, writable=found.writable)
    return found.channel


async def channel_for_upsert(
    conn: asyncpg.Connection,
    settings: Settings,
    principal: Principal,
    slug: str,
    entry_slug: str | None,
    *,
    lock: bool,
) -> core_channels.WritableChannel:
    """`channel_for` a create (scope `create`) of an article with `entry_slug`: the slug's
    lock key, taken in the same statement when `lock`, and the id a new article takes when
    none holds the slug come with it (`core_channels.get_channel_with_writability`)."""
    limit = channel_limit(settings, principal)
    found = await core_channels.get_channel_with_writability(
        conn, slug, limit, entry_slug=entry_slug, lock=lock
    )
    _check(settings, principal, found.channel, write_scope="create", writable=found.writable)
    return found


def _check(settings: Settings, principal: Principal, channel: core_channels.Channel, *,
           write_scope: str | None = None, writable: bool = True) -> None:  # fmt: skip
    if channel.author_id != principal.author_id or principal.channel_id not in (None, channel.id):
        raise Forbidden("You do not have access to this channel.", code="channel_access")
    if write_scope is None:
        require_read(principal)
    else:
        require_api_publishing(settings, principal)
        if not writable:
            raise Forbidden(
                "This channel is read-only because it is over your plan limit.", code="read_only"
            )
        principal.require_scope(write_scope)
