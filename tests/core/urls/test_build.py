"""hub/core/urls/build.py: the node's URLs, on the base host and on custom domains."""

import pytest

from hub.core.urls import ChannelUrls, Urls


def test_public_urls_follow_the_site_scheme():
    urls = Urls("https://hub.example/")
    assert urls.channel("demo") == "https://hub.example/demo"
    assert (
        urls.entry("demo", "agent_post", language="fr", primary="en")
        == "https://hub.example/demo/agent_post?lang=fr"
    )
    assert urls.tag("demo", "a b/c") == "https://hub.example/demo/tags/a%20b%2Fc"
    assert urls.micropub_media("ABC") == "https://hub.example/micropub/media/ABC"
    assert urls.entry("demo", "x", custom_domain="blog.example") == "https://blog.example/x"


@pytest.mark.parametrize("domain", [None, "blog.example"])
def test_an_entry_has_one_url_in_its_primary_language(domain):
    """The primary language's page is `{channel root}/{slug}`, the Micropub Location; the
    other translations keep `?lang=xx` (issue 16)."""
    urls = Urls("https://hub.example")
    links = ChannelUrls(urls, "ada", domain)
    location = urls.entry("ada", "post", custom_domain=domain)
    assert location == ("https://blog.example/post" if domain else "https://hub.example/ada/post")
    assert urls.entry("ada", "post", language="en", primary="en", custom_domain=domain) == location
    assert links.entry("post", "en", primary="en") == links.entry("post", primary="en") == location
    assert links.entry("post", "fr", primary="en") == location + "?lang=fr"
    assert links.entry("post", "en", primary="pt-BR") == location + "?lang=en"


def test_own_urls_are_recognised_by_host():
    urls = Urls("https://hub.example")
    assert urls.is_own("https://HUB.example/storage/a.webp")
    assert not urls.is_own("https://evil.example/storage/a.webp")
    assert not urls.is_own("javascript:alert(1)")


@pytest.mark.parametrize("domain", [None, "blog.example"])
def test_channel_urls_match_the_node_urls(domain):
    """The site prints the same URLs as the v1 API's `url` fields."""
    urls = Urls("https://hub.example/base")
    links = ChannelUrls(urls, "ada_blog", domain)
    for slug in ("post", "пост", "a b&c"):
        for language in (None, "en", "pt-BR"):
            assert links.entry(slug, language, primary="en") == urls.entry(
                "ada_blog", slug, language=language, primary="en", custom_domain=domain
            )
    for tag in ("Cars", "a/b", "ü ?"):
        assert links.tag(tag) == urls.tag("ada_blog", tag, custom_domain=domain)
    assert links.home() == urls.channel("ada_blog", custom_domain=domain)


@pytest.mark.parametrize(
    ("url", "own"),
    [
        ("http://127.0.0.1:8000/micropub/media/a.png", True),
        ("https://127.0.0.1:8000/micropub/media/a.png", True),  # either scheme (R-W3)
        ("http://127.0.0.1:9000/micropub/media/a.png", False),  # another server on the host
        ("http://127.0.0.1/micropub/media/a.png", False),
        ("ftp://127.0.0.1:8000/a.png", False),
        ("http://[::1/broken", False),
    ],
)
def test_is_own_compares_the_origin_not_only_the_host(url, own):
    assert Urls("http://127.0.0.1:8000").is_own(url) is own
    assert Urls("https://hub.example").is_own("https://hub.example:8443/a.png") is False
    assert Urls("https://hub.example").is_own("https://HUB.example:443/a.png") is True
