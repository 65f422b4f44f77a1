"""The site's route order: IndieAuth and dashboard paths behind a prefix gate, then the
public catch-all. A blog whose name starts like a fixed path is still a blog."""

from __future__ import annotations

from tests.site.public.fixtures import public_make_blog


async def test_200_a_blog_named_like_a_fixed_prefix_is_served(client, db):
    await public_make_blog(db, "Authentic")  # channel `authentic_blog`
    r = await client.get("/authentic_blog")
    assert r.status_code == 200 and 'class="h-card' in r.text
    assert (await client.get("/dashboardish")).status_code == 404  # public 404, not the API's


async def test_405_wrong_method_on_a_gated_route_and_200_on_the_right_one(client):
    r = await client.put("/auth/token")
    assert r.status_code == 405
    assert (await client.get("/.well-known/oauth-authorization-server")).status_code == 200
    assert (await client.get("/dashboard")).status_code == 303  # to the login page
