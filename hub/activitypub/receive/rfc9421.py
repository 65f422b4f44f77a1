"""HTTP Message Signatures (RFC 9421) as fediverse servers send them (Fedify tries them
first): one signature labelled in `Signature-Input` and `Signature`, algorithm
`rsa-v1_5-sha256`, with `Content-Digest` (RFC 9530, sha-256 or sha-512) over the body.

Pure: `parse` reads the two structured-field headers (the subset a signature uses: an
inner list of component names with parameters, a byte sequence), `verify` rebuilds the
signature base and checks it with the signer's RSA key. Raises `SignatureInvalid`.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from hub.core.federation.signatures import MAX_HEADER, MAX_SKEW, SignatureInvalid, public_key

_MEMBER = re.compile(r"\s*([a-z*][a-z0-9_.*-]*)=(\([^)]*\)(?:;[^,]*)?)\s*(?:,|$)")
_ITEM = re.compile(r'"([^"\\]*)"((?:;[a-z][a-z0-9_.*-]*(?:=(?:"[^"\\]*"|[0-9-]+|\?[01]))?)*)')
_PARAM = re.compile(r';([a-z][a-z0-9_.*-]*)(?:=("[^"\\]*"|[0-9-]+|\?[01]))?')
_SIG = re.compile(r"\s*([a-z*][a-z0-9_.*-]*)=:([A-Za-z0-9+/=]*):\s*(?:,|$)")
ALGORITHM = "rsa-v1_5-sha256"
DIGESTS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}


@dataclass(frozen=True, slots=True)
class MessageSignature:
    label: str
    components: tuple[str, ...]  # lowercase names, as signed ("@method", "content-digest")
    params_text: str  # the inner list and its parameters as sent: the base's last line
    key_id: str
    created: int | None
    expires: int | None
    signature: bytes


def _param_value(raw: str | None) -> str | int | bool | None:
    if raw is None:
        return True
    if raw.startswith('"'):
        return raw[1:-1]
    if raw.startswith("?"):
        return raw == "?1"
    return int(raw)


def parse(signature_input: str, signature: str) -> MessageSignature:
    """The first signature of the two headers that names a key and an RSA algorithm."""
    if len(signature_input) > MAX_HEADER or len(signature) > MAX_HEADER:
        raise SignatureInvalid("The Signature-Input header is too long.")
    sigs = {m.group(1): m.group(2) for m in _SIG.finditer(signature)}
    for match in _MEMBER.finditer(signature_input):
        label, text = match.group(1), match.group(2).strip()
        inner, _, params_part = text.partition(")")
        components = tuple(m.group(1).lower() for m in _ITEM.finditer(inner + ")"))
        if any(m.group(2) for m in _ITEM.finditer(inner + ")")):
            raise SignatureInvalid("Component parameters are not supported.")
        try:
            params = {m.group(1): _param_value(m.group(2)) for m in _PARAM.finditer(params_part)}
        except ValueError as exc:
            raise SignatureInvalid("The Signature-Input header is malformed.") from exc
        alg = params.get("alg", ALGORITHM)
        key_id = params.get("keyid")
        if alg != ALGORITHM or not isinstance(key_id, str) or label not in sigs:
            continue
        try:
            raw = base64.b64decode(sigs[label], validate=True)
        except ValueError as exc:
            raise SignatureInvalid("The Signature header is malformed.") from exc
        created, expires = params.get("created"), params.get("expires")
        return MessageSignature(
            label, components, text, key_id,
            created if isinstance(created, int) and not isinstance(created, bool) else None,
            expires if isinstance(expires, int) and not isinstance(expires, bool) else None,
            raw,
        )  # fmt: skip
    raise SignatureInvalid("No rsa-v1_5-sha256 signature with a keyid was found.")


def _digest_ok(value: str, body: bytes) -> bool:
    for part in value.split(","):
        name, _, rest = part.strip().partition("=")
        algorithm = DIGESTS.get(name.strip().lower())
        if algorithm is None or not (rest.startswith(":") and rest.endswith(":")):
            continue
        try:
            sent = base64.b64decode(rest[1:-1], validate=True)
        except ValueError:
            return False
        return sent == algorithm(body).digest()
    return False


def verify(
    sig: MessageSignature,
    *,
    method: str,
    url: str,
    authority: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes | None,
    public_pem: str,
    now: datetime | None = None,
) -> None:
    """Raise SignatureInvalid unless `sig` signs this request (its method, target URI and
    body digest at least) with the key in `public_pem`, created within the allowed skew."""
    moment = (now or datetime.now(UTC)).timestamp()
    if sig.created is None or abs(moment - sig.created) > MAX_SKEW.total_seconds():
        raise SignatureInvalid("The signature's created time is missing or too far from now.")
    if sig.expires is not None and sig.expires < moment:
        raise SignatureInvalid("The signature has expired.")
    covered = set(sig.components)
    if "@method" not in covered or not covered & {"@target-uri", "@path", "@request-target"}:
        raise SignatureInvalid("The signature does not cover the method and the target.")
    if body:
        if "content-digest" not in covered:
            raise SignatureInvalid("The signature does not cover the Content-Digest.")
        if not _digest_ok(headers.get("content-digest", ""), body):
            raise SignatureInvalid("The Content-Digest header does not match the body.")
    derived = {
        "@method": method.upper(),
        "@target-uri": url,
        "@authority": authority.lower(),
        "@scheme": url.split(":", 1)[0].lower(),
        "@path": path,
        "@query": "?" + query,
        "@request-target": path + ("?" + query if query else ""),
    }
    lines = []
    for name in sig.components:
        if name in derived:
            value = derived[name]
        elif name in headers:
            value = headers[name].strip()
        else:
            raise SignatureInvalid(f"The signed component {name!r} is not in the request.")
        lines.append(f'"{name}": {value}')
    lines.append(f'"@signature-params": {sig.params_text}')
    try:
        public_key(public_pem).verify(
            sig.signature, "\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature as exc:
        raise SignatureInvalid("The signature does not verify with the signer's key.") from exc
