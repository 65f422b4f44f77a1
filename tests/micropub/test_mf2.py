import pytest

from hub.core.errors import Invalid
from hub.micropub.mf2 import FileRef, form_access_token, parse_form, parse_json


def test_form_create_defaults_to_entry_and_wraps_single_values():
    req = parse_form([("h", "entry"), ("content", "Hello **world**"), ("category", "x")])
    assert req.action == "create" and req.type == "entry"
    assert req.properties == {"content": ["Hello **world**"], "category": ["x"]}


def test_form_brackets_and_repeated_names_are_arrays_in_order():
    req = parse_form(
        [("content", "c"), ("category[]", "a"), ("category[]", "b"), ("tag", "1"), ("tag", "2")]
    )
    assert req.properties["category"] == ["a", "b"]
    assert req.properties["tag"] == ["1", "2"]


def test_form_content_html_and_value_make_one_object():
    req = parse_form([("content[html]", "<b>hi</b>"), ("content[value]", "hi")])
    assert req.properties["content"] == [{"html": "<b>hi</b>", "value": "hi"}]


def test_form_other_bracket_keys_are_literal_property_names():
    req = parse_form([("content", "c"), ("location[latitude]", "1")])
    assert req.properties["location[latitude]"] == ["1"]


def test_form_reserved_names_and_commands_are_not_properties():
    req = parse_form(
        [
            ("access_token", "secret"),
            ("h", "entry"),
            ("content", "c"),
            ("mp-slug", "Hello"),
            ("mp-syndicate-to[]", "a"),
            ("syndicate-to", "b"),
        ]
    )
    assert req.properties == {"content": ["c"]}
    assert req.commands == {"mp-slug": ["Hello"], "mp-syndicate-to": ["a", "b"]}


def test_form_access_token_is_read_apart():
    assert form_access_token([("content", "x"), ("access_token", "t")]) == "t"
    assert form_access_token([("content", "x")]) is None


def test_form_empty_values_count_as_not_sent():
    req = parse_form([("content", "c"), ("name", "")])
    assert "name" not in req.properties


def test_form_unknown_properties_are_kept():
    req = parse_form([("content", "c"), ("x-rating", "5")])
    assert req.properties["x-rating"] == ["5"]


def test_form_file_parts_become_refs_mixed_with_urls_in_order():
    a, b = object(), object()
    req = parse_form(
        [("content", "c"), ("photo[]", a), ("photo[]", "https://e.x/1.jpg"), ("photo[]", b)]
    )
    assert req.properties["photo"] == [FileRef(0), "https://e.x/1.jpg", FileRef(1)]
    assert req.files == [a, b]


def test_form_file_under_another_name_is_invalid():
    with pytest.raises(Invalid):
        parse_form([("content", "c"), ("attachment", object())])


def test_form_event_type():
    req = parse_form([("h", "event"), ("name", "Party"), ("url", "https://e.x/")])
    assert req.type == "event" and req.properties["url"] == ["https://e.x/"]


def test_form_unsupported_type_is_invalid():
    with pytest.raises(Invalid, match="h-entry and h-event"):
        parse_form([("h", "card"), ("name", "x")])


def test_form_missing_content_is_invalid():
    with pytest.raises(Invalid, match="Missing content"):
        parse_form([("h", "entry"), ("category", "x")])


def test_form_delete_and_undelete_need_a_url():
    assert parse_form([("action", "delete"), ("url", "https://b.x/p")]).url == "https://b.x/p"
    req = parse_form([("url", "https://b.x/p"), ("action", "undelete")])
    assert req.action == "undelete" and req.url == "https://b.x/p"
    with pytest.raises(Invalid, match="url"):
        parse_form([("action", "delete")])
    with pytest.raises(Invalid):
        parse_form([("action", "delete"), ("url", "not a url")])


def test_form_update_is_refused():
    with pytest.raises(Invalid, match="JSON"):
        parse_form([("action", "update"), ("url", "https://b.x/p")])


def test_form_unknown_action_is_invalid():
    with pytest.raises(Invalid, match="Unsupported action"):
        parse_form([("action", "publish"), ("url", "https://b.x/p")])


def test_json_create_with_nested_objects_kept_verbatim():
    weight = {"type": ["h-measure"], "properties": {"num": ["70"], "unit": ["kg"]}}
    req = parse_json(
        {"type": ["h-entry"], "properties": {"summary": ["Weight"], "x-weight": [weight]}}
    )
    assert req.properties == {"summary": ["Weight"], "x-weight": [weight]}


def test_json_scalars_are_wrapped_on_create_and_nulls_dropped():
    req = parse_json({"properties": {"content": "hi", "name": None, "category": ["a", None]}})
    assert req.type == "entry"
    assert req.properties == {"content": ["hi"], "category": ["a"]}


def test_json_html_content_object():
    req = parse_json({"type": ["h-entry"], "properties": {"content": [{"html": "<b>x</b>"}]}})
    assert req.properties["content"] == [{"html": "<b>x</b>"}]


def test_json_commands_inside_properties_and_at_top_level():
    req = parse_json(
        {
            "type": ["h-entry"],
            "mp-slug": ["top"],
            "properties": {"content": ["c"], "mp-syndicate-to": ["x"], "access_token": ["t"]},
        }
    )
    assert req.properties == {"content": ["c"]}
    assert req.commands == {"mp-syndicate-to": ["x"], "mp-slug": ["top"]}


@pytest.mark.parametrize(
    "body",
    [[], "x", {"type": "h-card", "properties": {"name": ["x"]}}, {"properties": []}, {"type": []}],
)
def test_json_bad_documents_are_invalid(body):
    with pytest.raises(Invalid):
        parse_json(body)


def test_json_event_needs_name_or_start():
    assert (
        parse_json({"type": ["h-event"], "properties": {"start": ["2025-01-01"]}}).type == "event"
    )
    with pytest.raises(Invalid, match="Missing content"):
        parse_json({"type": ["h-event"], "properties": {"content": ["x"]}})


@pytest.mark.parametrize(
    "properties",
    [
        {"like-of": ["https://e.x/"]},
        {"summary": ["s"]},
        {"rsvp": ["yes"]},
        {"bookmark-of": ["https://e.x/"]},
    ],
)
def test_json_content_free_posts_are_valid(properties):
    assert parse_json({"type": ["h-entry"], "properties": properties}).action == "create"


def test_json_blank_content_is_missing_content():
    with pytest.raises(Invalid, match="Missing content"):
        parse_json({"type": ["h-entry"], "properties": {"content": ["  "]}})


def test_json_update_reads_operations():
    req = parse_json({"action": "update", "url": "https://b.x/p", "replace": {"content": ["new"]}})
    assert req.action == "update" and req.url == "https://b.x/p"
    assert req.operations.replace == {"content": ["new"]}


def test_json_update_without_url_is_invalid():
    with pytest.raises(Invalid, match="url"):
        parse_json({"action": "update", "replace": {"content": ["new"]}})


def test_json_delete():
    req = parse_json({"action": "delete", "url": "https://b.x/p"})
    assert req.action == "delete" and req.url == "https://b.x/p"
