"""Pure: the `q=source` document and the properties an update starts from."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.micropub.source import effective_properties, source_view

CONTENT = {"title": "", "excerpt": None, "body_format": "markdown", "body_source": "Hello"}


def test_stored_properties_verbatim_when_they_agree_with_the_model():
    stored = {
        "content": ["Hello"],
        "category": ["#Tag"],
        "x-y": [{"a": 1}],
        "mp-slug": ["s"],
        "access_token": ["t"],
    }
    props = effective_properties(stored, CONTENT, ["Tag"])
    assert props == {"content": ["Hello"], "category": ["#Tag"], "x-y": [{"a": 1}]}


def test_model_wins_where_another_api_changed_it():
    stored = {"content": ["Old"], "name": ["Old title"], "category": ["a", {"type": ["h-card"]}]}
    content = {
        "title": "New",
        "excerpt": "Teaser",
        "body_format": "html",
        "body_source": "<p>N</p>",
    }
    props = effective_properties(stored, content, ["b"])
    assert props["name"] == ["New"] and props["summary"] == ["Teaser"]
    assert props["content"] == [{"html": "<p>N</p>"}]
    assert props["category"] == ["b", {"type": ["h-card"]}]


def test_empty_model_values_remove_the_property():
    stored = {"name": ["Gone"], "content": ["Gone"]}
    empty = {"title": "", "excerpt": None, "body_format": "markdown", "body_source": ""}
    assert effective_properties(stored, empty, []) == {}


def test_source_view_derives_gaps_and_filters():
    when = datetime(2025, 6, 15, 10, 30, tzinfo=UTC)
    view = source_view(
        {"content": ["x"], "published": ["2025-06-15T10:30:00Z"], "post-status": ["draft"]},
        kind="note",
        post_status="published",
        visibility="unlisted",
        published=when,
        updated=when,
        url="u",
        uid="u",
        timezone="Europe/Berlin",
    )
    props = view["properties"]
    assert view["type"] == ["h-entry"]
    assert props["published"] == ["2025-06-15T10:30:00Z"]  # as sent
    assert props["updated"] == ["2025-06-15T12:30:00+02:00"]
    assert props["post-status"] == ["published"] and props["visibility"] == ["unlisted"]
    only = source_view(
        {"content": ["x"]}, kind="event", post_status="draft", visibility="public",
        published=None, updated=None, url="u", uid="u", timezone="UTC", only=["content", "nope"],
    )  # fmt: skip
    assert only == {"properties": {"content": ["x"]}}
