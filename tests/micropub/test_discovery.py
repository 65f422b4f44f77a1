"""Endpoint discovery (micropub-resolved.md §1.2) as a Micropub client does it: fetch the blog's
pages, read the `Link` header and the `<link>` elements, then use what they name. The pages
belong to the site; this only checks that they advertise the endpoints of this package."""

from __future__ import annotations

import mf2py

MP = "/micropub"
ENDPOINTS = {
    "micropub": "http://hub.test/micropub",
    "media-endpoint": "http://hub.test/micropub/media",
    "indieauth-metadata": "http://hub.test/.well-known/oauth-authorization-server",
}


def _header_rels(response) -> dict[str, str]:
    """rel → URL from the `Link` header(s) of a response."""
    found: dict[str, str] = {}
    for link in response.links.values():
        for rel in link.get("rel", "").split():
            found.setdefault(rel, link["url"])
    return found


async def test_200_blog_pages_link_the_micropub_media_and_indieauth_endpoints(client, token):
    created = await client.post(
        MP, data={"h": "entry", "content": "Discover me"}, headers=token.headers
    )
    assert created.status_code == 201
    pages = ["/", f"/{token.channel_slug}", created.headers["location"]]
    for page in pages:
        r = await client.get(page)
        assert r.status_code == 200, page
        rels = mf2py.parse(doc=r.text, url=str(r.url))["rels"]
        for rel, url in ENDPOINTS.items():
            assert rels.get(rel) == [url], (page, rel)
    for page in pages[:2]:  # the home pages also say it in the Link header, on GET and HEAD
        for method in ("GET", "HEAD"):
            r = await client.request(method, page)
            header = _header_rels(r)
            for rel, url in ENDPOINTS.items():
                assert header.get(rel) == url, (method, page, rel)


async def test_201_a_client_posts_to_what_the_blog_page_advertises(client, token, image):
    home = await client.get(f"/{token.channel_slug}")
    endpoints = _header_rels(home)
    config = await client.get(endpoints["micropub"], params={"q": "config"}, headers=token.headers)
    assert config.status_code == 200
    assert config.json()["media-endpoint"] == endpoints["media-endpoint"]
    upload = await client.post(
        endpoints["media-endpoint"],
        files={"file": ("a.png", image("png"), "image/png")},
        headers=token.headers,
    )
    assert upload.status_code == 201
    r = await client.post(
        endpoints["micropub"],
        json={
            "type": ["h-entry"],
            "properties": {"content": ["Found it"], "photo": [upload.headers["location"]]},
        },
        headers=token.headers,
    )
    assert r.status_code == 201
    page = await client.get(r.headers["location"])
    [entry] = [i for i in mf2py.parse(doc=page.text, url=str(page.url))["items"]]
    assert entry["properties"]["photo"][0]["value"] == upload.headers["location"]
    metadata = await client.get(endpoints["indieauth-metadata"])
    assert metadata.status_code == 200
    assert metadata.json()["issuer"].startswith("http://hub.test/")
