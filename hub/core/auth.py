"""Credentials: tokens with scopes, shown once, stored as SHA-256, resolved to a principal.

One table holds every kind (Micropub app tokens, v1 API keys, directory tokens, IndieAuth
tokens). How a token is presented differs per API (`hub.web.tokens` reads it from a request,
in the ways an API accepts); what a token may do is decided here, by its scopes and its owner,
the same everywhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from hub.core.errors import Forbidden, Invalid, NotFound, RateLimited, Unauthenticated
from hub.core.ratelimit import RateLimiter

TOKEN_PREFIX = "hub_"  # noqa: S105 - a prefix, not a secret
SCOPES = frozenset(
    {"read", "create", "update", "delete", "undelete", "media", "draft", "channels", "directory",
     "profile", "email"}
)  # fmt: skip
KINDS = frozenset({"app_token", "api_key", "directory_token", "indieauth"})
DEFAULT_SCOPES = {
    "app_token": ("create", "update", "media"),
    "api_key": ("read", "create", "update", "media", "channels"),
    "directory_token": ("directory",),
    "indieauth": (),
}

# Ways a request may present a token (read by `hub.web.tokens`); each API accepts a subset.
VIA_BEARER = "bearer"  # Authorization: Bearer KEY
VIA_API_KEY = "api_key"  # X-API-Key: KEY
VIA_TOKEN = "token"  # noqa: S105 - Authorization: Token KEY (directory, DRF style)
VIA_FORM = "access_token"  # Micropub access_token form field


@dataclass(frozen=True)
class PresentedToken:
    secret: str
    via: str


@dataclass(frozen=True)
class Principal:
    """Who is calling: the credential, its owner, and what it may do."""

    credential_id: int
    author_id: int
    author_name: str
    plan: str
    kind: str
    scopes: frozenset[str]
    channel_id: int | None
    moderation: str | None = None  # the author's moderation override (`auto`/`manual`), if any
    is_owner: bool = False  # the node's owner, whom no plan limits (`hub.core.plans`)
    # what the caller's `principal_query` read beside the token (its whole row), if any
    joined: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    def has_scope(self, *any_of: str) -> bool:
        return any(scope in self.scopes for scope in any_of)

    def require_scope(self, *any_of: str) -> None:
        """Raise Forbidden(code="insufficient_scope") unless one of `any_of` is granted."""
        if not self.has_scope(*any_of):
            raise Forbidden(
                f"This token lacks the '{any_of[0]}' scope.",
                code="insufficient_scope",
                scope=" ".join(any_of),
            )


@dataclass(frozen=True)
class Credential:
    id: int
    author_id: int
    author_name: str
    channel_id: int | None
    kind: str
    name: str
    token_hint: str
    scopes: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def parse_scopes(raw: str | Iterable[str]) -> tuple[str, ...]:
    """Scopes from "create,update media" or a list; unknown ones raise Invalid."""
    parts = raw.replace(",", " ").split() if isinstance(raw, str) else list(raw)
    unknown = sorted({p for p in parts if p not in SCOPES})
    if unknown:
        raise Invalid.field(
            "scopes",
            f"Unknown scope(s): {', '.join(unknown)}. Known: {', '.join(sorted(SCOPES))}.",
        )
    return tuple(dict.fromkeys(parts))


def live(alias: str = "c") -> str:
    """SQL: the credential aliased `alias` is live (neither revoked nor expired)."""
    return (
        f"{alias}.revoked_at IS NULL AND ({alias}.expires_at IS NULL OR {alias}.expires_at > now())"
    )


def principal_query(columns: str = "", joins: str = "") -> str:
    """The statement that resolves a token (`resolve_principal`); with the caller's constant
    `columns` from its `joins` on the credential `c` (and its author `a`), read in the same
    round trip and handed back as `Principal.joined` (Micropub's blog)."""
    extra = f",{columns}" if columns else ""
    return f"""
SELECT c.id, c.author_id, a.name AS author_name, a.plan, a.is_owner, a.moderation, c.kind,
       c.scopes,
       c.channel_id,
       (c.last_used_at IS NULL OR c.last_used_at < now() - interval '60 seconds') AS stale{extra}
FROM credentials c JOIN authors a ON a.id = c.author_id{joins}
WHERE c.token_hash = $1 AND {live()}
"""  # the caller's constant fragments; values are parameters


PRINCIPAL_QUERY = principal_query()  # the token alone


async def resolve_principal(
    conn: asyncpg.Connection | asyncpg.Pool,
    presented: PresentedToken | None,
    *,
    client_ip: str | None = None,
    query: str = PRINCIPAL_QUERY,
) -> Principal:
    """The principal behind a presented token; Unauthenticated otherwise. One read-only
    round trip, plus an update of `last_used_at` at most once a minute per token. With a
    `query` from `principal_query`, the row it read is the principal's `joined`."""
    if presented is None:
        raise Unauthenticated("No token was sent.", code="missing_token")
    if not presented.secret:
        raise Unauthenticated("The token is missing or malformed.", code="invalid_token")
    row = await conn.fetchrow(query, hash_secret(presented.secret))
    if row is None:
        raise Unauthenticated("The token is unknown, revoked or expired.", code="invalid_token")
    if row["stale"]:  # record use at most once a minute: the hot path stays read-only
        await conn.execute(
            "UPDATE credentials SET last_used_at = now(), last_used_ip = $2::inet WHERE id = $1",
            row["id"],
            _inet_or_none(client_ip),
        )
    return Principal(
        credential_id=row["id"],
        author_id=row["author_id"],
        author_name=row["author_name"],
        plan=row["plan"],
        kind=row["kind"],
        scopes=frozenset(row["scopes"]),
        channel_id=row["channel_id"],
        moderation=row["moderation"],
        is_owner=row["is_owner"],
        joined=None if query is PRINCIPAL_QUERY else row,
    )


def _inet_or_none(value: str | None) -> str | None:
    import ipaddress

    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


async def create_credential(
    conn: asyncpg.Connection,
    *,
    author_id: int,
    kind: str = "app_token",
    name: str = "",
    scopes: Iterable[str] | str | None = None,
    channel_id: int | None = None,
    client_id: str | None = None,
    expires_at: datetime | None = None,
) -> tuple[Credential, str]:
    """Create a credential; return it with its secret, which is never retrievable again."""
    if kind not in KINDS:
        raise Invalid.field("kind", f"Unknown credential kind {kind!r}.")
    granted = parse_scopes(DEFAULT_SCOPES[kind] if scopes is None else scopes)
    secret = new_secret()
    hint = secret[: len(TOKEN_PREFIX) + 6]
    row = await conn.fetchrow(
        """
        INSERT INTO credentials
            (author_id, channel_id, kind, name, token_hash, token_hint, scopes, client_id,
             expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        RETURNING id
        """,
        author_id, channel_id, kind, name, hash_secret(secret), hint, list(granted), client_id,
        expires_at,
    )  # fmt: skip
    return await get_credential(conn, row["id"]), secret


_SELECT_CREDENTIALS = """
SELECT c.id, c.author_id, a.name AS author_name, c.channel_id, c.kind, c.name, c.token_hint,
       c.scopes, c.created_at, c.last_used_at, c.expires_at, c.revoked_at
FROM credentials c JOIN authors a ON a.id = c.author_id
"""


def _credential(row: asyncpg.Record) -> Credential:
    return Credential(**{**dict(row), "scopes": tuple(row["scopes"])})


async def get_credential(conn: asyncpg.Connection, credential_id: int) -> Credential:
    row = await conn.fetchrow(_SELECT_CREDENTIALS + " WHERE c.id = $1", credential_id)
    if row is None:
        raise NotFound(f"No credential with id {credential_id}.")
    return _credential(row)


async def list_credentials(
    conn: asyncpg.Connection, *, author_id: int | None = None, include_revoked: bool = False
) -> list[Credential]:
    rows = await conn.fetch(
        _SELECT_CREDENTIALS
        + """
        WHERE ($1::bigint IS NULL OR c.author_id = $1) AND ($2 OR c.revoked_at IS NULL)
        ORDER BY c.created_at, c.id
        """,
        author_id,
        include_revoked,
    )
    return [_credential(r) for r in rows]


async def revoke_credential(
    conn: asyncpg.Connection, credential_id: int, *, author_id: int | None = None
) -> Credential:
    """Revoke a credential (idempotent). With `author_id`, only that author's own."""
    row = await conn.fetchrow(
        """
        UPDATE credentials SET revoked_at = coalesce(revoked_at, now())
        WHERE id = $1 AND ($2::bigint IS NULL OR author_id = $2)
        RETURNING id
        """,
        credential_id,
        author_id,
    )
    if row is None:
        raise NotFound(f"No credential with id {credential_id}.")
    return await get_credential(conn, credential_id)


async def revoke_secret(conn: asyncpg.Connection, secret: str) -> bool:
    """Revoke by secret (IndieAuth revocation endpoint); True when a live token was revoked."""
    status = await conn.execute(
        "UPDATE credentials SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL",
        hash_secret(secret),
    )
    return status.endswith(" 1")


async def resolve_guarded(
    conn: asyncpg.Connection | asyncpg.Pool,
    limiter: RateLimiter,
    presented: PresentedToken | None,
    *,
    client_ip: str | None,
    namespace: str,
    per_minute: int,
    query: str = PRINCIPAL_QUERY,
) -> Principal:
    """`resolve_principal` behind a brake on guessing (micropub-resolved §2.5): an address with
    `per_minute` failed authentications in the last minute gets 429 whatever token it sends,
    before any is looked at. A request without a token is never counted. Each API counts in
    its own `namespace`. An address found clear stays clear for a second on this process
    unless it fails here (`RateLimiter.braked`), so the brake costs no Redis round trip on
    most requests; failures counted by another process stop it within that second."""
    key = f"{namespace}:authfail:{client_ip}"
    guarded = bool(client_ip) and presented is not None and per_minute > 0
    if guarded:
        standing = await limiter.braked(key, per_minute)
        if standing is not None:
            raise RateLimited(standing.reset_after or 60, limit=per_minute)
    try:
        return await resolve_principal(conn, presented, client_ip=client_ip, query=query)
    except Unauthenticated as exc:
        if guarded and exc.code != "missing_token":
            with contextlib.suppress(RateLimited):
                await limiter.hit(key, per_minute)
        raise


# -- the owner's listing (dashboard) -----------------------------------------------------------

_LISTED_CREDENTIALS = f"""
    FROM credentials c
    JOIN authors a ON a.id = c.author_id
    LEFT JOIN channels ch ON ch.id = c.channel_id
    WHERE ($1 OR ({live()}))
"""


async def count_credentials(conn: asyncpg.Pool | asyncpg.Connection, include_dead: bool) -> int:
    return await conn.fetchval(f"SELECT count(*) {_LISTED_CREDENTIALS}", include_dead)


async def list_credential_page(
    conn: asyncpg.Pool | asyncpg.Connection, include_dead: bool, limit: int, offset: int
) -> list[asyncpg.Record]:
    """Credentials newest first (live ones only unless `include_dead`), with author and channel."""
    return await conn.fetch(
        f"""
        SELECT c.id, c.kind, c.name, c.token_hint, c.scopes, c.client_id, c.created_at,
               c.last_used_at, c.expires_at, c.revoked_at, a.name AS author, ch.slug AS channel,
               ({live()}) AS live
        {_LISTED_CREDENTIALS}
        ORDER BY c.created_at DESC, c.id DESC LIMIT $2 OFFSET $3
        """,
        include_dead,
        limit,
        offset,
    )


async def select_credential(
    conn: asyncpg.Pool | asyncpg.Connection, credential_id: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """
        SELECT c.id, c.kind, c.name, c.token_hint, c.scopes, c.client_id, c.revoked_at,
               a.name AS author
        FROM credentials c JOIN authors a ON a.id = c.author_id WHERE c.id = $1
        """,
        credential_id,
    )


# -- credentials issued by the IndieAuth server (hub.site.indieauth) ---------------------------

# For statements of the IndieAuth tables that ask whether a credential they link to (from a row
# aliased `i`, column `credential_id`) is live: join it as `cr`, then test `cr`.
JOIN_ISSUED_CREDENTIAL = "JOIN credentials cr ON cr.id = i.credential_id"
ISSUED_CREDENTIAL_LIVE = live("cr")


async def revoke_credentials_in(conn: asyncpg.Connection, ids_sql: str, *args: object) -> None:
    """Revoke (idempotently) the credentials whose ids the subquery `ids_sql` selects, with
    `args` as its `$n` parameters: the IndieAuth server revokes what one grant issued."""
    await conn.execute(
        f"""
        UPDATE credentials SET revoked_at = coalesce(revoked_at, now())
        WHERE id IN ({ids_sql})
        """,  # the caller's constant subquery; values are parameters
        *args,
    )


async def select_live_credential(
    conn: asyncpg.Connection | asyncpg.Pool, token_hash: bytes, *, columns: str, joins: str
) -> asyncpg.Record | None:
    """A live credential by its hash with what introspection reports about it, plus the
    caller's `columns` from its `joins` on `c` (constant SQL: the IndieAuth grant)."""
    return await conn.fetchrow(
        f"""
        SELECT c.id, c.author_id, c.channel_id, c.kind, c.client_id, c.scopes, c.created_at,
               c.expires_at, {columns}
        FROM credentials c
        {joins}
        WHERE c.token_hash = $1 AND {live()}
        """,  # the caller's constant fragments; values are parameters
        token_hash,
    )
