import copy
import random

import pytest

from hub.core.errors import Invalid
from hub.core.inputs import clean_document, clean_storable

DEPTH = 32
ALPHABET = ["a", "é", " ", "\x01", "\x7f", "\x85", "\ufffe", "\ud800", "\t", "☃"]


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 6)))


def _document(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 4 or roll < 0.4:
        return rng.choice([_text(rng), _text(rng), 7, 1.5, True, None])
    if roll < 0.7:
        return [_document(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    return {_text(rng): _document(rng, depth + 1) for _ in range(rng.randrange(0, 4))}


def _nest(levels: int):
    value: object = "x"
    for _ in range(levels):
        value = [value]
    return value


def test_cleans_like_clean_document():
    rng = random.Random(20)
    for _ in range(500):
        document = {"properties": _document(rng)}
        assert clean_storable(copy.deepcopy(document), DEPTH) == clean_document(document)


def test_removes_what_no_output_carries_in_keys_and_values():
    document = {"a\x85b": ["c\x7fd", {"e\x01": "f\ufffeg"}], "ok": "☃"}
    assert clean_storable(document, DEPTH) == {"ab": ["cd", {"e": "fg"}], "ok": "☃"}
    assert clean_storable("x\x9fy", DEPTH) == "xy"
    assert clean_storable(7, DEPTH) == 7


@pytest.mark.parametrize(
    "document",
    [
        "a\x00b",
        {"content": ["a\x00b"]},
        {"x\x00": ["a"]},
        {"x": [{"a": [["\x00"]]}]},
        {"x": ["\x85", "\x00"]},
    ],
)
def test_refuses_nul_anywhere(document):
    with pytest.raises(Invalid) as refused:
        clean_storable(document, DEPTH)
    assert refused.value.code == "nul"


def test_refuses_nesting_from_the_limit_on():
    clean_storable({"x": _nest(DEPTH - 1)}, DEPTH)  # the deepest list is at level 31
    with pytest.raises(Invalid) as refused:
        clean_storable({"x": _nest(DEPTH)}, DEPTH)
    assert refused.value.code == "deep"
    with pytest.raises(Invalid):
        clean_storable({"x": [{"y": _nest(DEPTH - 2)}]}, DEPTH)


@pytest.mark.parametrize("slice_size", [1, 3, 7])
def test_clean_text_in_slices_removes_what_one_pass_removes(monkeypatch, slice_size):
    """A long text is searched and cleaned slice by slice (a worker thread hands the loop the
    GIL between them): the result is the one-pass result, whatever lands on a slice's edge."""
    from hub.core import inputs

    rng = random.Random(slice_size)
    texts = [_text(rng) * rng.randrange(1, 8) for _ in range(2000)]
    expected = [inputs._NOT_OUTPUT.sub("", t) for t in texts]
    monkeypatch.setattr(inputs, "_SLICE", slice_size)
    assert [inputs.clean_text(t) for t in texts] == expected
