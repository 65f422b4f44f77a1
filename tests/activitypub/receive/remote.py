"""A remote fediverse account for the inbox tests: an RSA key, its actor document served by a
stub server on 127.0.0.1 (`tests/stubs.py`), and requests signed the way Mastodon signs them
(draft-cavage `rsa-sha256` over `(request-target) host date digest content-type`) or the
way Fedify tries first (RFC 9421, `rsa-v1_5-sha256`, `Content-Digest`). Payloads follow
Mastodon's documentation (docs.joinmastodon.org/spec/activitypub)."""

from __future__ import annotations

import base64
import hashlib
import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import orjson
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.images import png_alpha
from tests.stubs import Answer, StubServer

AS = "https://www.w3.org/ns/activitystreams"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
ACTIVITY_JSON = "application/activity+json"
_KEYS: list[rsa.RSAPrivateKey] = []
_counter = itertools.count(1)


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def shared_key(n: int = 0) -> rsa.RSAPrivateKey:
    """Keys made once per run (2048-bit generation is slow)."""
    while len(_KEYS) <= n:
        _KEYS.append(new_key())
    return _KEYS[n]


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@dataclass
class Remote:
    """`alice` on a stub server: actor at /users/alice, key `#main-key`, inbox, avatar."""

    server: StubServer
    name: str = "alice"
    key: rsa.RSAPrivateKey = field(default_factory=shared_key)

    def __post_init__(self) -> None:
        self.serve_actor()

    @property
    def id(self) -> str:
        return self.server.url(f"/users/{self.name}")

    @property
    def key_id(self) -> str:
        return f"{self.id}#main-key"

    @property
    def inbox(self) -> str:
        return self.server.url(f"/users/{self.name}/inbox")

    def actor(self) -> dict[str, Any]:
        return {
            "@context": [AS, "https://w3id.org/security/v1"],
            "id": self.id,
            "type": "Person",
            "preferredUsername": self.name,
            "name": self.name.title() + " Example",
            "url": self.server.url(f"/@{self.name}"),
            "inbox": self.inbox,
            "outbox": self.server.url(f"/users/{self.name}/outbox"),
            "endpoints": {"sharedInbox": self.server.url("/inbox")},
            "icon": {"type": "Image", "mediaType": "image/png",
                     "url": self.server.url(f"/avatars/{self.name}.png")},
            "publicKey": {"id": self.key_id, "owner": self.id,
                          "publicKeyPem": public_pem(self.key)},
        }  # fmt: skip

    def serve_actor(self) -> None:
        self.server.serve(
            f"/users/{self.name}", orjson.dumps(self.actor()), content_type=ACTIVITY_JSON
        )

    def next_id(self, kind: str) -> str:
        return self.server.url(f"/users/{self.name}/{kind}/{next(_counter)}")

    # -- Mastodon-shaped activities ----------------------------------------------------------

    def follow(self, channel_actor: str) -> dict[str, Any]:
        return {"@context": AS, "id": self.server.url(f"/{next(_counter)}"), "type": "Follow",
                "actor": self.id, "object": channel_actor}  # fmt: skip

    def like(self, entry_url: str) -> dict[str, Any]:
        return {"@context": AS, "id": f"{self.id}#likes/{next(_counter)}", "type": "Like",
                "actor": self.id, "object": entry_url}  # fmt: skip

    def announce(self, entry_url: str) -> dict[str, Any]:
        status = self.next_id("statuses")
        return {"@context": AS, "id": f"{status}/activity", "type": "Announce",
                "actor": self.id, "published": "2025-01-02T10:00:00Z", "to": [PUBLIC],
                "cc": [self.server.url(f"/users/{self.name}/followers")],
                "object": entry_url}  # fmt: skip

    def reply(self, entry_url: str, mentioned: str, *, text: str = "Lovely post") -> dict:
        status = self.next_id("statuses")
        note = {
            "id": status, "type": "Note", "summary": None, "inReplyTo": entry_url,
            "published": "2025-01-02T10:00:00Z", "url": self.server.url(f"/@{self.name}/1"),
            "attributedTo": self.id, "to": [PUBLIC], "cc": [mentioned],
            "sensitive": False,
            "content": (
                f'<p><span class="h-card"><a href="{mentioned}" class="u-url mention">@'
                f"<span>vic</span></a></span> {text} "
                f'<a href="{self.server.url("/tags/indieweb")}" class="mention hashtag" '
                'rel="tag">#<span>indieweb</span></a><script>alert(1)</script></p>'
            ),
            "contentMap": {"en": f"<p>{text}</p>"},
            "attachment": [],
            "tag": [
                {"type": "Mention", "href": mentioned, "name": "@vic@hub.test"},
                {"type": "Hashtag", "href": self.server.url("/tags/indieweb"),
                 "name": "#indieweb"},
            ],
        }  # fmt: skip
        return {"@context": AS, "id": f"{status}/activity", "type": "Create", "actor": self.id,
                "published": note["published"], "to": note["to"], "cc": note["cc"],
                "object": note}  # fmt: skip

    def undo(self, activity: dict[str, Any]) -> dict[str, Any]:
        inner = {k: v for k, v in activity.items() if k != "@context"}
        return {"@context": AS, "id": f"{activity['id']}/undo", "type": "Undo",
                "actor": self.id, "object": inner}  # fmt: skip

    def delete(self, object_id: str) -> dict[str, Any]:
        return {"@context": AS, "id": f"{self.id}#deletes/{next(_counter)}", "type": "Delete",
                "actor": self.id,
                "to": [PUBLIC], "object": {"id": object_id, "type": "Tombstone"}}  # fmt: skip

    def delete_self(self) -> dict[str, Any]:
        return {"@context": AS, "id": f"{self.id}#delete", "type": "Delete", "actor": self.id,
                "to": [PUBLIC], "object": self.id}  # fmt: skip

    # -- signing ---------------------------------------------------------------------------

    def signed(
        self, url: str, activity: Any, *, key: rsa.RSAPrivateKey | None = None,
        key_id: str | None = None, body: bytes | None = None, date: datetime | None = None,
    ) -> tuple[bytes, dict[str, str]]:  # fmt: skip
        """(body, headers) of a POST of `activity` to `url`, signed as Mastodon signs."""
        body = orjson.dumps(activity) if body is None else body
        host = url.split("/")[2]
        path = "/" + url.split("/", 3)[3]
        headers = {
            "Host": host,
            "Date": format_datetime(date or datetime.now(UTC), usegmt=True),
            "Digest": "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode(),
            "Content-Type": ACTIVITY_JSON,
        }
        lines = [f"(request-target): post {path}"] + [
            f"{name.lower()}: {value}" for name, value in headers.items()
        ]
        signature = (key or self.key).sign(
            "\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        headers["Signature"] = (
            f'keyId="{key_id or self.key_id}",algorithm="rsa-sha256",'
            'headers="(request-target) host date digest content-type",'
            f'signature="{base64.b64encode(signature).decode()}"'
        )
        return body, headers

    def signed_rfc9421(self, url: str, activity: Any) -> tuple[bytes, dict[str, str]]:
        """(body, headers) signed with RFC 9421 as Fedify signs: method, target URI,
        authority, host, date and Content-Digest."""
        body = orjson.dumps(activity)
        host = url.split("/")[2]
        headers = {
            "Host": host,
            "Date": format_datetime(datetime.now(UTC), usegmt=True),
            "Content-Type": ACTIVITY_JSON,
            "Content-Digest": "sha-256=:"
            + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":",
        }  # fmt: skip
        components = ("@method", "@target-uri", "@authority", "host", "date", "content-digest")
        params = (
            "(" + " ".join(f'"{c}"' for c in components) + ")"
            + f';alg="rsa-v1_5-sha256";keyid="{self.key_id}";created={int(time.time())}'
        )  # fmt: skip
        values = {"@method": "POST", "@target-uri": url, "@authority": host, "host": host,
                  "date": headers["Date"], "content-digest": headers["Content-Digest"]}  # fmt: skip
        base = "\n".join(f'"{c}": {values[c]}' for c in components)
        base += f'\n"@signature-params": {params}'
        signature = self.key.sign(base.encode(), padding.PKCS1v15(), hashes.SHA256())
        headers["Signature-Input"] = f"sig1={params}"
        headers["Signature"] = f"sig1=:{base64.b64encode(signature).decode()}:"
        return body, headers


def avatar() -> Answer:
    return Answer(png_alpha(32, 32), content_type="image/png")
