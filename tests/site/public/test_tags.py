"""Tag pages and tag feeds as their entries change: each tag row carries its entry's channel
and listing time (migration 0026, kept by triggers) and the tag's lists read them in order
(issue 20). A tag page lists what it listed before: public entries with the tag, newest
first, paged by the `before` cursor; drafts, scheduled, deleted and hidden entries never."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from hub.core.db import transaction
from hub.core.entries import published, publishing
from tests.factories import make_credential
from tests.site.public.fixtures import (
    BASE,
    public_article,
    public_insert_entry,
    public_items,
    public_mf2,
    public_publish,
    public_set_status,
)

# Tag rows whose channel or listing time disagrees with their entry: none, ever.
OUT_OF_STEP = """
    SELECT count(*) FROM entry_categories g JOIN entries e ON e.id = g.entry_id
    WHERE (g.channel_id, g.listed_at) IS DISTINCT FROM
          (e.channel_id, hub_listed_at(e.status, e.deleted_at, e.visibility, e.published_at))
"""


async def tag_page(client, path: str) -> list[str] | None:
    """The slugs a tag page lists, following its `next` links; None for a 404."""
    seen, url = [], f"{BASE}{path}"
    while url:
        r = await client.get(url)
        if r.status_code == 404 and not seen:
            return None
        assert r.status_code == 200, url
        parsed = public_mf2(r.text, url)
        [feed] = public_items(parsed, "h-feed")
        seen += [e["properties"]["url"][0].rsplit("/", 1)[1] for e in feed["children"]]
        url = (parsed["rels"].get("next") or [None])[0]
    return seen


async def atom_slugs(client, path: str) -> list[str]:
    r = await client.get(path)
    assert r.status_code == 200
    return re.findall(r'<link[^>]*ada_blog/([a-z0-9_]+)"', r.text)


async def test_200_tag_page_follows_retagging_unpublishing_deleting_and_redating(
    client, public_blog, db
):
    for slug in ("first", "second", "third"):
        await public_publish(client, public_blog, public_article(slug, tags=["Topic"]))
    assert await tag_page(client, "/ada_blog/tags/topic") == ["third", "second", "first"]

    await public_publish(client, public_blog, public_article("second", tags=["Other"]))
    assert await tag_page(client, "/ada_blog/tags/topic") == ["third", "first"]
    assert await tag_page(client, "/ada_blog/tags/other") == ["second"]

    await public_set_status(client, public_blog, "third", "draft")
    assert await tag_page(client, "/ada_blog/tags/topic") == ["first"]
    await public_set_status(client, public_blog, "third", "published")
    assert await tag_page(client, "/ada_blog/tags/topic") == ["third", "first"]

    await db.execute(
        "UPDATE entries SET published_at = published_at - interval '1 day' WHERE slug = 'third'"
    )
    assert await tag_page(client, "/ada_blog/tags/topic") == ["first", "third"]
    assert await atom_slugs(client, "/ada_blog/tags/topic/atom.xml") == ["first", "third"]

    await db.execute("UPDATE entries SET visibility = 'unlisted' WHERE slug = 'first'")
    assert await tag_page(client, "/ada_blog/tags/topic") == ["third"]

    deleter = await make_credential(db, public_blog.author_id, scopes=["delete"])
    r = await client.delete(
        f"{public_blog.pages}/third", headers={"Authorization": f"Bearer {deleter}"}
    )
    assert r.status_code == 204, r.text
    assert await tag_page(client, "/ada_blog/tags/topic") is None
    assert await db.fetchval(OUT_OF_STEP) == 0


async def test_200_scheduled_entry_joins_its_tag_when_it_goes_live(client, public_blog, db):
    await public_publish(client, public_blog, public_article("now", tags=["Later"]))
    when = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    payload = {**public_article("soon", tags=["Later"]), "status": "scheduled",
               "scheduled_at": when.isoformat()}  # fmt: skip
    r = await client.post(public_blog.pages, json=payload, headers=public_blog.headers)
    assert r.status_code == 201 and r.json()["status"] == "scheduled", r.text
    assert await tag_page(client, "/ada_blog/tags/later") == ["now"]
    async with transaction(db) as conn:
        assert len(await publishing.publish_due(conn, when + timedelta(seconds=1))) == 1
    assert await tag_page(client, "/ada_blog/tags/later") == ["soon", "now"]
    assert await db.fetchval(OUT_OF_STEP) == 0


async def test_200_micropub_note_is_on_its_tag_page_at_once(client, public_blog, db):
    # Micropub writes the entry and its tags in one statement: the tag rows see the new entry.
    token = await make_credential(db, public_blog.author_id, kind="app_token", scopes=["create"])
    r = await client.post(
        "/micropub",
        json={"type": ["h-entry"],
              "properties": {"content": ["A note."], "category": ["Notes"], "mp-slug": ["n1"]}},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert await tag_page(client, "/ada_blog/tags/notes") == ["n1"]
    assert await db.fetchval(OUT_OF_STEP) == 0


async def test_200_tag_pages_page_through_a_tag_from_its_own_index(client, public_blog, db):
    # 45 entries, every third one tagged: the tag's 15 newest first over the `before` pages
    # (20 a page), the feeds the same; the statement reads the tag's rows in order, no sort.
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(45):
        tags = ["Sparse"] if i % 3 == 0 else ["Other"]
        await public_insert_entry(
            db, public_blog, f"e{i:02d}", tags=tags, published_at=start + timedelta(hours=i)
        )
    await public_insert_entry(db, public_blog, "private", tags=["Sparse"], visibility="private",
                              published_at=start + timedelta(days=3))  # fmt: skip
    await public_insert_entry(db, public_blog, "draft", tags=["Sparse"], published=False)
    expected = [f"e{i:02d}" for i in range(42, -1, -3)]
    assert await tag_page(client, "/ada_blog/tags/sparse") == expected
    assert await atom_slugs(client, "/ada_blog/tags/sparse/atom.xml") == expected
    others = [f"e{i:02d}" for i in range(44, -1, -1) if i % 3]
    assert await tag_page(client, "/ada_blog/tags/other") == others
    async with db.acquire() as conn, conn.transaction():
        # with sorts priced out too, the plan shows whether an index gives the order (on a
        # few rows the planner may otherwise sort a hash join, depending on its statistics)
        await conn.execute("SET LOCAL enable_seqscan = off")
        await conn.execute("SET LOCAL enable_sort = off")
        for cursor in (False, True):
            sql = published._list_sql(content=False, newer=False, language=False, tag=True,
                                      cursor=cursor, limit=21)  # fmt: skip
            args = (start, 10**12) if cursor else ()
            rows = await conn.fetch("EXPLAIN " + sql, public_blog.channel_id, "sparse", *args)
            plan = "\n".join(r[0] for r in rows)
            assert "entry_categories_listing_idx" in plan and "Sort Key: g.listed_at" not in plan
    assert await db.fetchval(OUT_OF_STEP) == 0
