import random

import pytest
from slugify import slugify

from hub.core.slugs import RESERVED_CHANNEL_SLUGS, is_valid_slug, next_free_slug, slugify_text


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Ünïcödé Über Straße", "unicode-uber-strasse"),
        ("Привет мир", "privet-mir"),
        ("Hello,   World!", "hello-world"),
        ("  --Already-Slugged--  ", "already-slugged"),
    ],
)
def test_slugify_transliterates_and_lowercases(text, slug):
    assert slugify_text(text) == slug


def test_slugify_transliterates_cjk():
    slug = slugify_text("中文标题")
    assert slug and is_valid_slug(slug)


def test_slugify_with_underscore_separator():
    assert slugify_text("Winter Car Care", separator="_") == "winter_car_care"
    assert slugify_text("mixed-up words", separator="_") == "mixed_up_words"


def test_slugify_truncates_at_word_boundary():
    assert slugify_text("hello wonderful world", max_length=15) == "hello-wonderful"
    assert slugify_text("hello wonderful world", max_length=14) == "hello"


def test_slugify_cuts_a_single_long_word():
    assert slugify_text("a" * 30 + " b", max_length=10) == "a" * 10


@pytest.mark.parametrize("text", ["", "!!!", "\U0001f389\U0001f600", "   "])
def test_slugify_returns_empty_when_nothing_is_left(text):
    assert slugify_text(text) == ""


def test_next_free_slug_returns_base_when_free():
    assert next_free_slug("post", {"other"}) == "post"


def test_next_free_slug_finds_smallest_free_suffix():
    assert next_free_slug("a", {"a", "a-2"}) == "a-3"
    assert next_free_slug("a", {"a", "a-3"}) == "a-2"


def test_next_free_slug_uses_separator():
    assert next_free_slug("car_care", {"car_care"}, separator="_") == "car_care_2"


def test_next_free_slug_trims_base_to_fit_suffix():
    base = "word-" * 3 + "end"  # 18 characters
    slug = next_free_slug(base, {"word-word"}, max_length=10)
    assert len(slug) <= 10
    assert slug == "word-wor-2"


def test_next_free_slug_does_not_end_stem_with_separator():
    assert next_free_slug("abcd-efgh", {"abcd-ef"}, max_length=7) == "abcd-2"


def test_next_free_slug_trims_overlong_free_base():
    assert next_free_slug("abcdefghij", set(), max_length=5) == "abcde"


@pytest.mark.parametrize("slug", ["a", "post", "winter_car_care", "my-post-2", "a1_b2-c3"])
def test_valid_slugs(slug):
    assert is_valid_slug(slug)


@pytest.mark.parametrize(
    "slug", ["", "Post", "-post", "post-", "a--b", "a_-b", "with space", "ü", "a.b", "a/b"]
)
def test_invalid_slugs(slug):
    assert not is_valid_slug(slug)


def test_valid_slug_length_limits():
    assert not is_valid_slug("a", min_length=2)
    assert is_valid_slug("ab", min_length=2)
    assert not is_valid_slug("a" * 101)
    assert is_valid_slug("a" * 64, max_length=64)


def test_reserved_channel_slugs():
    assert {"api", "micropub", "feed", ".well-known", "dashboard"} <= RESERVED_CHANNEL_SLUGS
    assert isinstance(RESERVED_CHANNEL_SLUGS, frozenset)


def test_text_that_already_is_a_slug_comes_back_as_python_slugify_gives_it():
    # slugify_text skips python-slugify for such text: it must give the same slug
    rng = random.Random(5)
    alphabet = "abcz0189-_"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 30)))
        for separator in ("-", "_"):
            assert slugify_text(text, separator=separator, max_length=0) == slugify(
                text, separator=separator
            ), (text, separator)
