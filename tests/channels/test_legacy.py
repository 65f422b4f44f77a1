"""The legacy `/api/v1/projects/...` aliases (R-90): `Deprecation: true` and a `Link` to the
successor built from the percent-encoded path, whatever the slug holds (issue 15, item 8: a
non-Latin-1 slug gave 500, a control character dropped the connection, Latin-1 sent raw bytes)."""

from __future__ import annotations

import pytest

from hub.channels.legacy import successor_link

PAGES = "/api/v1/projects/ada_blog/pages"


@pytest.mark.parametrize(
    ("path", "link"),
    [
        ("/api/v1/projects/ada_blog", "/api/v1/channels/ada_blog"),
        ("/api/v1/projects/café", "/api/v1/channels/caf%C3%A9"),  # Latin-1
        ("/api/v1/projects/☃/pages", "/api/v1/channels/%E2%98%83/pages"),  # not Latin-1
        ("/api/v1/projects/a\nb\r\x00", "/api/v1/channels/a%0Ab%0D%00"),  # controls
        ('/api/v1/projects/<x>" %', "/api/v1/channels/%3Cx%3E%22%20%25"),
    ],
)
def test_successor_link_is_ascii(path, link):
    assert successor_link(path) == f'<{link}>; rel="successor-version"'


async def test_200_legacy_page_list_links_its_successor(client, account):
    r = await client.get(PAGES, headers=account.headers)
    assert r.status_code == 200
    assert r.headers["deprecation"] == "true"
    assert r.headers["link"] == '</api/v1/channels/ada_blog/pages>; rel="successor-version"'


@pytest.mark.parametrize(
    ("sent", "link"),
    [
        ("/api/v1/projects/caf%C3%A9", "/api/v1/channels/caf%C3%A9"),
        ("/api/v1/projects/%E2%98%83", "/api/v1/channels/%E2%98%83"),
        ("/api/v1/projects/a%0Ab", "/api/v1/channels/a%0Ab"),
        ("/api/v1/projects/ada_blog/pages/%E2%98%83", "/api/v1/channels/ada_blog/pages/%E2%98%83"),
    ],
)
async def test_404_legacy_unknown_slug_links_its_encoded_successor(client, account, sent, link):
    r = await client.get(sent, headers=account.headers)
    assert r.status_code == 404
    assert r.json()["message"]
    assert r.headers["deprecation"] == "true"
    assert r.headers["link"] == f'<{link}>; rel="successor-version"'
