"""The IndieAuth server's state changes: codes, access tokens, refresh tokens, revocation.

Access tokens are `credentials` rows of kind `indieauth` made by `hub.core.auth`, so they work
on /micropub (and everywhere a token is accepted) at once; `indieauth_issued` remembers which
code led to each one, so that a reused code or a replayed refresh token revokes them all.
Each public function runs in its own transaction; errors that must leave a revocation behind
are raised only after it is committed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from hub.core import auth
from hub.core.authors import select_author
from hub.core.channels import select_author_channels, select_channel
from hub.core.db import transaction
from hub.core.resources import Resources
from hub.site.indieauth.model import (
    CODE_TTL_SECONDS,
    OAuthError,
    new_secret,
    pkce_matches,
)
from hub.site.login import queries as q


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


# -- who the tokens are for --------------------------------------------------------------------


def me_for(resources: Resources, channel: asyncpg.Record) -> str:
    """The canonical home URL of a channel: the `me` of every token bound to it."""
    return resources.urls.channel(channel["slug"], custom_domain=channel["custom_domain"])


async def profile_for(
    resources: Resources, conn, author_id: int, channel: asyncpg.Record, scopes
) -> dict[str, str] | None:
    """IndieAuth profile information (§5.3.4): with `profile`, name, url and photo (the
    author's own, else the blog's avatar); with `email` too, the email address."""
    if "profile" not in scopes:
        return None
    author = await select_author(conn, author_id)
    profile = {"name": author["name"], "url": author["url"] or me_for(resources, channel)}
    photo = author["photo_path"] or channel["avatar_path"]  # the author's photo, else the blog's
    if photo:
        profile["photo"] = resources.urls.media_file(photo)
    if "email" in scopes and author["email"]:
        profile["email"] = author["email"]
    return profile


# -- authorization codes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Approval:
    author_id: int
    channel_id: int
    me: str
    client_id: str
    client_name: str
    redirect_uri: str
    code_challenge: str | None
    scopes: list[str]
    lifetime_seconds: int | None


async def issue_code(resources: Resources, approval: Approval) -> str:
    code = new_secret()
    async with transaction(resources.pool) as conn:
        await q.delete_stale_codes(conn)
        await q.insert_code(
            conn,
            code_hash=_hash(code),
            author_id=approval.author_id,
            channel_id=approval.channel_id,
            client_id=approval.client_id,
            client_name=approval.client_name,
            redirect_uri=approval.redirect_uri,
            code_challenge=approval.code_challenge,
            scopes=approval.scopes,
            me=approval.me,
            lifetime_seconds=approval.lifetime_seconds,
            expires_at=datetime.now(UTC) + timedelta(seconds=CODE_TTL_SECONDS),
        )
    return code


def _check_code(row, *, client_id: str, redirect_uri: str, code_verifier: str | None) -> None:
    if row["expired"]:
        raise OAuthError("invalid_grant", "The authorization code has expired.")
    if row["client_id"] != client_id:
        raise OAuthError("invalid_grant", "The code was issued to another client_id.")
    if row["redirect_uri"] != redirect_uri:
        raise OAuthError(
            "invalid_grant", "The redirect_uri differs from the authorization request."
        )
    if row["code_challenge"]:
        if not code_verifier:
            raise OAuthError("invalid_grant", "The code_verifier is missing (PKCE was started).")
        if not pkce_matches(row["code_challenge"], code_verifier):
            raise OAuthError("invalid_grant", "The code_verifier does not match the challenge.")
    elif code_verifier:
        raise OAuthError(
            "invalid_request", "A code_verifier was sent, but the request had no code_challenge."
        )


async def redeem_code(
    resources: Resources,
    *,
    code: str,
    client_id: str,
    redirect_uri: str,
    code_verifier: str | None,
    for_token: bool,
) -> dict[str, Any]:
    """Redeem a code at the token endpoint (`for_token`: an access token) or at the
    authorization endpoint (the profile URL only). A second presentation of a redeemed code
    revokes every token it led to, then fails with invalid_grant."""
    if not code:
        raise OAuthError("invalid_request", "The code parameter is missing.")
    reused = False
    async with transaction(resources.pool) as conn:
        row = await q.select_code_for_update(conn, _hash(code))
        if row is None:
            raise OAuthError("invalid_grant", "The authorization code is unknown.")
        if row["used_at"] is not None:
            await q.revoke_grant(conn, row["id"])
            reused = True
        else:
            _check_code(
                row, client_id=client_id, redirect_uri=redirect_uri, code_verifier=code_verifier
            )
            if for_token and not row["scopes"]:
                raise OAuthError(
                    "invalid_grant", "The code was issued without a scope: no access token."
                )
            await q.mark_code_used(conn, row["id"])
            channel = await select_channel(conn, row["channel_id"])
            scopes = list(row["scopes"])
            body: dict[str, Any] = {"me": row["me"]}
            if for_token:
                body = await _issue_tokens(conn, row, scopes, row["id"])
            profile = await profile_for(resources, conn, row["author_id"], channel, scopes)
            if profile:
                body["profile"] = profile
    if reused:
        raise OAuthError(
            "invalid_grant", "The authorization code was already used; its tokens are revoked."
        )
    return body


async def _issue_tokens(conn, grant, scopes: list[str], code_id: int) -> dict[str, Any]:
    """An access token for `grant` (a code row, or a refresh token joined with its code),
    plus a refresh token when the owner chose a lifetime."""
    lifetime = grant["lifetime_seconds"]
    now = datetime.now(UTC)
    credential, secret = await auth.create_credential(
        conn,
        author_id=grant["author_id"],
        kind="indieauth",
        name=(grant["client_name"] or grant["client_id"])[:200],
        scopes=scopes,
        channel_id=grant["channel_id"],
        client_id=grant["client_id"],
        expires_at=now + timedelta(seconds=lifetime) if lifetime else None,
    )
    await q.link_issued(conn, credential.id, code_id)
    body: dict[str, Any] = {
        "access_token": secret,
        "token_type": "Bearer",
        "scope": " ".join(scopes),
        "me": grant["me"],
    }
    if lifetime:
        refresh = new_secret()
        await q.insert_refresh_token(
            conn,
            token_hash=_hash(refresh),
            code_id=code_id,
            client_id=grant["client_id"],
            scopes=list(grant["scopes"]),
            lifetime_seconds=lifetime,
            expires_at=now + timedelta(seconds=2 * lifetime),
        )
        body["expires_in"] = lifetime
        body["refresh_token"] = refresh
    return body


# -- refresh, revocation -----------------------------------------------------------------------


async def refresh(
    resources: Resources, *, refresh_token: str, client_id: str, scope: list[str] | None
) -> dict[str, Any]:
    """A new access token and a new refresh token (rotation: the old one is spent). A spent
    refresh token presented again revokes the whole grant."""
    if not refresh_token:
        raise OAuthError("invalid_request", "The refresh_token parameter is missing.")
    replayed = False
    async with transaction(resources.pool) as conn:
        row = await q.select_refresh_for_update(conn, _hash(refresh_token))
        if row is None or row["revoked_at"] is not None or row["expired"]:
            raise OAuthError("invalid_grant", "The refresh token is unknown, revoked or expired.")
        if row["used_at"] is not None:
            await q.revoke_grant(conn, row["code_id"])
            replayed = True
        else:
            if row["client_id"] != client_id:
                raise OAuthError("invalid_grant", "The refresh token belongs to another client.")
            granted = list(row["scopes"])
            wanted = granted if scope is None else scope
            if not wanted or any(s not in granted for s in wanted):
                raise OAuthError(
                    "invalid_scope", "Only the same or fewer scopes than granted can be asked."
                )
            await q.mark_refresh_used(conn, row["id"])
            body = await _issue_tokens(conn, row, wanted, row["code_id"])
            channel = await select_channel(conn, row["channel_id"])
            profile = await profile_for(resources, conn, row["author_id"], channel, wanted)
            if profile:
                body["profile"] = profile
    if replayed:
        raise OAuthError(
            "invalid_grant", "The refresh token was already used; the grant is revoked."
        )
    return body


async def revoke(resources: Resources, token: str) -> None:
    """Revoke an access token or a refresh token (with everything of its grant). Unknown
    tokens are ignored (RFC 7009)."""
    if not token:
        return
    async with transaction(resources.pool) as conn:
        if await auth.revoke_secret(conn, token):
            return
        code_id = await q.select_refresh_code(conn, _hash(token))
        if code_id is not None:
            await q.revoke_grant(conn, code_id)


# -- verification ------------------------------------------------------------------------------


async def token_info(resources: Resources, token: str) -> dict[str, Any] | None:
    """What introspection tells about a live token (any kind), or None."""
    if not token:
        return None
    pool = resources.pool
    row = await q.select_token_info(pool, _hash(token))
    if row is None:
        return None
    me = row["me"]
    if me is None:
        channel = await _channel_of(pool, row["author_id"], row["channel_id"])
        me = me_for(resources, channel) if channel else resources.urls.base + "/"
    info: dict[str, Any] = {
        "active": True,
        "me": me,
        "scope": " ".join(row["scopes"]),
        "iat": int(row["created_at"].timestamp()),
        "author_id": row["author_id"],
    }
    if row["client_id"]:
        info["client_id"] = row["client_id"]
    if row["expires_at"]:
        info["exp"] = int(row["expires_at"].timestamp())
    return info


async def _channel_of(conn, author_id: int, channel_id: int | None):
    if channel_id is not None:
        return await select_channel(conn, channel_id)
    channels = await select_author_channels(conn, author_id)
    return channels[0] if channels else None


async def userinfo(resources: Resources, author_id: int, channel_id: int | None, scopes):
    async with resources.pool.acquire() as conn:
        channel = await _channel_of(conn, author_id, channel_id)
        return await profile_for(resources, conn, author_id, channel, scopes)
