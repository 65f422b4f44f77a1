"""SQL of the site's own tables, the owner's sessions and the IndieAuth server's codes and
refresh tokens: one function per statement. The rows of other owners they touch (authors,
credentials, channels) are read and written through `hub.core`.

Every secret (session id, authorization code, refresh token) is looked up by its SHA-256.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from hub.core.auth import (
    ISSUED_CREDENTIAL_LIVE,
    JOIN_ISSUED_CREDENTIAL,
    revoke_credentials_in,
    select_live_credential,
)
from hub.core.authors import join_author

# -- dashboard sessions ------------------------------------------------------------------------


async def insert_session(
    conn: asyncpg.Connection | asyncpg.Pool,
    *,
    session_hash: bytes,
    author_id: int,
    csrf_token: str,
    ip: str | None,
    user_agent: str | None,
    expires_at: datetime,
) -> None:
    await conn.execute(
        """
        INSERT INTO dashboard_sessions
            (session_hash, author_id, csrf_token, ip, user_agent, expires_at)
        VALUES ($1, $2, $3, $4::inet, $5, $6)
        """,
        session_hash, author_id, csrf_token, ip, user_agent, expires_at,
    )  # fmt: skip


async def select_session(conn: asyncpg.Connection | asyncpg.Pool, session_hash: bytes):
    """A live session of the owner (a session of someone who stopped owning the node dies)."""
    return await conn.fetchrow(
        f"""
        SELECT s.id, s.author_id, s.csrf_token, a.name AS author_name,
               (s.last_seen_at < now() - interval '5 minutes') AS stale
        FROM dashboard_sessions s {join_author("s.author_id")}
        WHERE s.session_hash = $1 AND s.expires_at > now() AND a.is_owner
        """,  # noqa: S608 - only a fixed join from hub.core.authors is interpolated
        session_hash,
    )


async def touch_session(conn: asyncpg.Connection | asyncpg.Pool, session_id: int) -> None:
    await conn.execute(
        "UPDATE dashboard_sessions SET last_seen_at = now() WHERE id = $1", session_id
    )


async def delete_session(conn: asyncpg.Connection | asyncpg.Pool, session_hash: bytes) -> None:
    await conn.execute("DELETE FROM dashboard_sessions WHERE session_hash = $1", session_hash)


async def delete_expired_sessions(conn: asyncpg.Connection | asyncpg.Pool) -> int:
    status = await conn.execute("DELETE FROM dashboard_sessions WHERE expires_at <= now()")
    return int(status.split()[-1])


# -- authorization codes -----------------------------------------------------------------------


async def insert_code(
    conn: asyncpg.Connection,
    *,
    code_hash: bytes,
    author_id: int,
    channel_id: int,
    client_id: str,
    client_name: str,
    redirect_uri: str,
    code_challenge: str | None,
    scopes: list[str],
    me: str,
    lifetime_seconds: int | None,
    expires_at: datetime,
) -> int:
    return await conn.fetchval(
        """
        INSERT INTO indieauth_codes
            (code_hash, author_id, channel_id, client_id, client_name, redirect_uri,
             code_challenge, scopes, me, lifetime_seconds, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        RETURNING id
        """,
        code_hash, author_id, channel_id, client_id, client_name, redirect_uri, code_challenge,
        scopes, me, lifetime_seconds, expires_at,
    )  # fmt: skip


async def select_code_for_update(conn: asyncpg.Connection, code_hash: bytes):
    return await conn.fetchrow(
        """
        SELECT id, author_id, channel_id, client_id, client_name, redirect_uri, code_challenge,
               scopes, me, lifetime_seconds, used_at, (expires_at <= now()) AS expired
        FROM indieauth_codes WHERE code_hash = $1
        FOR UPDATE
        """,
        code_hash,
    )


async def mark_code_used(conn: asyncpg.Connection, code_id: int) -> None:
    await conn.execute("UPDATE indieauth_codes SET used_at = now() WHERE id = $1", code_id)


async def revoke_grant(conn: asyncpg.Connection, code_id: int) -> None:
    """Revoke every access token and refresh token that came from one code."""
    await revoke_credentials_in(
        conn, "SELECT credential_id FROM indieauth_issued WHERE code_id = $1", code_id
    )
    await conn.execute(
        """
        UPDATE indieauth_refresh_tokens SET revoked_at = coalesce(revoked_at, now())
        WHERE code_id = $1
        """,
        code_id,
    )


async def link_issued(conn: asyncpg.Connection, credential_id: int, code_id: int) -> None:
    await conn.execute(
        "INSERT INTO indieauth_issued (credential_id, code_id) VALUES ($1, $2)",
        credential_id,
        code_id,
    )


async def delete_stale_codes(conn: asyncpg.Connection | asyncpg.Pool) -> None:
    """Codes never redeemed and long expired; redeemed ones stay while they still guard
    tokens (their rows are what a reuse revokes)."""
    await conn.execute(
        """
        DELETE FROM indieauth_codes c
        WHERE c.expires_at < now() - interval '1 day'
          AND NOT EXISTS (SELECT 1 FROM indieauth_issued i WHERE i.code_id = c.id)
        """
    )


async def delete_dead_codes(conn: asyncpg.Connection | asyncpg.Pool, limit: int) -> int:
    """Up to `limit` codes expired a day ago or more that guard nothing any more: no live
    token was issued from them and no unused refresh token of theirs is live. Their issued
    links and refresh tokens go with them (ON DELETE CASCADE). The number deleted."""
    deleted = await conn.fetch(
        f"""
        DELETE FROM indieauth_codes WHERE id IN (
            SELECT c.id FROM indieauth_codes c
            WHERE c.expires_at < now() - interval '1 day'
              AND NOT EXISTS (
                  SELECT 1 FROM indieauth_issued i {JOIN_ISSUED_CREDENTIAL}
                  WHERE i.code_id = c.id AND {ISSUED_CREDENTIAL_LIVE})
              AND NOT EXISTS (
                  SELECT 1 FROM indieauth_refresh_tokens r
                  WHERE r.code_id = c.id AND r.revoked_at IS NULL AND r.used_at IS NULL
                    AND r.expires_at > now())
            ORDER BY c.expires_at LIMIT $1)
        RETURNING id
        """,  # noqa: S608 - only hub.core.auth's fixed fragments are interpolated
        limit,
    )
    return len(deleted)


async def delete_expired_refresh_tokens(conn: asyncpg.Connection | asyncpg.Pool, limit: int) -> int:
    """Up to `limit` refresh tokens expired a day ago or more (used, revoked or not: an
    expired one can neither refresh nor be told apart from a guess)."""
    deleted = await conn.fetch(
        """
        DELETE FROM indieauth_refresh_tokens WHERE id IN (
            SELECT id FROM indieauth_refresh_tokens
            WHERE expires_at < now() - interval '1 day' ORDER BY expires_at LIMIT $1)
        RETURNING id
        """,
        limit,
    )
    return len(deleted)


# -- refresh tokens ----------------------------------------------------------------------------


async def insert_refresh_token(
    conn: asyncpg.Connection,
    *,
    token_hash: bytes,
    code_id: int,
    client_id: str,
    scopes: list[str],
    lifetime_seconds: int,
    expires_at: datetime,
) -> None:
    await conn.execute(
        """
        INSERT INTO indieauth_refresh_tokens
            (token_hash, code_id, client_id, scopes, lifetime_seconds, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6)
        """,
        token_hash, code_id, client_id, scopes, lifetime_seconds, expires_at,
    )  # fmt: skip


async def select_refresh_for_update(conn: asyncpg.Connection, token_hash: bytes):
    return await conn.fetchrow(
        """
        SELECT r.id, r.code_id, r.client_id, r.scopes, r.lifetime_seconds, r.used_at,
               r.revoked_at, (r.expires_at <= now()) AS expired,
               c.author_id, c.channel_id, c.me, c.client_name
        FROM indieauth_refresh_tokens r JOIN indieauth_codes c ON c.id = r.code_id
        WHERE r.token_hash = $1
        FOR UPDATE OF r
        """,
        token_hash,
    )


async def mark_refresh_used(conn: asyncpg.Connection, refresh_id: int) -> None:
    await conn.execute(
        "UPDATE indieauth_refresh_tokens SET used_at = now() WHERE id = $1", refresh_id
    )


async def select_refresh_code(conn: asyncpg.Connection, token_hash: bytes) -> int | None:
    return await conn.fetchval(
        "SELECT code_id FROM indieauth_refresh_tokens WHERE token_hash = $1", token_hash
    )


async def select_token_info(
    conn: asyncpg.Connection | asyncpg.Pool, token_hash: bytes
) -> asyncpg.Record | None:
    """A live credential with what introspection reports about it: its IndieAuth grant's code
    and `me`, when it came from one."""
    return await select_live_credential(
        conn,
        token_hash,
        columns="i.code_id, code.me",
        joins="LEFT JOIN indieauth_issued i ON i.credential_id = c.id\n"
        "        LEFT JOIN indieauth_codes code ON code.id = i.code_id",
    )
