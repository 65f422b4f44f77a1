"""Fixtures and helpers for the login, IndieAuth and dashboard tests (imported by them).

`owner` makes the node's owner with a password; `signed_in` logs the test client in through
the real form; `client_app` is a real IndieAuth client's web site on 127.0.0.1 (a stub server)
serving its client metadata JSON (`/app.json`) and an h-app page (`/`).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from hub.site.indieauth.model import s256
from hub.site.login.passwords import hash_password
from tests.factories import make_author
from tests.stubs import StubServer, running_server

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Owner:
    author_id: int
    channel_id: int
    name: str
    password: str = PASSWORD
    me: str = "http://hub.test/ada"


_HASHES: dict[str, str] = {}  # argon2 is slow on purpose: hash each test password once


def password_hash(password: str) -> str:
    if password not in _HASHES:
        _HASHES[password] = hash_password(password)
    return _HASHES[password]


async def make_owner(pool, name: str = "Ada", *, password: str | None = PASSWORD) -> Owner:
    author = await make_author(pool, name, email="ada@example.org", channel_slug="ada")
    if password:
        await pool.execute(
            "UPDATE authors SET password_hash = $2 WHERE id = $1",
            author.author_id,
            password_hash(password),
        )
    return Owner(author.author_id, author.channel_id, name)


@pytest.fixture
async def owner(db) -> Owner:
    return await make_owner(db)


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no csrf field in the page"
    return match.group(1)


async def log_in(client: httpx.AsyncClient, owner: Owner, next_path: str = "") -> httpx.Response:
    page = await client.get("/dashboard/login" + (f"?next={next_path}" if next_path else ""))
    assert page.status_code == 200
    return await client.post(
        "/dashboard/login",
        data={"csrf": csrf_of(page.text), "name": owner.name, "password": owner.password,
              "next": next_path or "/dashboard"},
    )  # fmt: skip


@pytest.fixture
async def signed_in(client, owner) -> str:
    """Logs `client` in as the owner; returns the session's CSRF token."""
    response = await log_in(client, owner)
    assert response.status_code == 303, response.text
    page = await client.get("/dashboard")
    assert page.status_code == 200
    return csrf_of(page.text)


# -- a real IndieAuth client web site on 127.0.0.1 ---------------------------------------------


@dataclass
class ClientApp:
    """An IndieAuth client's web site: a stub server (`tests/stubs.py`) and its client ids."""

    server: StubServer

    @property
    def base(self) -> str:
        return self.server.base

    @property
    def json_id(self) -> str:
        return self.base + "/app.json"

    @property
    def html_id(self) -> str:
        return self.base + "/"

    @property
    def redirect_uri(self) -> str:
        return self.base + "/callback"

    @property
    def hits(self) -> list[str]:
        """The paths requested, in order."""
        return self.server.paths()

    def serve(self, path: str, content_type: str, body: str | bytes, **headers: str) -> None:
        self.server.serve(path, body, content_type=content_type, headers=headers)


@pytest.fixture
def client_app() -> Iterator[ClientApp]:
    with running_server() as server:
        yield _client_app(ClientApp(server))


def _client_app(app: ClientApp) -> ClientApp:
    app.serve(
        "/app.json",
        "application/json",
        json.dumps({
            "client_id": app.json_id,
            "client_name": "Test Writer",
            "client_uri": app.base + "/",
            "redirect_uris": [app.redirect_uri, "https://app.example/callback"],
        }),
    )  # fmt: skip
    app.serve(
        "/",
        "text/html; charset=utf-8",
        """<!doctype html><html><head><title>Test Writer</title>
        <link rel="redirect_uri" href="https://app.example/html-callback"></head>
        <body><div class="h-app"><a class="u-url p-name" href="/">Test Writer (h-app)</a>
        </div></body></html>""",
        Link='<https://app.example/header-callback>; rel="redirect_uri"',
    )
    app.serve("/callback", "text/html; charset=utf-8", "<!doctype html><p>Signed in.</p>")
    return app


# -- the authorization request -----------------------------------------------------------------


@dataclass
class Flow:
    client_id: str
    redirect_uri: str
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    state: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    scope: str = "create update media profile"

    def params(self, **overrides: str) -> dict[str, str]:
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "state": self.state,
            "code_challenge": s256(self.verifier),
            "code_challenge_method": "S256",
            "scope": self.scope,
            "me": "http://hub.test/ada",
        }
        params.update(overrides)
        return {k: v for k, v in params.items() if v is not None}


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def approve(
    client: httpx.AsyncClient, flow: Flow, *, scopes: list[str] | None = None,
    lifetime: str = "never", **overrides: str,
) -> httpx.Response:  # fmt: skip
    """GET the consent page as the signed-in owner, then approve it like the form does."""
    params = flow.params(**overrides)
    page = await client.get("/auth", params=params)
    assert page.status_code == 200, page.text
    ticked = scopes if scopes is not None else params.get("scope", "").split()
    form = {**params, "csrf": csrf_of(page.text), "decision": "approve", "lifetime": lifetime}
    return await client.post("/auth", data={**form, "scopes": ticked})


async def code_for(client: httpx.AsyncClient, flow: Flow, **kwargs: Any) -> str:
    response = await approve(client, flow, **kwargs)
    assert response.status_code == 302, response.text
    query = query_of(response.headers["location"])
    assert query["state"] == flow.state
    return query["code"]


async def redeem(client: httpx.AsyncClient, flow: Flow, code: str, **overrides: str):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": flow.client_id,
        "redirect_uri": flow.redirect_uri,
        "code_verifier": flow.verifier,
        **overrides,
    }
    return await client.post("/auth/token", data={k: v for k, v in data.items() if v})
