"""Big JSON answers are encoded off the event loop, in slices, to the same bytes."""

from __future__ import annotations

import httpx
import orjson
from starlette.applications import Starlette
from starlette.routing import Route

from hub.web.responses import BIG_STRING, JSONResponse, encode_in_slices

TEXT = ('Ünïcode "quotes" \\ back\nslash <b>&amp;</b> \u2028 \U0001f600 ' * 60_000)[:2_500_000]
BODY = {"translations": [{"language": "en", "content_markdown": TEXT, "n": 1}], 7: [TEXT]}


def test_slices_encode_to_the_same_bytes_as_one_call():
    assert len(TEXT) > 2 * BIG_STRING
    assert b"".join(encode_in_slices(BODY)) == orjson.dumps(BODY, option=orjson.OPT_NON_STR_KEYS)


async def test_a_big_answer_is_sent_whole_with_its_length():
    app = Starlette(routes=[Route("/", lambda request: JSONResponse(BODY, status_code=201))])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        r = await client.get("/")
    assert r.status_code == 201
    assert int(r.headers["content-length"]) == len(r.content)
    assert r.json()["translations"][0]["content_markdown"] == TEXT


def test_a_small_answer_is_encoded_at_once():
    response = JSONResponse({"a": "b"})
    assert response.body == b'{"a":"b"}' and response.headers["content-length"] == "9"


def _nested(value, depth: int):
    for n in range(depth):
        value = [value] if n % 2 else {"k": value}
    return value


def test_a_big_string_is_found_as_deep_as_the_slices_look():
    # strings are looked at to depth 7 (inside containers to depth 6), as encode_in_slices
    # swaps them out; a deeper one is encoded at once, as the slices would leave it
    for depth in range(10):
        body = {"small": ["a", 1, None, {"b": "c"}], "deep": _nested(TEXT, depth)}
        deferred = JSONResponse(body)._deferred is body
        assert deferred == (depth + 1 <= 7), depth
        swapped = encode_in_slices(body)
        assert (len(swapped) > 1) == deferred
        assert b"".join(swapped) == orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)
