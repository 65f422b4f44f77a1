"""Each channel's RSA key pair, made on first use and kept in `ap_channel_keys`.

The public half is served in the actor document (`publicKey`); the private half signs the
channel's outgoing requests and is never served or logged. Making a 2048-bit key costs tens
of milliseconds of CPU, so it runs off the event loop; two requests racing to make the same
channel's key both end with the one that was stored first.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from hub.core.offload import off_loop

KEY_BITS = 2048


@dataclass(frozen=True, slots=True)
class KeyPair:
    public_pem: str
    private_pem: str

    def __repr__(self) -> str:  # never print the private half
        return "KeyPair(public_pem=..., private_pem=<hidden>)"


def new_key_pair() -> KeyPair:
    """A fresh RSA key pair as PEM text (PKCS#8 private, SubjectPublicKeyInfo public)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return KeyPair(public_pem, private_pem)


async def channel_key(db: asyncpg.Pool | asyncpg.Connection, channel_id: int) -> KeyPair:
    """The key pair of `channel_id`, made and stored on first use."""
    row = await db.fetchrow(
        "SELECT public_pem, private_pem FROM ap_channel_keys WHERE channel_id = $1", channel_id
    )
    if row is None:
        made = await off_loop(new_key_pair, heavy=True)
        row = await db.fetchrow(
            """
            WITH made AS (
                INSERT INTO ap_channel_keys (channel_id, public_pem, private_pem)
                VALUES ($1, $2, $3)
                ON CONFLICT (channel_id) DO NOTHING
                RETURNING public_pem, private_pem
            )
            SELECT public_pem, private_pem FROM made
            UNION ALL
            SELECT public_pem, private_pem FROM ap_channel_keys WHERE channel_id = $1
            LIMIT 1
            """,
            channel_id, made.public_pem, made.private_pem,
        )  # fmt: skip
        if row is None:  # a racing request stored its pair after this statement's snapshot
            row = await db.fetchrow(
                "SELECT public_pem, private_pem FROM ap_channel_keys WHERE channel_id = $1",
                channel_id,
            )
    return KeyPair(row["public_pem"], row["private_pem"])
