"""The endpoint's own reading of a form-encoded body: the same fields as Starlette's
`request.form()` (which it replaces for speed, issue 20), checked against Starlette itself."""

from __future__ import annotations

import random
from urllib.parse import unquote_plus

import pytest
from starlette.datastructures import Headers
from starlette.formparsers import FormParser

from hub.core.errors import Invalid
from hub.webmentions.endpoints import MAX_FIELDS, urlencoded_fields

BODIES = [
    b"",
    b"source=https%3A%2F%2Fa.example%2Fp&target=http%3A%2F%2Fhub.test%2Fblog%2Fpost",
    b"a",
    b"a&",
    b"&&a=1&&b=2&",
    b"=x",
    b"a=",
    b"a=%C3%A9+b&c=%ZZ",
    "é=ü".encode(),
    b"a=1=2",
    b"a+b=c%26d",
    b"x=%00",
    b"source=a;target=b",
]


async def _starlette(body: bytes) -> list[tuple[str, str]]:
    async def stream():
        yield body
        yield b""

    return list((await FormParser(Headers({}), stream()).parse()).multi_items())


@pytest.mark.parametrize("body", BODIES)
async def test_fields_as_starlette_reads_them(body):
    assert urlencoded_fields(body) == await _starlette(body)


def test_400_too_many_fields():
    with pytest.raises(Invalid):
        urlencoded_fields(b"&".join([b"a=1"] * (MAX_FIELDS + 1)))


def test_fields_as_unquote_plus_reads_them_random():
    """The ASCII fast path decodes as `unquote_plus` of the Latin-1 text does."""
    rng = random.Random(20)
    alphabet = b"ab+%=&:/.-_~ 09AFaf\xc3\xa9\x80"
    for _ in range(3000):
        body = bytes(rng.choice(alphabet) for _ in range(rng.randrange(1, 24)))
        expected = [
            (unquote_plus(n.decode("latin-1")), unquote_plus(v.decode("latin-1")))
            for n, _, v in (f.partition(b"=") for f in body.split(b"&") if f)
        ]
        assert urlencoded_fields(body) == expected, body
