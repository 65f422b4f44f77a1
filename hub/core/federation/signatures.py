"""HTTP signatures as the fediverse uses them: draft-cavage-http-signatures-12 with
`rsa-sha256` (Mastodon's and most servers' form; `hs2019` read the same way with an RSA key),
and the `Digest` header (RFC 3230, `SHA-256=`) over the body.

`sign` makes the headers of an outgoing request; `verify` checks an incoming one against the
signer's public key. Both are pure (no I/O): finding the key for a `keyId` is the caller's.
A verified request has signed `(request-target)`, `host` and `date` (and `digest` when it
has a body), a `Date` within `MAX_SKEW` of now, and a `Digest` that matches its body.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

MAX_SKEW = timedelta(hours=1)  # Date may be this far from now either way
MAX_HEADER = 8192  # a Signature header longer than this is refused unread
_PARAM = re.compile(r'\s*([a-zA-Z]+)\s*=\s*"([^"]*)"\s*(?:,|$)')
ALGORITHMS = {"rsa-sha256", "hs2019"}


class SignatureInvalid(ValueError):
    """The request's signature is missing, malformed, stale or does not verify; the message
    says which, for the log and the 401 body."""


@dataclass(frozen=True, slots=True)
class Signature:
    key_id: str
    algorithm: str
    headers: tuple[str, ...]
    signature: bytes
    created: int | None = None
    expires: int | None = None


def digest(body: bytes) -> str:
    """The `Digest` header value of `body`."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


@functools.lru_cache(maxsize=256)
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


@functools.lru_cache(maxsize=4096)
def public_key(pem: str) -> rsa.RSAPublicKey:
    """The RSA public key in `pem`; raises SignatureInvalid for anything else."""
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError) as exc:
        raise SignatureInvalid("The signer's public key cannot be read.") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureInvalid("The signer's key is not an RSA key.")
    return key


def _request_target(method: str, url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return f"{method.lower()} {target}", parts.netloc.lower()


def sign(
    method: str,
    url: str,
    body: bytes | None,
    *,
    key_id: str,
    private_pem: str,
    now: datetime | None = None,
) -> dict[str, str]:
    """The `Host`, `Date`, `Digest` (with a body) and `Signature` headers of a request to
    `url`, signed with `private_pem` under `key_id`."""
    target, host = _request_target(method, url)
    headers = {"Host": host, "Date": format_datetime(now or datetime.now(UTC), usegmt=True)}
    if body is not None:
        headers["Digest"] = digest(body)
    names = ["(request-target)", *(name.lower() for name in headers)]
    lines = [f"(request-target): {target}"]
    lines += [f"{name.lower()}: {value}" for name, value in headers.items()]
    signature = _private_key(private_pem).sign(
        "\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    headers["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return headers


def parse(value: str) -> Signature:
    """The parameters of a `Signature` header (or of `Authorization: Signature ...`)."""
    if len(value) > MAX_HEADER:
        raise SignatureInvalid("The Signature header is too long.")
    if value[:10].lower() == "signature ":
        value = value[10:]
    params: dict[str, str] = {}
    position = 0
    while position < len(value):
        match = _PARAM.match(value, position)
        if match is None:
            raise SignatureInvalid("The Signature header is malformed.")
        params[match.group(1).lower()] = match.group(2)
        position = match.end()
    if not params.get("keyid") or not params.get("signature"):
        raise SignatureInvalid("The Signature header names no keyId or no signature.")
    algorithm = params.get("algorithm", "hs2019").lower()
    if algorithm not in ALGORITHMS:
        raise SignatureInvalid(f"The signature algorithm {algorithm!r} is not supported.")
    try:
        raw = base64.b64decode(params["signature"], validate=True)
        created = int(params["created"]) if "created" in params else None
        expires = int(params["expires"]) if "expires" in params else None
    except ValueError as exc:
        raise SignatureInvalid("The Signature header is malformed.") from exc
    names = tuple(params.get("headers", "date").lower().split())
    return Signature(params["keyid"], algorithm, names, raw, created, expires)


def _signing_string(
    signature: Signature, method: str, target: str, headers: Mapping[str, str]
) -> bytes:
    lines = []
    for name in signature.headers:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
        elif name == "(created)" and signature.created is not None:
            lines.append(f"(created): {signature.created}")
        elif name == "(expires)" and signature.expires is not None:
            lines.append(f"(expires): {signature.expires}")
        elif name in headers:
            lines.append(f"{name}: {headers[name]}")
        else:
            raise SignatureInvalid(f"The signed header {name!r} is not in the request.")
    return "\n".join(lines).encode()


def _check_fresh(signature: Signature, headers: Mapping[str, str], now: datetime) -> None:
    if "date" in signature.headers:
        try:
            sent = parsedate_to_datetime(headers["date"])
        except (TypeError, ValueError, IndexError) as exc:
            raise SignatureInvalid("The Date header cannot be read.") from exc
        if sent.tzinfo is None:
            sent = sent.replace(tzinfo=UTC)
    elif "(created)" in signature.headers and signature.created is not None:
        sent = datetime.fromtimestamp(signature.created, UTC)
    else:
        raise SignatureInvalid("The signature covers neither date nor (created).")
    if abs(now - sent) > MAX_SKEW:
        raise SignatureInvalid("The request's Date is too far from now.")
    if signature.expires is not None and signature.expires < now.timestamp():
        raise SignatureInvalid("The signature has expired.")


def verify(
    signature: Signature,
    *,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes | None,
    public_pem: str,
    now: datetime | None = None,
) -> None:
    """Raise SignatureInvalid unless `signature` (from `parse`) signs this request with the
    key in `public_pem`. `target` is the path with its query as sent; `headers` maps
    lowercase names to values (several values of one name joined with ", ")."""
    if "(request-target)" not in signature.headers:
        raise SignatureInvalid("The signature does not cover (request-target).")
    if "host" not in signature.headers:
        raise SignatureInvalid("The signature does not cover host.")
    _check_fresh(signature, headers, now or datetime.now(UTC))
    if body:
        if "digest" not in signature.headers:
            raise SignatureInvalid("The signature does not cover the Digest of the body.")
        sent = {
            part.split("=", 1)[0].strip().lower(): part.split("=", 1)[1].strip()
            for part in headers.get("digest", "").split(",")
            if "=" in part
        }
        if sent.get("sha-256") != digest(body).split("=", 1)[1]:
            raise SignatureInvalid("The Digest header does not match the body.")
    message = _signing_string(signature, method, target, headers)
    try:
        public_key(public_pem).verify(
            signature.signature, message, padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature as exc:
        raise SignatureInvalid("The signature does not verify with the signer's key.") from exc
