"""HTTP signatures (draft-cavage, rsa-sha256, Digest): what hub signs verifies, and every way
a request can be tampered with or replayed late is refused."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from hub.core.federation import keys, signatures
from hub.core.federation.signatures import SignatureInvalid
from tests.factories import make_author

PAIR = keys.new_key_pair()
OTHER = keys.new_key_pair()
URL = "https://blog.example:8443/activitypub/inbox?x=1"
BODY = b'{"type": "Follow"}'


def received(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def check(headers: dict[str, str], *, body: bytes | None = BODY, pem: str = PAIR.public_pem,
          target: str = "/activitypub/inbox?x=1", now: datetime | None = None) -> None:  # fmt: skip
    parsed = signatures.parse(headers["Signature"])
    signatures.verify(parsed, method="POST", target=target, headers=received(headers),
                      body=body, public_pem=pem, now=now)  # fmt: skip


def signed(**kwargs) -> dict[str, str]:
    return signatures.sign("POST", URL, BODY, key_id="https://blog.example/a#main-key",
                           private_pem=PAIR.private_pem, **kwargs)  # fmt: skip


def test_a_signed_request_verifies_and_names_its_key():
    headers = signed()
    assert headers["Host"] == "blog.example:8443"
    assert headers["Digest"].startswith("SHA-256=")
    check(headers)
    assert signatures.parse(headers["Signature"]).key_id == "https://blog.example/a#main-key"


@pytest.mark.parametrize(
    "tamper, reason",
    [
        (lambda h: {**h, "Date": "Mon, 01 Jan 2024 00:00:00 GMT"}, "Date"),
        (lambda h: {**h, "Host": "evil.example"}, "verify"),
        (lambda h: {**h, "Digest": signatures.digest(b"other")}, "Digest"),
        (lambda h: {**h, "Signature": h["Signature"].replace('headers="', 'headers="x-a ')}, "x-a"),
        (lambda h: {**h, "Signature": 'keyId="k",signature="!!"'}, "malformed"),
        (
            lambda h: {**h, "Signature": 'keyId="k",algorithm="hmac-sha256",signature="AA=="'},
            "not supported",
        ),
    ],
)
def test_tampered_requests_are_refused(tamper, reason):
    with pytest.raises(SignatureInvalid, match=reason):
        check(tamper(signed()))


def test_another_key_another_body_or_path_do_not_verify():
    headers = signed()
    with pytest.raises(SignatureInvalid, match="verify"):
        check(headers, pem=OTHER.public_pem)
    with pytest.raises(SignatureInvalid, match="Digest"):
        check(headers, body=b'{"type": "Like"}')
    with pytest.raises(SignatureInvalid, match="verify"):
        check(headers, target="/activitypub/other/inbox?x=1")


def test_a_stale_or_future_date_is_refused_within_the_skew_accepted():
    assert signatures.MAX_SKEW <= timedelta(hours=12)
    now = datetime.now(UTC)
    check(signed(now=now - signatures.MAX_SKEW + timedelta(minutes=1)))
    with pytest.raises(SignatureInvalid, match="too far"):
        check(signed(now=now - signatures.MAX_SKEW - timedelta(minutes=1)))
    with pytest.raises(SignatureInvalid, match="too far"):
        check(signed(now=now + signatures.MAX_SKEW + timedelta(minutes=1)))


def test_a_body_whose_digest_is_not_signed_is_refused():
    headers = signatures.sign("POST", URL, None, key_id="k", private_pem=PAIR.private_pem)
    headers["Digest"] = signatures.digest(BODY)
    with pytest.raises(SignatureInvalid, match="Digest"):
        check(headers)


async def test_a_channel_key_is_made_once_and_kept(db):
    author = await make_author(db, "Kay")
    channel_id = await db.fetchval("SELECT id FROM channels WHERE author_id = $1", author.author_id)
    first, second = await asyncio.gather(
        keys.channel_key(db, channel_id), keys.channel_key(db, channel_id)
    )
    assert first == second == await keys.channel_key(db, channel_id)
    assert first.public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert "private" not in repr(first).lower().replace("private_pem=<hidden>", "")
    headers = signatures.sign("POST", URL, BODY, key_id="k", private_pem=first.private_pem)
    check(headers, pem=first.public_pem)
