"""Who signed a request to an inbox: the `Signature` header (draft-cavage, as Mastodon
signs) or `Signature-Input` + `Signature` (RFC 9421, as Fedify tries first), its `keyId`
found among the cached actors (`ap_actors`) or fetched through the guarded client and
cached, the signature verified with it. A key that no longer verifies is fetched again once
when the cached copy is older than `REFRESH_AFTER` (a key rotation).

Each process also remembers the keys that verified lately (`KEYS`, up to `REMEMBERED`), so
that a busy sender's next activity is verified without reading `ap_actors`. What is
remembered is only trusted for the signature itself: the statement that stores the activity
checks again that the actor still holds that key and that no block refuses it, and the
inbox forgets the key and takes the long way when it does not (`forget`).

Raises `Unauthenticated` (401), `Forbidden` (403, a blocked domain or actor, checked before
any fetch from it), or `SignerGone` (the key's actor answers 410: the caller may still
accept an actor's own Delete, as 202 and ignored)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urldefrag

from starlette.requests import Request

from hub.activitypub.receive import rfc9421
from hub.core.errors import Forbidden, Unauthenticated
from hub.core.federation import remote_actors, signatures
from hub.core.federation.remote_actors import ActorUnavailable, RemoteActor
from hub.core.federation.signatures import SignatureInvalid
from hub.core.resources import Resources

REFRESH_AFTER = timedelta(minutes=1)
REMEMBERED = 4096  # keys per process
KEYS: dict[str, RemoteActor] = {}  # keyId → the actor whose key verified a request lately


class SignerGone(Exception):
    """The signing key's actor is gone (410) and not cached."""


@dataclass(frozen=True, slots=True)
class Signed:
    """A request's signature, read before its body: the key, and how to check it."""

    key_id: str
    check: Callable[[bytes, str], None]  # (body, public PEM) → None or SignatureInvalid


def _headers(request: Request) -> dict[str, str]:
    found: dict[str, str] = {}
    for raw_name, raw_value in request.scope["headers"]:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        found[name] = f"{found[name]}, {value}" if name in found else value
    return found


def read_signature(request: Request) -> Signed:
    """The request's signature, or Unauthenticated when it has none that hub reads."""
    headers = _headers(request)
    scope = request.scope
    path = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
    query = scope.get("query_string", b"").decode("latin-1")
    try:
        if "signature-input" in headers and "signature" in headers:
            sig = rfc9421.parse(headers["signature-input"], headers["signature"])
            url = f"{request.url.scheme}://{headers.get('host', '')}{path}"
            url += f"?{query}" if query else ""

            def check_rfc9421(body: bytes, pem: str) -> None:
                rfc9421.verify(
                    sig, method=request.method, url=url, authority=headers.get("host", ""),
                    path=path, query=query, headers=headers, body=body, public_pem=pem,
                )  # fmt: skip

            return Signed(sig.key_id, check_rfc9421)
        value = headers.get("signature") or headers.get("authorization", "")
        if not value or (value is headers.get("authorization") and
                         not value.lower().startswith("signature ")):  # fmt: skip
            raise Unauthenticated("The request is not signed.", code="unsigned")
        cavage = signatures.parse(value)
    except SignatureInvalid as exc:
        raise Unauthenticated(str(exc), code="bad_signature") from exc
    target = path + (f"?{query}" if query else "")

    def check_cavage(body: bytes, pem: str) -> None:
        signatures.verify(
            cavage, method=request.method, target=target, headers=headers, body=body,
            public_pem=pem,
        )  # fmt: skip

    return Signed(cavage.key_id, check_cavage)


def _verifies(signed: Signed, body: bytes, actor: RemoteActor) -> SignatureInvalid | None:
    if not actor.public_key_pem:
        return SignatureInvalid("The signer has no key.")
    try:
        signed.check(body, actor.public_key_pem)
    except SignatureInvalid as exc:
        return exc
    return None


async def _fetch(resources: Resources, key_id: str) -> RemoteActor:
    try:
        document = await remote_actors.fetch_by_key_id(resources.fetcher, key_id)
    except ActorUnavailable as exc:
        if exc.gone:
            raise SignerGone(exc.message) from exc
        raise Unauthenticated(
            f"The signer's key cannot be fetched: {exc.message}", code="key_unavailable"
        ) from exc
    actor = await remote_actors.upsert(resources.pool, document)
    if actor.blocked:
        raise Forbidden("The sender is blocked.", code="blocked")
    return actor


@functools.lru_cache(maxsize=REMEMBERED)
def key_domains(key_id: str) -> list[str]:
    """The domains of a keyId's host, parents included: what a domain block matches."""
    return remote_actors.block_patterns(urldefrag(key_id)[0])[0]


def forget(key_id: str) -> None:
    """Stop trusting the remembered key `key_id` (its actor changed, went or is blocked)."""
    KEYS.pop(key_id, None)


def _remember(key_id: str, actor: RemoteActor) -> None:
    if len(KEYS) >= REMEMBERED:
        KEYS.pop(next(iter(KEYS)))  # the oldest remembered
    KEYS[key_id] = actor


async def signer(
    resources: Resources, signed: Signed, body: bytes, *, remembered: bool = True
) -> RemoteActor:
    """The actor whose key signed the request, verified (with a remembered key first when
    `remembered`: the caller's store checks the actor again)."""
    key_id = signed.key_id
    if len(key_id) > remote_actors.MAX_URL or not key_id.startswith(("https://", "http://")):
        raise Unauthenticated("The keyId is not an http(s) URL.", code="bad_signature")
    known = KEYS.get(key_id) if remembered else None
    if known is not None and _verifies(signed, body, known) is None:
        return known
    actor = await _verified(resources, signed, body)
    _remember(key_id, actor)
    return actor


async def _verified(resources: Resources, signed: Signed, body: bytes) -> RemoteActor:
    key_id = signed.key_id
    actor = await remote_actors.by_key_id(resources.pool, key_id)
    if actor is not None and actor.blocked:
        raise Forbidden("The sender is blocked.", code="blocked")
    if actor is None:
        if await remote_actors.is_blocked(resources.pool, urldefrag(key_id)[0]):
            raise Forbidden("The sender is blocked.", code="blocked")
        actor = await _fetch(resources, key_id)
        failure = _verifies(signed, body, actor)
    else:
        failure = _verifies(signed, body, actor)
        if failure is not None and datetime.now(UTC) - actor.fetched_at > REFRESH_AFTER:
            try:
                actor = await _fetch(resources, key_id)  # the key may have rotated
            except SignerGone:
                pass  # keep the cached key's verdict
            else:
                failure = _verifies(signed, body, actor)
    if failure is not None:
        raise Unauthenticated(str(failure), code="bad_signature")
    return actor
