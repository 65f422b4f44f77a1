"""Reading the token a request presents from its headers (and a Micropub form field).

Each API accepts a subset of the ways named in `hub.core.auth` (`VIA_BEARER`, `VIA_API_KEY`,
`VIA_TOKEN`, `VIA_FORM`); what a token may do is decided in core, the same everywhere.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from hub.core.auth import VIA_API_KEY, VIA_BEARER, VIA_FORM, VIA_TOKEN, PresentedToken
from hub.core.errors import Invalid


def read_token(
    headers: Mapping[str, str],
    *,
    accept: Collection[str],
    form_token: str | None = None,
) -> PresentedToken | None:
    """The token a request presents, in the ways `accept` allows; None when there is none.

    `Authorization` wins over `X-API-Key`. A Micropub token both in the header and in the form
    is an error (RFC 6750 §2), even when the two are equal.
    """
    header = None
    authorization = headers.get("authorization", "").strip()
    if authorization:
        scheme, _, value = authorization.partition(" ")
        scheme, value = scheme.lower(), value.strip()
        if scheme == "bearer" and VIA_BEARER in accept and value:
            header = PresentedToken(value, VIA_BEARER)
        elif scheme == "token" and VIA_TOKEN in accept and value:
            header = PresentedToken(value, VIA_TOKEN)
        else:
            header = PresentedToken("", "unsupported")  # present but unusable: 401, never anonymous
    if header is None and VIA_API_KEY in accept:
        api_key = headers.get("x-api-key", "").strip()
        if api_key:
            header = PresentedToken(api_key, VIA_API_KEY)
    if form_token is not None and VIA_FORM in accept:
        if header is not None:
            raise Invalid(
                "The token was sent both in the Authorization header and in the body.",
                code="token_in_two_places",
            )
        return PresentedToken(form_token.strip(), VIA_FORM)
    return header
