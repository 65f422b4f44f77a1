import pytest

from hub.core import auth
from hub.core.authors import create_author
from hub.core.errors import Conflict, Forbidden, Invalid, Unauthenticated


@pytest.fixture
async def author(db):
    async with db.acquire() as conn:
        return await create_author(conn, "Ada")


async def _create(db, author, **kw):
    async with db.acquire() as conn:
        return await auth.create_credential(conn, author_id=author.id, **kw)


async def test_created_token_resolves_to_its_author_and_scopes(db, author):
    cred, secret = await _create(db, author, scopes="create,update media")
    assert secret.startswith("hub_") and len(secret) > 40
    principal = await auth.resolve_principal(db, auth.PresentedToken(secret, "bearer"))
    assert principal.author_id == author.id
    assert principal.scopes == {"create", "update", "media"}
    assert principal.credential_id == cred.id


async def test_secret_is_stored_only_as_its_hash(db, author):
    _, secret = await _create(db, author)
    dump = await db.fetchval("SELECT string_agg(c::text, ' ') FROM credentials c")
    assert secret not in dump
    assert secret[4:] not in dump
    stored = await db.fetchval("SELECT token_hash FROM credentials")
    assert stored == auth.hash_secret(secret)


async def test_revoked_token_no_longer_resolves(db, author):
    cred, secret = await _create(db, author)
    async with db.acquire() as conn:
        await auth.revoke_credential(conn, cred.id)
    with pytest.raises(Unauthenticated):
        await auth.resolve_principal(db, auth.PresentedToken(secret, "bearer"))


async def test_unknown_and_missing_tokens_are_unauthenticated(db, author):
    with pytest.raises(Unauthenticated) as unknown:
        await auth.resolve_principal(db, auth.PresentedToken("hub_nope", "bearer"))
    assert unknown.value.code == "invalid_token"
    with pytest.raises(Unauthenticated) as missing:
        await auth.resolve_principal(db, None)
    assert missing.value.code == "missing_token"


async def test_expired_token_does_not_resolve(db, author):
    from datetime import UTC, datetime, timedelta

    _, secret = await _create(db, author, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    with pytest.raises(Unauthenticated):
        await auth.resolve_principal(db, auth.PresentedToken(secret, "bearer"))


async def test_scopes_are_enforced(db, author):
    _, secret = await _create(db, author, scopes=["create"])
    principal = await auth.resolve_principal(db, auth.PresentedToken(secret, "bearer"))
    principal.require_scope("create")
    principal.require_scope("media", "create")
    with pytest.raises(Forbidden) as denied:
        principal.require_scope("delete")
    assert denied.value.code == "insufficient_scope" and denied.value.scope == "delete"


async def test_unknown_scope_is_refused_at_creation(db, author):
    with pytest.raises(Invalid):
        await _create(db, author, scopes="create,sudo")


async def test_last_used_is_recorded(db, author):
    cred, secret = await _create(db, author)
    assert cred.last_used_at is None
    await auth.resolve_principal(db, auth.PresentedToken(secret, "bearer"), client_ip="203.0.113.9")
    row = await db.fetchrow("SELECT last_used_at, host(last_used_ip) AS ip FROM credentials")
    assert row["last_used_at"] is not None and row["ip"] == "203.0.113.9"


async def test_first_author_is_owner_and_gets_a_default_channel(db):
    async with db.acquire() as conn:
        first = await create_author(conn, "Winter Car Care")
        second = await create_author(conn, "Bob")
        with pytest.raises(Conflict):
            await create_author(conn, "bob")
    assert first.is_owner and not second.is_owner
    rows = await db.fetch("SELECT slug, is_default FROM channels ORDER BY id")
    assert [(r["slug"], r["is_default"]) for r in rows] == [
        ("winter_car_care", True),
        ("bob", True),
    ]
