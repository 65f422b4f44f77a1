"""The IndieAuth server end to end: a real client site on 127.0.0.1 (metadata JSON and h-app),
the owner's consent, PKCE, code redemption, refresh rotation, introspection and revocation."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from hub.core import auth
from hub.site.indieauth.client import fetch_client
from tests.site.auth_fixtures import (  # noqa: F401 - fixtures
    Flow,
    approve,
    client_app,
    code_for,
    csrf_of,
    log_in,
    owner,
    query_of,
    redeem,
    signed_in,
)


async def _principal(db, token: str) -> auth.Principal:
    return await auth.resolve_principal(db, auth.PresentedToken(token, auth.VIA_BEARER))


async def test_200_metadata(client):
    r = await client.get("/.well-known/oauth-authorization-server")
    body = r.json()
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    assert body["issuer"] == "http://hub.test/"
    assert body["authorization_endpoint"] == "http://hub.test/auth"
    assert body["token_endpoint"] == "http://hub.test/auth/token"
    assert body["introspection_endpoint"] == "http://hub.test/auth/introspect"
    assert body["revocation_endpoint"] == "http://hub.test/auth/revoke"
    assert body["userinfo_endpoint"] == "http://hub.test/auth/userinfo"
    assert body["introspection_endpoint_auth_methods_supported"] == ["bearer"]
    assert body["revocation_endpoint_auth_methods_supported"] == ["none"]
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert body["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert body["response_types_supported"] == ["code"]
    assert body["authorization_response_iss_parameter_supported"] is True
    assert set(body["scopes_supported"]) == {
        "create", "draft", "update", "delete", "undelete", "media", "profile", "email"
    }  # fmt: skip
    assert body["service_documentation"]


async def test_200_full_flow_with_client_metadata_json(client, signed_in, client_app, owner, db):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    page = await client.get("/auth", params=flow.params())
    assert page.status_code == 200
    assert "Test Writer" in page.text and client_app.json_id in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "/app.json" in client_app.hits
    response = await approve(client, flow)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(client_app.redirect_uri + "?")
    query = query_of(location)
    assert query["state"] == flow.state and query["iss"] == "http://hub.test/"
    r = await redeem(client, flow, query["code"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert r.headers["cache-control"] == "no-store"
    assert body["token_type"] == "Bearer" and body["me"] == "http://hub.test/ada"
    assert body["scope"] == "create update media profile"
    assert body["profile"] == {"name": "Ada", "url": "http://hub.test/ada"}
    assert "refresh_token" not in body and "expires_in" not in body  # lifetime: never
    principal = await _principal(db, body["access_token"])
    assert principal.kind == "indieauth" and principal.author_id == owner.author_id
    assert principal.scopes == {"create", "update", "media", "profile"}
    assert principal.channel_id == owner.channel_id
    row = await db.fetchrow("SELECT client_id, expires_at FROM credentials WHERE id = $1",
                            principal.credential_id)  # fmt: skip
    assert row["client_id"] == client_app.json_id and row["expires_at"] is None


async def test_200_full_flow_with_h_app_page(client, signed_in, client_app, db):
    flow = Flow(client_app.html_id, client_app.redirect_uri, scope="create")
    page = await client.get("/auth", params=flow.params())
    assert "Test Writer (h-app)" in page.text
    code = await code_for(client, flow)
    body = (await redeem(client, flow, code)).json()
    assert body["scope"] == "create" and "profile" not in body
    assert (await _principal(db, body["access_token"])).scopes == {"create"}


async def test_200_redirect_on_another_host_listed_by_the_client(client, signed_in, client_app):
    for client_id, redirect in (
        (client_app.json_id, "https://app.example/callback"),  # metadata redirect_uris
        (client_app.html_id, "https://app.example/html-callback"),  # <link rel=redirect_uri>
        (client_app.html_id, "https://app.example/header-callback"),  # Link: rel=redirect_uri
    ):
        page = await client.get("/auth", params=Flow(client_id, redirect).params())
        assert page.status_code == 200, (redirect, page.text)
        assert "another host than the application" in page.text
        assert "https://app.example" in page.headers["content-security-policy"]


async def test_400_redirect_on_another_host_not_listed_is_an_error_page(
    client, signed_in, client_app
):
    for client_id in (client_app.json_id, client_app.html_id):
        flow = Flow(client_id, "https://evil.example/steal")
        response = await client.get("/auth", params=flow.params())
        assert response.status_code == 400
        assert "location" not in response.headers
        assert "does not list it" in response.text
        consent = await client.post(
            "/auth", data={**flow.params(), "csrf": signed_in, "decision": "approve"}
        )
        assert consent.status_code == 400 and "location" not in consent.headers


async def test_400_client_document_naming_another_client(client, signed_in, client_app):
    client_app.serve("/other.json", "application/json", '{"client_id": "https://evil.example/"}')
    flow = Flow(client_app.base + "/other.json", client_app.redirect_uri)
    response = await client.get("/auth", params=flow.params())
    assert response.status_code == 400 and "location" not in response.headers


async def test_400_invalid_client_id_is_an_error_page(client, signed_in):
    flow = Flow("https://10.0.0.1/", "https://10.0.0.1/cb")
    response = await client.get("/auth", params=flow.params())
    assert response.status_code == 400 and "location" not in response.headers


async def test_302_errors_after_the_redirect_is_trusted_go_to_the_client(client, client_app):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    r = await client.get("/auth", params=flow.params(response_type="token"))
    assert r.status_code == 302
    query = query_of(r.headers["location"])
    assert query["error"] == "unsupported_response_type" and query["state"] == flow.state
    r = await client.get("/auth", params=flow.params(code_challenge_method="plain"))
    assert query_of(r.headers["location"])["error"] == "invalid_request"


async def test_303_consent_needs_the_owner_signed_in(client, owner, client_app):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    r = await client.get("/auth", params=flow.params())
    assert r.status_code == 303
    target = unquote(r.headers["location"].split("next=", 1)[1])
    assert target.startswith("/auth?")
    logged = await log_in(client, owner, target)
    assert logged.headers["location"] == target
    assert (await client.get(target)).status_code == 200


async def test_302_deny(client, signed_in, client_app):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    r = await client.post("/auth", data={**flow.params(), "csrf": signed_in, "decision": "deny"})
    assert r.status_code == 302
    query = query_of(r.headers["location"])
    assert query["error"] == "access_denied" and query["state"] == flow.state
    assert query["iss"] == "http://hub.test/" and "code" not in query


async def test_403_consent_without_csrf(client, signed_in, client_app):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    r = await client.post("/auth", data={**flow.params(), "csrf": "forged", "decision": "approve"})
    assert r.status_code == 403 and "location" not in r.headers


async def test_200_unticked_and_unknown_scopes_are_not_granted(client, signed_in, client_app):
    flow = Flow(client_app.json_id, client_app.redirect_uri, scope="create update follow")
    page = await client.get("/auth", params=flow.params())
    assert "follow" in page.text and "not supported here" in page.text
    code = await code_for(client, flow, scopes=["create", "follow"])
    body = (await redeem(client, flow, code)).json()
    assert body["scope"] == "create"


async def test_400_wrong_code_verifier(client, signed_in, client_app):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    code = await code_for(client, flow)
    r = await redeem(client, flow, code, code_verifier="x" * 43)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    r = await redeem(client, flow, code, code_verifier="")  # PKCE started: verifier needed
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


async def test_400_code_bound_to_client_and_redirect(client, signed_in, client_app):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    code = await code_for(client, flow)
    r = await redeem(client, flow, code, client_id=client_app.html_id)
    assert r.json()["error"] == "invalid_grant"
    r = await redeem(client, flow, code, redirect_uri=client_app.base + "/other")
    assert r.json()["error"] == "invalid_grant"
    assert (await redeem(client, flow, code)).status_code == 200


async def test_400_reused_code_revokes_the_tokens_it_gave(client, signed_in, client_app, db):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    code = await code_for(client, flow, lifetime="30d")
    first = (await redeem(client, flow, code)).json()
    assert (await _principal(db, first["access_token"])).kind == "indieauth"
    again = await redeem(client, flow, code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    with pytest.raises(auth.Unauthenticated):
        await _principal(db, first["access_token"])
    refreshed = await client.post("/auth/token", data={
        "grant_type": "refresh_token", "refresh_token": first["refresh_token"],
        "client_id": flow.client_id})  # fmt: skip
    assert refreshed.json()["error"] == "invalid_grant"


async def test_400_code_without_scope_gives_no_token(client, signed_in, client_app):
    flow = Flow(client_app.json_id, client_app.redirect_uri, scope="create")
    code = await code_for(client, flow, scopes=[])
    r = await redeem(client, flow, code)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


async def test_200_profile_redemption_at_the_authorization_endpoint(client, signed_in, client_app):
    flow = Flow(client_app.json_id, client_app.redirect_uri, scope="profile email")
    code = await code_for(client, flow)
    r = await client.post("/auth", data={
        "grant_type": "authorization_code", "code": code, "client_id": flow.client_id,
        "redirect_uri": flow.redirect_uri, "code_verifier": flow.verifier})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json() == {
        "me": "http://hub.test/ada",
        "profile": {"name": "Ada", "url": "http://hub.test/ada", "email": "ada@example.org"},
    }
    assert "access_token" not in r.json()


async def test_200_legacy_response_type_id(client, signed_in, client_app):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    code = await code_for(client, flow, response_type="id", code_challenge=None,
                          code_challenge_method=None)  # fmt: skip
    r = await client.post("/auth", data={
        "grant_type": "authorization_code", "code": code, "client_id": flow.client_id,
        "redirect_uri": flow.redirect_uri})  # fmt: skip
    assert r.json() == {"me": "http://hub.test/ada"}


async def test_200_refresh_rotates(client, signed_in, client_app, db):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    code = await code_for(client, flow, lifetime="1y")
    first = (await redeem(client, flow, code)).json()
    assert first["expires_in"] == 365 * 24 * 3600 and first["refresh_token"]
    refresh = {"grant_type": "refresh_token", "client_id": flow.client_id}
    r = await client.post("/auth/token", data={**refresh, "refresh_token": first["refresh_token"],
                                              "scope": "create"})  # fmt: skip
    second = r.json()
    assert r.status_code == 200, r.text
    assert second["scope"] == "create" and second["refresh_token"] != first["refresh_token"]
    assert (await _principal(db, second["access_token"])).scopes == {"create"}
    # the new refresh token keeps the original scopes
    r = await client.post("/auth/token", data={**refresh, "refresh_token": second["refresh_token"]})
    third = r.json()
    assert third["scope"] == "create update media profile"
    # replaying a spent refresh token revokes the whole grant
    r = await client.post("/auth/token", data={**refresh, "refresh_token": first["refresh_token"]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    for token in (first, second, third):
        with pytest.raises(auth.Unauthenticated):
            await _principal(db, token["access_token"])


async def test_400_refresh_cannot_widen_scope_or_change_client(client, signed_in, client_app):
    flow = Flow(client_app.json_id, client_app.redirect_uri, scope="create")
    code = await code_for(client, flow, lifetime="30d")
    first = (await redeem(client, flow, code)).json()
    data = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    r = await client.post("/auth/token", data={**data, "client_id": flow.client_id,
                                              "scope": "create delete"})  # fmt: skip
    assert r.json()["error"] == "invalid_scope"
    r = await client.post("/auth/token", data={**data, "client_id": "https://other.example/"})
    assert r.json()["error"] == "invalid_grant"


async def test_400_unsupported_grant_and_non_form_bodies(client):
    r = await client.post("/auth/token", data={"grant_type": "password"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = await client.post("/auth/token", json={"grant_type": "authorization_code"})
    assert r.json()["error"] == "invalid_request"


async def test_200_introspection(client, signed_in, client_app, db):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    token = (await redeem(client, flow, await code_for(client, flow, lifetime="30d"))).json()
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    r = await client.post("/auth/introspect", data={"token": token["access_token"]},
                          headers=bearer)  # fmt: skip
    body = r.json()
    assert body["active"] is True and body["me"] == "http://hub.test/ada"
    assert body["client_id"] == client_app.json_id
    assert body["scope"] == "create update media profile"
    assert body["exp"] - body["iat"] == pytest.approx(30 * 24 * 3600, abs=5)
    r = await client.post("/auth/introspect", data={"token": "hub_unknown"}, headers=bearer)
    assert r.json() == {"active": False}
    r = await client.post("/auth/introspect", data={"token": token["access_token"]})
    assert r.status_code == 401 and "www-authenticate" in r.headers


async def test_200_revocation(client, signed_in, client_app, db):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    token = (await redeem(client, flow, await code_for(client, flow))).json()["access_token"]
    r = await client.post("/auth/revoke", data={"token": token})
    assert r.status_code == 200
    with pytest.raises(auth.Unauthenticated):
        await _principal(db, token)
    assert (await client.post("/auth/revoke", data={"token": "nope"})).status_code == 200
    # the legacy way: action=revoke at the token endpoint
    token = (await redeem(client, flow, await code_for(client, flow))).json()["access_token"]
    r = await client.post("/auth/token", data={"action": "revoke", "token": token})
    assert r.status_code == 200
    with pytest.raises(auth.Unauthenticated):
        await _principal(db, token)


async def test_200_revoking_a_refresh_token_ends_its_grant(client, signed_in, client_app, db):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    token = (await redeem(client, flow, await code_for(client, flow, lifetime="30d"))).json()
    assert (await client.post("/auth/revoke", data={"token": token["refresh_token"]})).is_success
    with pytest.raises(auth.Unauthenticated):
        await _principal(db, token["access_token"])


async def test_200_legacy_token_verification(client, signed_in, client_app):
    flow = Flow(client_app.json_id, client_app.redirect_uri, scope="create media")
    token = (await redeem(client, flow, await code_for(client, flow))).json()["access_token"]
    r = await client.get("/auth/token", headers={"Authorization": f"Bearer {token}"})
    body = r.json()
    assert body["me"] == "http://hub.test/ada" and body["scope"] == "create media"
    assert body["client_id"] == client_app.json_id
    r = await client.get("/auth/token", headers={"Authorization": "Bearer hub_nope"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"


async def test_200_userinfo(client, signed_in, client_app):
    flow = Flow(client_app.json_id, client_app.redirect_uri, scope="profile create")
    token = (await redeem(client, flow, await code_for(client, flow))).json()["access_token"]
    r = await client.get("/auth/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert r.json() == {"name": "Ada", "url": "http://hub.test/ada"}


async def test_403_userinfo_without_profile_scope(client, signed_in, client_app):
    flow = Flow(client_app.json_id, client_app.redirect_uri, scope="create")
    token = (await redeem(client, flow, await code_for(client, flow))).json()["access_token"]
    r = await client.get("/auth/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403 and r.json()["error"] == "insufficient_scope"
    r = await client.get("/auth/userinfo")
    assert r.status_code == 401 and r.headers["www-authenticate"] == 'Bearer realm="hub"'


async def test_204_cors_preflight(client):
    r = await client.options("/auth/token")
    assert r.status_code == 204 and r.headers["access-control-allow-origin"] == "*"


async def test_loopback_client_ids_are_not_fetched_in_production(resources, client_app):
    info = await fetch_client(resources.fetcher, client_app.json_id, allow_loopback=False)
    assert not info.fetched and client_app.hits == []


async def test_200_no_pkce_is_allowed_with_a_warning(client, signed_in, client_app):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    params = flow.params(code_challenge=None, code_challenge_method=None)
    page = await client.get("/auth", params=params)
    assert "does not use PKCE" in page.text
    code = await code_for(client, flow, code_challenge=None, code_challenge_method=None)
    r = await redeem(client, flow, code, code_verifier="")
    assert r.status_code == 200, r.text
    code = await code_for(client, flow, code_challenge=None, code_challenge_method=None)
    r = await redeem(client, flow, code)  # a verifier where no challenge was sent
    assert r.json()["error"] == "invalid_request"


async def test_consent_page_offers_each_channel_of_the_owner(client, signed_in, client_app, db,
                                                             owner):  # fmt: skip
    from hub.core.channels import create_channel
    from hub.core.db import transaction

    async with transaction(db) as conn:
        second = await create_channel(conn, author_id=owner.author_id, title="Notes",
                                      slug="notes")  # fmt: skip
    flow = Flow(client_app.json_id, client_app.redirect_uri, scope="create")
    page = await client.get("/auth", params=flow.params(me="http://hub.test/notes/"))
    assert f'<option value="{second.id}" selected>' in page.text
    code = await code_for(client, flow, me="http://hub.test/notes/")
    body = (await redeem(client, flow, code)).json()
    assert body["me"] == "http://hub.test/notes"
    csrf_of(page.text)


async def test_201_the_issued_token_posts_through_micropub(client, signed_in, client_app):
    flow = Flow(client_app.json_id, client_app.redirect_uri, scope="create")
    token = (await redeem(client, flow, await code_for(client, flow))).json()["access_token"]
    r = await client.post(
        "/micropub",
        data={"h": "entry", "content": "Hello from IndieAuth"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.text
    assert r.headers["location"].startswith("http://hub.test/ada/")
    page = await client.get(r.headers["location"])
    assert page.status_code == 200 and "Hello from IndieAuth" in page.text


async def test_429_token_endpoint_after_too_many_failed_grants(
    client, signed_in, client_app, settings
):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    code = await code_for(client, flow)
    for _ in range(settings.rate_failed_auth_per_ip):
        r = await redeem(client, flow, code, code_verifier="x" * 43)
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    r = await redeem(client, flow, code, code_verifier="y" * 43)
    assert r.status_code == 429 and r.json()["error"] == "rate_limited"
    assert int(r.headers["retry-after"]) > 0
    assert r.headers["access-control-allow-origin"] == "*"
    r = await redeem(client, flow, code)  # the right verifier is not even checked
    assert r.status_code == 429
    r = await client.get("/auth/userinfo", headers={"Authorization": "Bearer hub_guess"})
    assert r.status_code == 429
    r = await client.post("/auth", data={"grant_type": "authorization_code", "code": code,
                                         "client_id": flow.client_id,
                                         "redirect_uri": flow.redirect_uri,
                                         "code_verifier": flow.verifier})  # fmt: skip
    assert r.status_code == 429  # the profile redemption shares the counter


async def test_429_profile_redemption_counts_failures(client, signed_in, client_app, settings):
    flow = Flow(client_app.json_id, client_app.redirect_uri)
    wrong = {"grant_type": "authorization_code", "code": "guess", "client_id": flow.client_id,
             "redirect_uri": flow.redirect_uri, "code_verifier": flow.verifier}  # fmt: skip
    for _ in range(settings.rate_failed_auth_per_ip):
        assert (await client.post("/auth", data=wrong)).status_code == 400
    r = await client.post("/auth", data=wrong)
    assert r.status_code == 429 and r.json()["error"] == "rate_limited"


async def test_429_bearer_guesses_at_introspection_count_too(client, settings):
    for _ in range(settings.rate_failed_auth_per_ip):
        r = await client.post("/auth/introspect", data={"token": "t"},
                              headers={"Authorization": "Bearer hub_wrong"})  # fmt: skip
        assert r.status_code == 401
    r = await client.post("/auth/introspect", data={"token": "t"},
                          headers={"Authorization": "Bearer hub_wrong"})  # fmt: skip
    assert r.status_code == 429 and r.json()["error"] == "rate_limited"
