from datetime import UTC, datetime, timedelta

import pytest

from hub.core.errors import Invalid
from hub.micropub.mf2 import FileRef
from hub.micropub.properties import (
    Attachment,
    apply_heading_rule,
    normalise_categories,
    normalise_slug,
    project,
)

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def fields(properties, commands=None, **kwargs):
    return project(properties, commands, now=NOW, **kwargs)


def test_string_content_is_markdown_with_raw_html_escaped():
    f = fields({"content": ["Hello **world** <b>x</b>"]})
    assert f.body_format == "markdown" and f.body_source == "Hello **world** <b>x</b>"
    assert "<strong>world</strong>" in f.content_html
    assert "&lt;b&gt;x&lt;/b&gt;" in f.content_html


def test_html_content_is_sanitised_not_escaped():
    f = fields({"content": [{"html": "<b>bold</b><i>it</i><script>x()</script>"}]})
    assert f.body_format == "html"
    assert "<b>bold</b><i>it</i>" in f.content_html and "script" not in f.content_html


def test_only_the_first_content_value_is_used_the_rest_kept():
    f = fields({"content": ["one", "two"]})
    assert f.body_source == "one" and f.properties["content"] == ["one", "two"]


def test_bad_content_shape_is_invalid():
    with pytest.raises(Invalid):
        fields({"content": [{"type": ["h-card"]}]})


def test_name_and_summary():
    f = fields({"name": [" Title "], "summary": ["Short"], "content": ["Body"]})
    assert f.title == "Title" and f.summary == "Short" and f.post_type == "article"


def test_categories_are_trimmed_unhashed_and_deduplicated_keeping_display_case():
    assert normalise_categories(
        [" #Python", "python", "##Rust ", "", "#", {"type": ["h-card"]}]
    ) == (
        "Python",
        "Rust",
    )
    with pytest.raises(Invalid):
        normalise_categories(["x" * 201])


def test_published_with_offset_is_utc():
    f = fields({"content": ["x"], "published": ["2025-06-15T10:30:00+02:00"]})
    assert f.published_at == datetime(2025, 6, 15, 8, 30, tzinfo=UTC)
    assert f.status == "published"


def test_published_without_offset_uses_the_channel_timezone():
    f = fields({"content": ["x"], "published": ["2025-01-15T10:30:00"]}, timezone="Europe/Berlin")
    assert f.published_at == datetime(2025, 1, 15, 9, 30, tzinfo=UTC)


def test_published_absent_is_now_and_z_suffix_parses():
    assert fields({"content": ["x"]}).published_at == NOW
    f = fields({"content": ["x"], "published": ["2025-06-15T10:30:00Z"]})
    assert f.published_at == datetime(2025, 6, 15, 10, 30, tzinfo=UTC)


def test_future_published_schedules_with_a_minute_of_grace():
    soon = (NOW + timedelta(seconds=30)).isoformat()
    later = (NOW + timedelta(days=1)).isoformat()
    assert fields({"content": ["x"], "published": [soon]}).status == "published"
    assert fields({"content": ["x"], "published": [later]}).status == "scheduled"
    draft = fields({"content": ["x"], "published": [later], "post-status": ["draft"]})
    assert draft.status == "draft"


@pytest.mark.parametrize("value", ["yesterday", "", "2025-13-01T00:00:00Z", 5])
def test_unparseable_published_is_invalid(value):
    with pytest.raises(Invalid):
        fields({"content": ["x"], "published": [value]})


def test_post_status_and_visibility():
    f = fields({"content": ["x"], "post-status": ["draft"], "visibility": ["unlisted"]})
    assert (f.post_status, f.status, f.visibility) == ("draft", "draft", "unlisted")
    assert fields({"content": ["x"]}).visibility == "public"
    with pytest.raises(Invalid):
        fields({"content": ["x"], "post-status": ["pending"]})
    with pytest.raises(Invalid):
        fields({"content": ["x"], "visibility": ["secret"]})


