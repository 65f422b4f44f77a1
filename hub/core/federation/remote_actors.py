"""Remote actors (`ap_actors`): the fediverse accounts hub has met (signers, followers,
authors of replies, likes and boosts), fetched through the guarded client and cached with
their public key.

`fetch_by_key_id` reads a `keyId` URL (fragment stripped) as either an actor with a
`publicKey` or a key document with an `owner` (then the owner is fetched); `read_actor` is
the pure reading of an actor document; `upsert` caches it. One function per statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urldefrag

import asyncpg
import orjson

from hub.core.errors import DomainError, FetchFailed, FetchRefused
from hub.core.fetch import GuardedClient
from hub.core.urls import BadURL, host_of, normalize, parent_domains, registrable_domain
from hub.core.webmentions.federated import (
    BLOCKED_ACTOR,
    BLOCKED_BY_PATTERNS,
    BLOCKED_KEY_SIGNER,
)

ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
MAX_BYTES = 256 * 1024
SECONDS = 10.0
MAX_URL = 2048

Conn = asyncpg.Connection | asyncpg.Pool


class ActorUnavailable(DomainError):
    """The actor or key document cannot be fetched or read (refused address, network error,
    not an actor, no key)."""

    def __init__(self, message: str, *, gone: bool = False) -> None:
        super().__init__(message, code="actor_unavailable")
        self.gone = gone


@dataclass(frozen=True, slots=True)
class ActorDocument:
    """What hub keeps of a remote actor document."""

    uri: str
    host: str
    domain: str
    type: str | None
    inbox: str | None
    shared_inbox: str | None
    key_id: str | None
    public_key_pem: str | None
    preferred_username: str | None
    name: str | None
    url: str | None
    icon_url: str | None


@dataclass(frozen=True, slots=True)
class RemoteActor:
    """A cached actor row; `blocked` when a domain or URL block of `webmention_blocks`
    matches it (filled by the lookups that ask)."""

    id: int
    uri: str
    host: str
    domain: str
    type: str | None
    inbox: str | None
    shared_inbox: str | None
    key_id: str | None
    public_key_pem: str | None
    preferred_username: str | None
    name: str | None
    url: str | None
    icon_url: str | None
    fetched_at: datetime
    gone_at: datetime | None
    blocked: bool = False


def _http_url(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > MAX_URL:
        return None
    try:
        normalize(value)
    except BadURL:
        return None
    return value


def _text(value: Any, limit: int = 200) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip().replace("\x00", "")[:limit]
    return None


def id_of(value: Any) -> str | None:
    """The id of a JSON-LD reference: a string, or an object's `id` (or `href` of a Link)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        found = value.get("id") or value.get("href")
        return found if isinstance(found, str) else None
    return None


