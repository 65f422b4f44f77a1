"""The blog as a fediverse actor, on the blog's own settings page: the owner picks its handle
(shown as @handle@host), its actor type, whether each follower waits for approval and whether
it is suggested to others; a bad or taken handle is answered on the page and nothing is
written; changing the handle says the followers keep following."""

from __future__ import annotations

import re

from tests.factories import make_author
from tests.site.auth_fixtures import owner, signed_in  # noqa: F401 - fixtures


def _form(csrf: str, **fields: str) -> dict[str, str]:
    return {"csrf": csrf, "ap_handle": "", "ap_actor_type": "Person", "ap_discoverable": "on",
            **fields}  # fmt: skip


async def _settings(db, channel_id: int):
    return await db.fetchrow(
        "SELECT ap_handle, ap_actor_type, ap_manual_followers, ap_discoverable FROM channels"
        " WHERE id = $1",
        channel_id,
    )


async def test_200_the_blog_page_shows_its_fediverse_address_and_settings(client, signed_in, owner):
    r = await client.get(f"/dashboard/channels/{owner.channel_id}")
    assert r.status_code == 200
    assert '<strong id="fediverse-address">@ada@hub.test</strong>' in r.text
    assert re.search(r'id="ap_actor_type-Person"[^>]*value="Person" checked', r.text)
    assert re.search(r'id="ap_discoverable" name="ap_discoverable" checked', r.text)
    assert 'id="ap_manual_followers" name="ap_manual_followers">' in r.text  # off by default


async def test_303_save_handle_type_approval_and_discoverable(client, signed_in, owner, db):
    r = await client.post(
        f"/dashboard/channels/{owner.channel_id}/fediverse",
        data={"csrf": signed_in, "ap_handle": "@Ada.Notes", "ap_actor_type": "Organization",
              "ap_manual_followers": "on"},
    )  # fmt: skip
    assert r.status_code == 303
    assert r.headers["location"] == (
        f"/dashboard/channels/{owner.channel_id}?ap_saved=1&handle_changed=1#fediverse"
    )
    row = await _settings(db, owner.channel_id)
    assert tuple(row) == ("ada.notes", "Organization", True, False)
    page = await client.get(r.headers["location"])
    assert '<strong id="fediverse-address">@ada.notes@hub.test</strong>' in page.text
    assert "everyone who followed it keeps following" in page.text
    assert re.search(r'id="ap_manual_followers" name="ap_manual_followers" checked', page.text)
    listed = await client.get("/dashboard/fediverse")
    assert "@ada.notes@hub.test" in listed.text


async def test_303_an_empty_handle_or_the_slug_means_the_slug(client, signed_in, owner, db):
    await db.execute("UPDATE channels SET ap_handle = 'old' WHERE id = $1", owner.channel_id)
    r = await client.post(f"/dashboard/channels/{owner.channel_id}/fediverse",
                          data=_form(signed_in, ap_handle="ada"))  # fmt: skip
    assert r.status_code == 303 and "handle_changed=1" in r.headers["location"]
    assert (await _settings(db, owner.channel_id))["ap_handle"] is None
    again = await client.post(f"/dashboard/channels/{owner.channel_id}/fediverse",
                              data=_form(signed_in))  # fmt: skip
    assert again.status_code == 303 and "handle_changed" not in again.headers["location"]


async def test_422_a_bad_handle_or_type_is_answered_on_the_page_and_nothing_written(
    client, signed_in, owner, db
):
    data = _form(signed_in, ap_handle="-bad handle", ap_actor_type="Robot")
    r = await client.post(f"/dashboard/channels/{owner.channel_id}/fediverse", data=data)
    assert r.status_code == 422
    assert 'id="ap_handle" name="ap_handle" value="-bad handle"' in r.text
    assert re.search(r'id="ap_handle"[^>]*aria-invalid="true"', r.text)
    assert 'id="ap_handle-error"' in r.text and 'id="ap_actor_type-error"' in r.text
    assert tuple(await _settings(db, owner.channel_id)) == (None, "Person", False, True)


async def test_409_a_handle_that_is_another_blogs_slug_or_handle(client, signed_in, owner, db):
    other = await make_author(db, "Zed", channel_slug="zed")
    r = await client.post(f"/dashboard/channels/{owner.channel_id}/fediverse",
                          data=_form(signed_in, ap_handle="zed"))  # fmt: skip
    assert r.status_code == 409 and "The handle zed is another blog&#39;s." in r.text
    await db.execute("UPDATE channels SET ap_handle = 'zed_news' WHERE id = $1", other.channel_id)
    r = await client.post(f"/dashboard/channels/{owner.channel_id}/fediverse",
                          data=_form(signed_in, ap_handle="zed_news"))  # fmt: skip
    assert r.status_code == 409
    assert (await _settings(db, owner.channel_id))["ap_handle"] is None


async def test_404_another_authors_blog(client, signed_in, owner, db):
    other = await make_author(db, "Zed", channel_slug="zed")
    r = await client.post(f"/dashboard/channels/{other.channel_id}/fediverse",
                          data=_form(signed_in, ap_handle="mine"))  # fmt: skip
    assert r.status_code == 404
    assert (await _settings(db, other.channel_id))["ap_handle"] is None
