"""Response headers as hub reads them (what httpx's `Headers` gave)."""

from __future__ import annotations

from hub.core.headers import Headers


def test_names_are_case_insensitive_and_repeats_join_for_get() -> None:
    headers = Headers([
        (b"Link", b'<https://hub.example/>; rel="hub"'),
        (b"Content-Type", b"text/html"),
        (b"link", b'<https://a.example/feed>; rel="self"'),
    ])  # fmt: skip
    assert (
        headers.get("LINK")
        == '<https://hub.example/>; rel="hub", <https://a.example/feed>; rel="self"'
    )
    assert headers["content-type"] == "text/html"
    assert "Content-Type" in headers and "etag" not in headers
    assert headers.get("etag") is None and headers.get("etag", "") == ""
    assert dict(headers.items()) == {"link": headers["link"], "content-type": "text/html"}
    assert headers.multi_items() == [
        ("link", '<https://hub.example/>; rel="hub"'),
        ("content-type", "text/html"),
        ("link", '<https://a.example/feed>; rel="self"'),
    ]


def test_raw_bytes_decode_as_utf8_else_latin1_never_to_surrogates() -> None:
    assert Headers([(b"Location", "/caf\u00e9".encode())])["location"] == "/caf\u00e9"
    assert Headers([(b"Location", b"/caf\xe9")])["location"] == "/caf\u00e9"


def test_a_mapping_or_text_pairs_make_the_same_headers() -> None:
    assert Headers({"ETag": '"1"'}).multi_items() == Headers([("etag", '"1"')]).multi_items()
    assert len(Headers()) == 0
