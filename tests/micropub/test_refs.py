"""Pure: which entry a URL sent to Micropub names (micropub-resolved.md §4.1), Pika's
`/posts/` permalinks included."""

from __future__ import annotations

import pytest

from hub.core.urls import EntryRef, Urls
from hub.micropub.refs import entry_ref

URLS = Urls("http://hub.test")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://hub.test/blog/my-post", EntryRef("hub.test", True, "blog", "my-post")),
        ("https://HUB.test/blog/my-post/?x=1#y", EntryRef("hub.test", True, "blog", "my-post")),
        ("http://hub.test/blog/posts/my-post", EntryRef("hub.test", True, "blog", "my-post")),
        ("http://hub.test/posts/my-post", EntryRef("hub.test", True, None, "my-post")),
        ("http://hub.test/dashboard/posts/42/edit", EntryRef("hub.test", True, entry_id=42)),
        ("http://hub.test/blog/caf%C3%A9", EntryRef("hub.test", True, "blog", "café")),
        ("http://hub.test/blog/my-post?lang=en", EntryRef("hub.test", True, "blog", "my-post")),
        ("https://blog.example/my-post?lang=fr", EntryRef("blog.example", False, None, "my-post")),
        ("https://blog.example/my-post", EntryRef("blog.example", False, None, "my-post")),
        ("https://blog.example/posts/my-post", EntryRef("blog.example", False, None, "my-post")),
    ],
)
def test_entry_ref_accepted_forms(url, expected):
    assert entry_ref(url, URLS) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://hub.test/",
        "http://hub.test/blog",
        "http://hub.test/a/b/c/d",
        "http://hub.test/dashboard/posts/x/edit",
        "ftp://hub.test/blog/x",
        "https://blog.example/a/b",
        "not a url",
    ],
)
def test_entry_ref_refuses_other_shapes(url):
    assert entry_ref(url, URLS) is None


def test_entry_ref_under_a_base_path():
    urls = Urls("https://example.org/hub")
    assert entry_ref("https://example.org/hub/blog/x", urls) == EntryRef(
        "example.org", True, "blog", "x"
    )
    assert entry_ref("https://example.org/blog/x", urls) is None
