import pytest

from hub.core.slugs import RESERVED_CHANNEL_SLUGS, is_valid_slug, next_free_slug, slugify_text


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Ünïcödé Über Straße", "unicode-uber-strasse"),
        ("Привет мир", "privet-mir"),
        ("Hello, World!", "hello-world"),
        ("  --Already--Slugged--  ", "already-slugged"),
        ("!!!", ""),
        ("🙂🙂", ""),
    ],
)
def test_slugs_are_transliterated_lowercase_ascii(text, slug):
    assert slugify_text(text) == slug


def test_cjk_is_transliterated_not_dropped():
    assert slugify_text("東京") != "" and is_valid_slug(slugify_text("東京"))


def test_v1_slugs_use_underscores():
    assert slugify_text("Winter Car Care", separator="_") == "winter_car_care"


def test_long_text_is_cut_at_a_word_boundary():
    slug = slugify_text("word " * 40, max_length=20)
    assert len(slug) <= 20 and not slug.endswith("-") and slug.startswith("word-word")


def test_next_free_slug_takes_the_smallest_free_suffix():
    assert next_free_slug("a", set()) == "a"
    assert next_free_slug("a", {"a", "a-2"}) == "a-3"
    assert next_free_slug("a", {"a"}, separator="_") == "a_2"


def test_next_free_slug_stays_within_the_maximum_length():
    base = "x" * 10
    assert next_free_slug(base, {base}, max_length=10) == "x" * 8 + "-2"


def test_valid_slugs_and_reserved_names():
    assert is_valid_slug("winter_car_care") and is_valid_slug("a-b-1")
    assert not is_valid_slug("Winter") and not is_valid_slug("a--b") and not is_valid_slug("-a")
    assert not is_valid_slug("a", min_length=2)
    assert {"api", "micropub", "dashboard", "storage"} <= RESERVED_CHANNEL_SLUGS
