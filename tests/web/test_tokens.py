"""`hub.web.tokens.read_token`: the ways a request presents a token, as each API accepts them."""

from __future__ import annotations

import pytest

from hub.core import auth
from hub.core.errors import Invalid
from hub.web.tokens import read_token


def test_read_token_from_each_presentation():
    bearer = read_token({"authorization": "Bearer abc"}, accept={auth.VIA_BEARER})
    assert bearer == auth.PresentedToken("abc", "bearer")
    assert read_token({"authorization": "bearer abc"}, accept={auth.VIA_BEARER}).secret == "abc"
    key = read_token({"x-api-key": "k"}, accept={auth.VIA_BEARER, auth.VIA_API_KEY})
    assert key == auth.PresentedToken("k", "api_key")
    drf = read_token({"authorization": "Token t"}, accept={auth.VIA_TOKEN})
    assert drf == auth.PresentedToken("t", "token")
    form = read_token({}, accept={auth.VIA_BEARER, auth.VIA_FORM}, form_token="f")
    assert form == auth.PresentedToken("f", "access_token")
    assert read_token({}, accept={auth.VIA_BEARER}) is None


def test_authorization_header_wins_over_api_key():
    got = read_token(
        {"authorization": "Bearer a", "x-api-key": "b"}, accept={auth.VIA_BEARER, auth.VIA_API_KEY}
    )
    assert got.secret == "a"


def test_unsupported_scheme_is_presented_but_unusable():
    got = read_token({"authorization": "Basic Zm9v"}, accept={auth.VIA_BEARER})
    assert got is not None and got.secret == ""


def test_token_in_header_and_form_is_refused():
    with pytest.raises(Invalid) as both:
        read_token(
            {"authorization": "Bearer a"}, accept={auth.VIA_BEARER, auth.VIA_FORM}, form_token="a"
        )
    assert both.value.code == "token_in_two_places"