def test_forced_draft_wins_over_the_request():
    f = fields({"content": ["x"], "post-status": ["published"]}, forced_status="draft")
    assert f.status == "draft"


def test_mp_slug_is_normalised():
    assert normalise_slug(["Ünïcödé Straße & more!"]) == "unicode-strasse-more"
    assert len(normalise_slug(["word " * 40])) <= 80
    assert normalise_slug(["!!!"]) is None
    assert fields({"content": ["x"]}, {"mp-slug": ["My Post"]}).slug == "my-post"


def test_attachments_in_order_with_alt_from_object_or_mp_photo_alt():
    f = fields(
        {
            "photo": [
                "https://e.x/1.jpg",
                {"value": "https://e.x/2.jpg", "alt": "Two"},
                FileRef(0),
            ],
            "video": ["https://e.x/v.mp4"],
        },
        {"mp-photo-alt": ["One", "ignored", "Three"]},
    )
    assert f.attachments == (
        Attachment("photo", "https://e.x/1.jpg", None, "One"),
        Attachment("photo", "https://e.x/2.jpg", None, "Two"),
        Attachment("photo", None, FileRef(0), "Three"),
        Attachment("video", "https://e.x/v.mp4", None, ""),
    )


def test_attachment_that_is_not_a_url_is_invalid():
    with pytest.raises(Invalid):
        fields({"photo": ["not a url"]})


def test_targets_from_urls_and_nested_citations():
    cite = {"type": ["h-cite"], "properties": {"url": ["https://e.x/post"], "name": ["P"]}}
    f = fields({"in-reply-to": [cite], "like-of": ["https://e.x/liked"]})
    assert [(t.kind, t.url) for t in f.targets] == [
        ("in-reply-to", "https://e.x/post"),
        ("like-of", "https://e.x/liked"),
    ]
    assert f.targets[0].cite == cite and f.post_type == "like"


def test_location_from_geo_uri_and_nested_h_geo():
    assert fields({"content": ["x"], "location": ["geo:37.78,-122.4;u=35"]}).location == (
        37.78,
        -122.4,
    )
    card = {"type": ["h-card"], "properties": {"latitude": ["1.5"], "longitude": ["2.5"]}}
    assert fields({"checkin": [card]}).location == (1.5, 2.5)


def test_commands_syndicate_to_and_destination():
    f = fields({"content": ["x"]}, {"mp-syndicate-to": ["a", "b"], "mp-destination": ["d"]})
    assert f.syndicate_to == ("a", "b") and f.destination == "d"


def test_unknown_properties_are_kept_verbatim():
    weight = [{"type": ["h-measure"], "properties": {"num": ["70"]}}]
    assert fields({"summary": ["s"], "x-weight": weight}).properties["x-weight"] == weight


def test_heading_becomes_the_name_and_leaves_the_content():
    assert apply_heading_rule({"content": ["\n# My Title\n\nBody text"]}) == {
        "content": ["Body text"],
        "name": ["My Title"],
    }


def test_heading_equal_to_the_name_is_dropped():
    result = apply_heading_rule({"name": ["T"], "content": ["## T ##\nBody"]})
    assert result == {"name": ["T"], "content": ["Body"]}


def test_heading_differing_from_the_name_stays():
    props = {"name": ["Other"], "content": ["# T\nBody"]}
    assert apply_heading_rule(props) == props


@pytest.mark.parametrize(
    "content", ["#tag is a hashtag", "Text first\n# Later heading", {"html": "<h1>T</h1>"}]
)
def test_no_heading_rule_for_hashtags_later_headings_or_html(content):
    props = {"content": [content]}
    assert apply_heading_rule(props) == props


def test_heading_only_content_becomes_a_titled_post_without_content():
    assert apply_heading_rule({"content": ["# Just a title"]}) == {"name": ["Just a title"]}
