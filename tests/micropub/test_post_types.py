import pytest

from hub.micropub.post_types import POST_TYPES, discover


@pytest.mark.parametrize(
    ("kind", "properties", "expected"),
    [
        ("event", {"name": ["Party"]}, "event"),
        ("entry", {"rsvp": ["yes"], "in-reply-to": ["https://e.x/"]}, "rsvp"),
        ("entry", {"rsvp": ["perhaps"], "in-reply-to": ["https://e.x/"]}, "reply"),
        ("entry", {"repost-of": ["https://e.x/"], "like-of": ["https://e.x/"]}, "repost"),
        ("entry", {"like-of": ["https://e.x/"], "in-reply-to": ["https://e.x/"]}, "like"),
        ("entry", {"in-reply-to": ["https://e.x/"], "bookmark-of": ["https://e.x/"]}, "reply"),
        ("entry", {"bookmark-of": ["https://e.x/"], "checkin": ["geo:1,2"]}, "bookmark"),
        ("entry", {"checkin": [{"type": ["h-card"]}], "video": ["https://e.x/v"]}, "checkin"),
        ("entry", {"video": ["https://e.x/v"], "audio": ["https://e.x/a"]}, "video"),
        ("entry", {"audio": ["https://e.x/a"], "photo": ["https://e.x/p"]}, "audio"),
        ("entry", {"photo": ["https://e.x/p"], "name": ["Title"]}, "photo"),
        ("entry", {"name": ["Title"], "content": ["Some body"]}, "article"),
        ("entry", {"name": ["Hello  world"], "content": ["Hello world, more"]}, "note"),
        ("entry", {"name": ["Hello"], "content": ["**Hello** there"]}, "note"),
        ("entry", {"name": ["Hi"], "content": [{"html": "<p>Hi <b>you</b></p>"}]}, "note"),
        ("entry", {"content": ["Just text"]}, "note"),
        ("entry", {"name": [""], "content": ["x"]}, "note"),
        ("entry", {"name": ["Only a title"]}, "article"),
        ("entry", {"name": ["Hello wor"], "content": ["Hello *world* again"]}, "note"),
        ("entry", {"name": ["Hello world again!"], "content": ["Hello world again"]}, "article"),
        ("entry", {"name": ["Long  read"], "content": ["Long read. " * 10_000]}, "note"),
        ("entry", {"name": ["Long reads"], "content": ["Long read. " * 10_000]}, "article"),
        ("entry", {"name": ["A b"], "content": [{"value": "A  b\nc"}]}, "note"),
    ],
)
def test_discover(kind, properties, expected):
    assert discover(kind, properties) == expected


def test_announced_post_types_cover_every_kind():
    assert [t["type"] for t in POST_TYPES] == [
        "note", "article", "photo", "video", "audio", "reply", "like", "repost", "bookmark",
        "rsvp", "checkin", "event",
    ]  # fmt: skip
