"""`clean_expired_auth` (hub/site/jobs.py): expired sessions, refresh tokens and codes that
guard nothing go; a code that still guards a live token stays, so presenting it again still
revokes that token. Expiry is moved into the past with SQL (the job reads only the clock)."""

from __future__ import annotations

from hub.core import auth
from hub.site.jobs import clean_expired_auth
from hub.worker import functions
from tests.site.auth_fixtures import (  # noqa: F401 - fixtures
    Flow,
    client_app,
    code_for,
    owner,
    redeem,
    signed_in,
)


async def _expire_codes(db) -> None:
    await db.execute("UPDATE indieauth_codes SET expires_at = now() - interval '2 days'")


async def test_clean_expired_auth(client, signed_in, client_app, db, resources):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    await code_for(client, flow)  # never redeemed
    kept_code = await code_for(client, flow)  # redeemed for a token that never expires
    live = (await redeem(client, flow, kept_code)).json()["access_token"]
    ended = (await redeem(client, flow, await code_for(client, flow, lifetime="30d"))).json()
    assert (await client.post("/auth/revoke", data={"token": ended["refresh_token"]})).is_success
    await _expire_codes(db)
    await db.execute(
        "UPDATE indieauth_refresh_tokens SET expires_at = now() - interval '2 days'")  # fmt: skip
    await db.execute("INSERT INTO dashboard_sessions (session_hash, author_id, csrf_token,"
                     " expires_at) SELECT sha256('old'::bytea), id, repeat('c', 32),"
                     " now() - interval '1 minute' FROM authors")  # fmt: skip
    assert await db.fetchval("SELECT count(*) FROM indieauth_codes") == 3

    counts = await clean_expired_auth({"resources": resources})
    assert counts == {"sessions": 1, "refresh_tokens": 1, "codes": 2}
    assert await db.fetchval("SELECT count(*) FROM indieauth_codes") == 1
    assert await db.fetchval("SELECT count(*) FROM dashboard_sessions") == 1  # the live one
    assert (await client.get("/dashboard")).status_code == 200  # still signed in

    # the code that guards a live token still recognises a replay and revokes that token
    again = await redeem(client, flow, kept_code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    r = await client.post("/micropub", data={"h": "entry", "content": "x"},
                          headers={"Authorization": f"Bearer {live}"})  # fmt: skip
    assert r.status_code == 401
    assert await clean_expired_auth({"resources": resources}) == {
        "sessions": 0, "refresh_tokens": 0, "codes": 1}  # fmt: skip


def test_the_worker_runs_it():
    assert "clean_expired_auth" in {f.name for f in functions()}


async def test_live_tokens_survive(client, signed_in, client_app, db, resources):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    token = (await redeem(client, flow, await code_for(client, flow, lifetime="30d"))).json()
    await _expire_codes(db)
    assert (await clean_expired_auth({"resources": resources}))["codes"] == 0
    refreshed = await client.post("/auth/token", data={
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"],
        "client_id": flow.client_id})  # fmt: skip
    assert refreshed.status_code == 200, refreshed.text
    principal = await auth.resolve_principal(
        db, auth.PresentedToken(refreshed.json()["access_token"], auth.VIA_BEARER))  # fmt: skip
    assert principal.kind == "indieauth"
