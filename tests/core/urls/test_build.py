from hub.core.urls import Urls


def test_public_urls_follow_the_site_scheme():
    urls = Urls("https://hub.example/")
    assert urls.channel("demo") == "https://hub.example/demo"
    assert (
        urls.entry("demo", "agent_post", language="en")
        == "https://hub.example/demo/agent_post?lang=en"
    )
    assert urls.tag("demo", "a b/c") == "https://hub.example/demo/tags/a%20b%2Fc"
    assert urls.micropub_media("ABC") == "https://hub.example/micropub/media/ABC"
    assert urls.entry("demo", "x", custom_domain="blog.example") == "https://blog.example/x"


def test_own_urls_are_recognised_by_host():
    urls = Urls("https://hub.example")
    assert urls.is_own("https://HUB.example/storage/a.webp")
    assert not urls.is_own("https://evil.example/storage/a.webp")
    assert not urls.is_own("javascript:alert(1)")
