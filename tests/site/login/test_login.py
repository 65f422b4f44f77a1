"""Owner login and logout: argon2 password, rate limit per IP, CSRF, server-side sessions."""

from __future__ import annotations

import hashlib

from hub.site.login.passwords import hash_password, needs_rehash, verify_password
from tests.site.auth_fixtures import csrf_of, log_in, make_owner, owner, signed_in  # noqa: F401


def test_password_hash_round_trip():
    stored = hash_password("a long enough secret")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "a long enough secret")
    assert not verify_password(stored, "a long enough secreT")
    assert not verify_password(None, "anything at all")
    assert not needs_rehash(stored)


async def test_303_login_sets_a_server_side_session(client, owner, db):
    response = await log_in(client, owner, "/dashboard/entries")
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/entries"
    cookie = response.headers["set-cookie"]
    assert "hub_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # the test node is http://hub.test
    session_id = client.cookies["hub_session"]
    stored = await db.fetchval(
        "SELECT count(*) FROM dashboard_sessions WHERE session_hash = $1",
        hashlib.sha256(session_id.encode()).digest(),
    )
    assert stored == 1
    assert (await client.get("/dashboard")).status_code == 200


async def test_401_wrong_password(client, owner):
    owner.password = "not the password"
    response = await log_in(client, owner)
    assert response.status_code == 401
    assert "do not match" in response.text
    assert "hub_session" not in client.cookies
    assert (await client.get("/dashboard")).status_code == 303


async def test_401_unknown_name(client, owner):
    owner.name = "Mallory"
    assert (await log_in(client, owner)).status_code == 401


async def test_401_owner_without_password(client, db):
    nobody = await make_owner(db, "Bea", password=None)
    page = await client.get("/dashboard/login")
    assert "hub owner password" in page.text
    assert (await log_in(client, nobody)).status_code == 401


async def test_429_after_too_many_failures_from_one_ip(client, owner, settings):
    owner.password = "wrong password"
    for _ in range(settings.rate_failed_auth_per_ip):
        assert (await log_in(client, owner)).status_code == 401
    response = await log_in(client, owner)
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    owner.password = "correct horse battery staple"
    assert (await log_in(client, owner)).status_code == 429  # not even checked


async def test_403_login_form_without_its_csrf_cookie(client, owner):
    page = await client.get("/dashboard/login")
    client.cookies.clear()
    response = await client.post(
        "/dashboard/login",
        data={"csrf": csrf_of(page.text), "name": owner.name, "password": owner.password},
    )
    assert response.status_code == 403


async def test_303_login_never_redirects_off_site(client, owner):
    response = await log_in(client, owner, "//evil.example/x")
    assert response.headers["location"] == "/dashboard"


async def test_403_logout_without_csrf(client, signed_in):
    assert (await client.post("/dashboard/logout", data={"csrf": "nope"})).status_code == 403
    assert (await client.get("/dashboard")).status_code == 200


async def test_303_logout_ends_the_session(client, signed_in, db):
    response = await client.post("/dashboard/logout", data={"csrf": signed_in})
    assert response.status_code == 303
    assert await db.fetchval("SELECT count(*) FROM dashboard_sessions") == 0
    assert (await client.get("/dashboard")).status_code == 303


async def test_200_login_page_is_not_cacheable_nor_frameable(client):
    page = await client.get("/dashboard/login")
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


async def test_secure_host_cookie_over_https(settings, resources, db):
    import dataclasses

    import httpx

    from hub.app import create_app

    https = dataclasses.replace(settings, base_url="https://blog.example")
    app = create_app(https, dataclasses.replace(resources, settings=https))
    owner_ = await make_owner(db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://blog.example") as http:
        response = await log_in(http, owner_)
    cookie = response.headers["set-cookie"]
    assert response.status_code == 303
    assert cookie.startswith("__Host-hub_session=") and "Secure" in cookie


def test_cli_owner_password_from_stdin(db, settings, tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "DATABASE_", "REDIS_"))}
    env.update(DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url,
               HUB_DATA_DIR=str(tmp_path), HUB_BASE_URL="https://blog.example")  # fmt: skip

    def hub(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "hub.cli", *args], env=env, input=stdin,
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    missing = hub("owner", "password", stdin="long enough password\n")
    assert missing.returncode == 1 and "no owner yet" in missing.stderr
    assert hub("author", "add", "Ada").returncode == 0
    short = hub("owner", "password", stdin="short\n")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    done = hub("owner", "password", stdin="long enough password\n")
    assert done.returncode == 0, done.stderr
    assert "https://blog.example/dashboard/login" in done.stdout
    import asyncio

    stored = asyncio.run(_stored_hash(settings.database_url))
    assert verify_password(stored, "long enough password")


async def _stored_hash(url: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval("SELECT password_hash FROM authors WHERE is_owner")
    finally:
        await conn.close()