def _icon(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url")
        if isinstance(value, list):
            value = value[0] if value else None
        value = id_of(value)
    return _http_url(value)


def _public_key(value: Any) -> tuple[str | None, str | None]:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    if not isinstance(value, dict):
        return None, None
    key_id, pem = value.get("id"), value.get("publicKeyPem")
    if not isinstance(key_id, str) or not isinstance(pem, str) or len(pem) > 16384:
        return None, None
    return key_id, pem


def read_actor(doc: Any) -> ActorDocument | None:
    """The actor in a fetched document (pure); None when it is not one (no id or inbox)."""
    if not isinstance(doc, dict):
        return None
    uri = _http_url(doc.get("id"))
    inbox = _http_url(doc.get("inbox"))
    if uri is None or inbox is None:
        return None
    endpoints = doc.get("endpoints")
    shared = _http_url(endpoints.get("sharedInbox")) if isinstance(endpoints, dict) else None
    key_id, pem = _public_key(doc.get("publicKey"))
    host = host_of(uri)
    kind = doc.get("type")
    return ActorDocument(
        uri=uri,
        host=host,
        domain=registrable_domain(host),
        type=kind[:100] if isinstance(kind, str) else None,
        inbox=inbox,
        shared_inbox=shared,
        key_id=key_id if key_id and len(key_id) <= MAX_URL else None,
        public_key_pem=pem,
        preferred_username=_text(doc.get("preferredUsername")),
        name=_text(doc.get("name")),
        url=_http_url(id_of(doc["url"][0] if isinstance(doc.get("url"), list) and doc["url"]
                            else doc.get("url"))),
        icon_url=_icon(doc.get("icon")),
    )  # fmt: skip


async def _get_json(fetcher: GuardedClient, url: str) -> Any:
    try:
        result = await fetcher.fetch(
            url, headers={"Accept": ACCEPT}, max_bytes=MAX_BYTES, timeout=SECONDS
        )
    except (FetchRefused, FetchFailed) as exc:
        raise ActorUnavailable(exc.message) from exc
    except DomainError as exc:  # TooLarge
        raise ActorUnavailable(exc.message) from exc
    if result.status == 410:
        raise ActorUnavailable(f"{url} is gone (410)", gone=True)
    if not 200 <= result.status < 300:
        raise ActorUnavailable(f"{url} answered {result.status}")
    try:
        return orjson.loads(result.content)
    except orjson.JSONDecodeError as exc:
        raise ActorUnavailable(f"{url} is not JSON") from exc


async def fetch_actor(fetcher: GuardedClient, uri: str) -> ActorDocument:
    """The actor at `uri`, fetched now; its id must be `uri` (no impersonation by a
    document that names another id)."""
    doc = await _get_json(fetcher, uri)
    actor = read_actor(doc)
    if actor is None or urldefrag(actor.uri)[0] != urldefrag(uri)[0]:
        raise ActorUnavailable(f"{uri} is not an actor")
    return actor


async def fetch_by_key_id(fetcher: GuardedClient, key_id: str) -> ActorDocument:
    """The actor that owns `key_id`: the key URL (without its fragment) is the actor (with
    `publicKey`) or a key document (with `owner`, then fetched). The actor's key must be
    `key_id`."""
    url = urldefrag(key_id)[0]
    doc = await _get_json(fetcher, url)
    actor = read_actor(doc)
    if actor is None and isinstance(doc, dict) and isinstance(doc.get("owner"), str):
        if doc.get("id") != key_id:
            raise ActorUnavailable(f"{url} is not the key {key_id}")
        actor = await fetch_actor(fetcher, doc["owner"])
    if actor is None:
        raise ActorUnavailable(f"{url} is neither an actor nor a key")
    if actor.key_id != key_id or not actor.public_key_pem:
        raise ActorUnavailable(f"the actor {actor.uri} does not own the key {key_id}")
    return actor


_COLUMNS = (
    "id, uri, host, domain, type, inbox, shared_inbox, key_id, public_key_pem,"
    " preferred_username, name, url, icon_url, fetched_at, gone_at"
)
_BLOCKED = BLOCKED_BY_PATTERNS


def block_patterns(uri: str) -> tuple[list[str], str]:
    """What `webmention_blocks` patterns match an actor: its host's domains, its URL."""
    try:
        norm = normalize(uri)
    except BadURL:
        return [], ""
    return parent_domains(host_of(norm)), norm


def _actor(row: asyncpg.Record | None) -> RemoteActor | None:
    return RemoteActor(**dict(row)) if row is not None else None


async def by_key_id(conn: Conn, key_id: str) -> RemoteActor | None:
    """The cached actor whose key is `key_id`, with whether a block matches it (the keyId's
    host stands for the actor's: a block of either refuses)."""
    domains, _ = block_patterns(urldefrag(key_id)[0])
    row = await conn.fetchrow(
        f"""
        SELECT {_COLUMNS}, {BLOCKED_KEY_SIGNER} AS blocked
        FROM ap_actors a WHERE key_id = $1 ORDER BY fetched_at DESC LIMIT 1
        """,  # noqa: S608 - constant columns
        key_id,
        domains,
    )
    return _actor(row)


async def by_uri(conn: Conn, uri: str) -> RemoteActor | None:
    domains, norm = block_patterns(uri)
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS}, {_BLOCKED} AS blocked FROM ap_actors WHERE uri = $1",  # noqa: S608
        uri,
        domains,
        norm,
    )
    return _actor(row)


async def is_blocked(conn: Conn, uri: str) -> bool:
    domains, norm = block_patterns(uri)
    return bool(await conn.fetchval(f"SELECT $1::text IS NULL AND {_BLOCKED}", None, domains, norm))


async def upsert(conn: Conn, actor: ActorDocument) -> RemoteActor:
    """Cache `actor` (fetched now): insert, or refresh the row of its URI (a key rotation,
    a new name); an actor seen again is no longer gone."""
    domains, norm = block_patterns(actor.uri)
    row = await conn.fetchrow(
        f"""
        INSERT INTO ap_actors (uri, host, domain, type, inbox, shared_inbox, key_id,
                               public_key_pem, preferred_username, name, url, icon_url)
        VALUES ($1, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        ON CONFLICT (uri) DO UPDATE SET
            host = EXCLUDED.host, domain = EXCLUDED.domain, type = EXCLUDED.type,
            inbox = EXCLUDED.inbox, shared_inbox = EXCLUDED.shared_inbox,
            key_id = EXCLUDED.key_id, public_key_pem = EXCLUDED.public_key_pem,
            preferred_username = EXCLUDED.preferred_username, name = EXCLUDED.name,
            url = EXCLUDED.url, icon_url = EXCLUDED.icon_url, fetched_at = now(), gone_at = NULL
        RETURNING {_COLUMNS}, {_BLOCKED} AS blocked
        """,  # noqa: S608 - constant columns
        actor.uri, domains, norm, actor.host, actor.domain, actor.type, actor.inbox,
        actor.shared_inbox, actor.key_id, actor.public_key_pem, actor.preferred_username,
        actor.name, actor.url, actor.icon_url,
    )  # fmt: skip
    return RemoteActor(**dict(row))


async def mark_gone(conn: Conn, actor_id: int) -> None:
    """The actor was deleted (its Delete, or a 410): kept as a tombstone, key kept."""
    await conn.execute(
        "UPDATE ap_actors SET gone_at = coalesce(gone_at, now()) WHERE id = $1", actor_id
    )


async def by_id(conn: Conn, actor_id: int) -> RemoteActor | None:
    """The cached actor row `actor_id`, with whether a block matches it now."""
    row = await conn.fetchrow(
        f"""
        SELECT {_COLUMNS}, {BLOCKED_ACTOR} AS blocked
        FROM ap_actors a WHERE id = $1
        """,  # noqa: S608 - constant columns
        actor_id,
    )
    return _actor(row)
