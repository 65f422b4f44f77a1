"""hub/core/urls/normalize.py: when two spellings are one URL (webmention-site-feeds §1.4,
R-W3)."""

from __future__ import annotations

from hub.core.urls import link_key, normalize, target_key


def test_normalize():
    assert normalize("HTTP://Ex.AMPLE:80/a%7e%2fb?Q=%41#frag") == "http://ex.ample/a~%2Fb?Q=%41"
    assert normalize("https://bücher.example") == "https://xn--bcher-kva.example/"
    assert normalize("https://ex.ample:8443/x") == "https://ex.ample:8443/x"


def test_link_key_ignores_scheme_and_trailing_slash_but_keeps_query():
    assert link_key("https://hub.test/a/b/") == link_key("http://hub.test/a/b")
    assert link_key("http://hub.test/a?lang=en") != link_key("http://hub.test/a")
    assert link_key("mailto:x@y") is None


def test_target_key_keeps_only_lang():
    assert target_key("https://hub.test/c/s/?utm=1&lang=fr#x") == "//hub.test/c/s?lang=fr"
    assert target_key("http://hub.test/c/s") == "//hub.test/c/s"
