import pytest

from hub.core.errors import Invalid
from hub.micropub.updates import apply_operations, parse_operations

POST = {"content": ["hello"], "category": ["test1"], "x-weight": [{"type": ["h-measure"]}]}


def apply(body, props=POST):
    return apply_operations(props, parse_operations(body))


def test_replace_sets_values_and_keeps_the_rest():
    result = apply({"replace": {"content": ["new"]}})
    assert result == {**POST, "content": ["new"]}
    assert POST["content"] == ["hello"]  # the input is never changed


def test_replace_creates_a_missing_property():
    assert apply({"replace": {"name": ["Title"]}})["name"] == ["Title"]


def test_replace_with_empty_array_removes_the_property():
    assert "category" not in apply({"replace": {"category": []}})


def test_add_to_existing_property():
    assert apply({"add": {"category": ["test2"]}})["category"] == ["test1", "test2"]


def test_add_creates_a_missing_property():
    assert apply({"add": {"syndication": ["https://s.x/1"]}})["syndication"] == ["https://s.x/1"]


def test_add_category_dedupes_ignoring_case_syndication_exactly():
    assert apply({"add": {"category": ["TEST1", "b", "B"]}})["category"] == ["test1", "b"]
    props = {"syndication": ["https://s.x/1"]}
    result = apply({"add": {"syndication": ["https://s.x/1", "https://S.x/1"]}}, props)
    assert result["syndication"] == ["https://s.x/1", "https://S.x/1"]


def test_delete_values_removes_matches_only():
    props = {"category": ["test1", "test2"]}
    assert apply({"delete": {"category": ["test2"]}}, props) == {"category": ["test1"]}


def test_delete_values_category_ignores_case_and_objects_match_deeply():
    props = {"category": ["Test1", {"type": ["h-card"], "properties": {"name": ["A"]}}]}
    body = {"delete": {"category": ["test1", {"type": ["h-card"], "properties": {"name": ["A"]}}]}}
    assert apply(body, props) == {}


def test_delete_values_absent_is_not_an_error():
    assert apply({"delete": {"photo": ["https://e.x/1"]}}) == POST


def test_delete_list_removes_whole_properties():
    assert apply({"delete": ["category", "missing"]}) == {
        "content": ["hello"],
        "x-weight": POST["x-weight"],
    }


def test_order_is_replace_add_delete():
    body = {
        "replace": {"category": ["a"]},
        "add": {"category": ["b"]},
        "delete": {"category": ["a"]},
    }
    assert apply(body)["category"] == ["b"]


def test_mp_names_are_commands_not_properties():
    ops = parse_operations({"replace": {"mp-slug": ["new"]}, "add": {"mp-syndicate-to": ["x"]}})
    assert ops.commands == {"mp-slug": ["new"], "mp-syndicate-to": ["x"]}
    assert ops.replace == {} and ops.add == {}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"replace": "text"},
        {"replace": {"content": "text"}},
        {"add": {"category": "x"}},
        {"add": ["category"]},
        {"delete": "category"},
        {"delete": [1]},
        {"delete": {"category": "x"}},
        {"replace": {"content": [None]}},
        {"replace": {"content": [["nested"]]}},
        {"replace": {"": ["x"]}},
    ],
)
def test_bad_shapes_are_invalid(body):
    with pytest.raises(Invalid):
        parse_operations(body)
