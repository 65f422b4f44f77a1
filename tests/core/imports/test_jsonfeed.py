"""JSON Feed import: a micro.blog feed (standard fields only) becomes entries with their dates
and tags; scripts are cleaned, an image on a private address refuses its item whole."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.core.errors import Invalid
from hub.core.imports import formats
from hub.core.imports.jsonfeed import parse_feed
from hub.core.imports.writing import Target, import_parsed
from tests.factories import make_author

FIXTURE = Path(__file__).parents[2] / "fixtures" / "imports" / "microblog.json"


def test_a_micro_blog_feed_is_detected_and_read_as_items():
    fmt = formats.choose(FIXTURE, None)
    assert fmt.name == "jsonfeed"
    parsed = fmt.read(FIXTURE)
    items = {item.source_id.rsplit("/", 1)[1]: item for item in parsed.items}
    note = items["a-short-note.html"]
    assert note.title == "" and note.kind == "note" and note.tags == ("Walks",)
    assert note.published == datetime(2024, 5, 1, 7, 12, tzinfo=UTC)
    assert note.old_urls == ("https://ada.micro.blog/2024/05/01/a-short-note.html",)
    assert items["on-bread.html"].kind == "article"
    text = items["text-only.html"].content
    assert text == "<p>Plain text &lt;b&gt;not bold&lt;/b&gt;.</p><p>Second paragraph.</p>"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not json", "the JSON cannot be read"),
        (b'{"version": "https://example.com", "items": []}', "no https://jsonfeed.org"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": {}}', "not a list"),
    ],
)
def test_what_is_not_a_json_feed_is_refused_with_a_message(data, message):
    with pytest.raises(Invalid) as raised:
        parse_feed(data)
    assert message in raised.value.message


def test_an_item_without_an_id_or_content_or_with_a_bad_date_is_refused_alone():
    parsed = parse_feed(
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": ['
        b'{"content_html": "x"}, {"id": "2"}, {"id": "3", "content_text": "x",'
        b' "date_published": "yesterday"}, {"id": "4", "content_text": "fine"}]}'
    )
    assert [item.source_id for item in parsed.items] == ["4"]
    assert [(r.source_id, r.reason) for r in parsed.refused] == [
        ("item 1", "it has no `id`"),
        ("2", "it has neither `content_html` nor `content_text`"),
        ("3", "its date 'yesterday' is not an RFC 3339 date"),
    ]


async def test_the_feed_imports_as_entries_cleaned_and_the_private_image_refused(db, resources):
    ada = await make_author(db, "Ada")
    target = Target(ada.channel_id, ada.channel, "en", ada.author_id)
    summary = await import_parsed(resources, formats.choose(FIXTURE, None).read(FIXTURE), target)
    assert len(summary.created) == 3
    [(label, why)] = summary.refused
    assert label.endswith("sneaky.html") and "http://10.1.2.3/metadata.png: refused" in why
    rows = await db.fetch(
        """SELECT e.status, e.published_at, t.title, t.content_html,
                  ARRAY(SELECT name FROM entry_categories c WHERE c.entry_id = e.id
                        ORDER BY position) AS tags
           FROM entries e JOIN entry_translations t ON t.entry_id = e.id
           ORDER BY e.published_at"""
    )
    assert [r["published_at"] for r in rows] == [
        datetime(2024, 4, 2, 12, tzinfo=UTC),
        datetime(2024, 4, 20, 22, 30, tzinfo=UTC),
        datetime(2024, 5, 1, 7, 12, tzinfo=UTC),
    ]
    assert all(r["status"] == "published" for r in rows)
    bread = rows[1]
    assert bread["title"] == "On bread" and bread["tags"] == ["Food", "Bread"]
    assert "Crust matters." in bread["content_html"]
    assert "<script" not in bread["content_html"] and "onclick" not in bread["content_html"]
    assert await db.fetchval("SELECT count(*) FROM media") == 0  # nothing of the refused item

    again = await import_parsed(resources, formats.choose(FIXTURE, None).read(FIXTURE), target)
    assert (len(again.created), len(again.skipped)) == (0, 3)
