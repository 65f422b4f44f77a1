"""Views kept per exact row (`hub.site.public.memo`): a key that changes with any value of the
row, a bounded LRU, and pages that show an edit at once although their views are kept."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.site.public.memo import Memo, row_key
from tests.site.public.fixtures import public_article, public_publish


def test_row_key_changes_with_any_value_nested_ones_too():
    when = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
    row = {"id": 1, "title": "A", "properties": {"photo": ["x"]}, "tags": ["a"], "at": when}
    assert row_key(row) == row_key(dict(row))
    for key, value in (("id", 2), ("title", "B"), ("properties", {"photo": ["y"]}),
                       ("tags", ["a", "b"]), ("at", when.replace(second=1))):  # fmt: skip
        assert row_key({**row, key: value}) != row_key(row), key


def test_row_key_of_what_json_cannot_hold():
    assert row_key({"n": 2**70}) != row_key({"n": 2**70 + 1})


def test_memo_keeps_the_most_recently_used():
    memo: Memo[str] = Memo(2)
    memo.put("a", "A")
    memo.put("b", "B")
    assert memo.get("a") == "A"  # now newer than b
    memo.put("c", "C")
    assert memo.get("b") is None and memo.get("a") == "A" and memo.get("c") == "C"


async def test_200_an_edit_shows_at_once_on_the_entry_page_and_the_home(client, public_blog):
    await public_publish(client, public_blog, public_article("kept", title="First title"))
    for path in ("/ada_blog/kept", "/ada_blog"):
        r = await client.get(path)
        assert r.status_code == 200 and "First title" in r.text
    await public_publish(client, public_blog, public_article("kept", title="Second title"))
    for path in ("/ada_blog/kept", "/ada_blog"):
        r = await client.get(path)
        assert r.status_code == 200 and "Second title" in r.text, path
        assert "First title" not in r.text, path
