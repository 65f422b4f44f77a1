"""The dashboard's menu marks the section of every page (issue 17: the edit page marked
"Overview")."""

from __future__ import annotations

import re

from hub.site.dashboard.pages import section_of
from tests.factories import bearer, make_credential
from tests.site.auth_fixtures import owner, signed_in  # noqa: F401 - fixtures

CURRENT = re.compile(r'<a href="([^"]+)" aria-current="page">')


def test_each_path_belongs_to_its_section():
    assert section_of("/dashboard") == "/dashboard"
    assert section_of("/dashboard/entries") == "/dashboard/entries"
    assert section_of("/dashboard/entries/7") == "/dashboard/entries"
    assert section_of("/dashboard/posts/7/edit") == "/dashboard/entries"
    assert section_of("/dashboard/new") == "/dashboard/entries"
    assert section_of("/dashboard/tokens/3/revoke") == "/dashboard/tokens"
    assert section_of("/dashboard/channels/2") == "/dashboard/channels"
    assert section_of("/dashboard/profile") == "/dashboard/profile"
    assert section_of("/dashboard/webmentions/x/block") == "/dashboard/webmentions"
    assert section_of("/dashboard/unknown") == "/dashboard"
    assert section_of("/dashboard/entriesque") == "/dashboard"  # a prefix of a word is not under


def test_a_menu_path_beats_an_alias_of_the_same_length():
    nav = (("/dashboard", "Overview"), ("/dashboard/channels", "Channels"))
    assert section_of("/dashboard/channels/2", nav) == "/dashboard/channels"


async def test_200_the_edit_page_marks_entries_not_overview(client, signed_in, owner, db):
    body = {
        "slug": "first",
        "default_language": "en",
        "status": "draft",
        "translations": [{"language": "en", "title": "First", "content_markdown": "Text."}],
    }
    headers = bearer(await make_credential(db, owner.author_id))
    r = await client.post("/api/v1/channels/ada/pages", json=body, headers=headers)
    entry_id = r.json()["id"]
    for path, section in [
        (f"/dashboard/posts/{entry_id}/edit", "/dashboard/entries"),
        (f"/dashboard/entries/{entry_id}", "/dashboard/entries"),
        ("/dashboard", "/dashboard"),
        ("/dashboard/directory", "/dashboard/directory"),
    ]:
        page = await client.get(path)
        menu = page.text.split("<nav", 1)[1].split("</nav>", 1)[
            0
        ]  # the editor marks its language too
        assert CURRENT.findall(menu) == [section], path
