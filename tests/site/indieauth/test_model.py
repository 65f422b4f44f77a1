"""Pure IndieAuth rules: identifiers, PKCE, redirects, client documents."""

from __future__ import annotations

import json

import pytest

from hub.site.indieauth.client import (
    ClientInfo,
    ClientRefused,
    link_header_rels,
    parse_client,
    redirect_allowed,
)
from hub.site.indieauth.model import (
    client_id_problem,
    parse_scope,
    pkce_matches,
    redirect_uri_problem,
    s256,
    with_query,
)


@pytest.mark.parametrize(
    "client_id",
    ["https://app.example/", "https://app.example/path?x=1", "http://127.0.0.1:8080/",
     "http://[::1]/cli", "https://app.example:8443/"],
)  # fmt: skip
def test_valid_client_ids(client_id):
    assert client_id_problem(client_id) is None


@pytest.mark.parametrize(
    "client_id",
    ["", "app.example", "mailto:a@b.c", "https://app.example", "https://app.example/#x",
     "https://u:p@app.example/", "https://app.example/a/../b", "https://10.0.0.1/",
     "https://[2001:db8::1]/"],
)  # fmt: skip
def test_invalid_client_ids(client_id):
    assert client_id_problem(client_id)


def test_redirect_uri_rules():
    assert redirect_uri_problem("https://app.example/cb") is None
    assert redirect_uri_problem("com.example.app:/callback") is None  # native app scheme
    assert redirect_uri_problem("javascript:alert(1)")
    assert redirect_uri_problem("https://app.example/cb#frag")
    assert redirect_uri_problem("/relative")


def test_pkce_s256_rfc7636_example():
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert pkce_matches("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", verifier)
    assert not pkce_matches("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", verifier[:-1] + "x")
    assert not pkce_matches(s256("short"), "short")  # under 43 characters


def test_scope_parsing_keeps_unknown_ones():
    assert parse_scope("create  update create follow") == ["create", "update", "follow"]
    assert parse_scope(None) == []


def test_with_query_keeps_existing_parameters():
    url = with_query("https://app.example/cb?x=1", {"code": "a b", "state": "s", "none": None})
    assert url == "https://app.example/cb?x=1&code=a+b&state=s"


def test_client_metadata_json():
    doc = {
        "client_id": "https://app.example/id",
        "client_name": "App",
        "client_uri": "https://app.example/",
        "redirect_uris": ["/cb", "https://other.example/cb"],
    }
    info = parse_client("https://app.example/id", "https://app.example/id", "application/json",
                        json.dumps(doc).encode())  # fmt: skip
    assert info.name == "App" and info.fetched
    assert info.redirect_uris == ("https://app.example/cb", "https://other.example/cb")


def test_client_metadata_for_another_client_is_refused():
    body = json.dumps({"client_id": "https://evil.example/"}).encode()
    with pytest.raises(ClientRefused):
        parse_client("https://app.example/", "https://app.example/", "application/json", body)


def test_h_app_page_with_redirect_links():
    html = b"""<html><head><link rel="redirect_uri" href="/cb"></head><body>
      <div class="h-app"><a class="u-url p-name" href="/">My App</a>
      <img class="u-logo" src="/logo.png" alt=""></div></body></html>"""
    info = parse_client(
        "https://app.example/", "https://app.example/", "text/html", html,
        '<https://x.example/cb2>; rel="redirect_uri other"',
    )  # fmt: skip
    assert info.name == "My App"
    assert info.logo == "https://app.example/logo.png"
    assert info.redirect_uris == ("https://x.example/cb2", "https://app.example/cb")


def test_link_header_parsing():
    header = '<https://a.example/1>; rel="redirect_uri", </2>; rel=redirect_uri, </3>; rel="me"'
    assert link_header_rels(header, "https://b.example/", "redirect_uri") == [
        "https://a.example/1",
        "https://b.example/2",
    ]


def test_redirect_allowed():
    client = ClientInfo("https://app.example/", redirect_uris=("https://other.example/cb",))
    assert redirect_allowed(client, "https://app.example/anything")
    assert redirect_allowed(client, "https://other.example/cb")
    assert not redirect_allowed(client, "https://other.example/cb2")
    assert not redirect_allowed(client, "http://app.example/cb")  # another scheme
    assert not redirect_allowed(client, "https://app.example:444/cb")  # another port
    cli = ClientInfo("http://127.0.0.1:4000/")
    assert redirect_allowed(cli, "http://127.0.0.1:53211/done")
    assert not redirect_allowed(cli, "https://evil.example/")
