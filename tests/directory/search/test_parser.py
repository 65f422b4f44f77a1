"""hub/directory/search/parser.py and search.py: the query language, table-tested (pure)."""

from __future__ import annotations

import random
import re

import pytest

from hub.directory.search.parser import QueryError, canonical, parse
from hub.directory.search.sql import Expansion, compile_query, glob_like, glob_regex


@pytest.mark.parametrize(
    ("q", "parsed"),
    [
        ("apple", "apple"),
        ("apple pie", "apple AND pie"),
        ("apple AND pie", "apple AND pie"),
        ("apple && pie", "apple AND pie"),
        ("apple or pie", "apple OR pie"),
        ("apple || pie", "apple OR pie"),
        ("a b or c", "(a AND b) OR c"),
        ("a (b or c)", "a AND (b OR c)"),
        (
            "apple type:microblog or title:(open sesame)",
            "(apple AND type:microblog) OR (title:open AND title:sesame)",
        ),
        (
            '("current events" or news) and (spain or italy)',
            '("current events" OR news) AND (spain OR italy)',
        ),
        ("NOT spam", "NOT spam"),
        ("-spam", "NOT spam"),
        ("!spam", "NOT spam"),
        ("not spam", "NOT spam"),
        ("apple -(pie or tart)", "apple AND NOT (pie OR tart)"),
        ("+apple", "apple"),
        ("TITLE:Apple", "title:Apple"),
        ('description:"open web"', 'description:"open web"'),
        ("app*", "app*"),
        ("ap?le", "ap?le"),
        ("title:ap*", "title:ap*"),
        ("appel~", "appel~"),
        ("appel~1", "appel~1"),
        ("appel~0", "appel"),
        ("link:example.com", "link:example.com"),
        ("link:*example*", "link:*example*"),
        ("type:*blog", "type:*"),
        ("type:micro*", "type:microblog"),
        ("type:*o*blog", "type:microblog OR type:photoblog"),
        ("description:*", "description:*"),
        ("total_recommendations:5", "total_recommendations:5"),
        ("total_recommendations:>5", "total_recommendations:{5 TO *]"),
        ("total_recommendations:>=5", "total_recommendations:[5 TO *]"),
        ("total_recommendations:<5", "total_recommendations:[* TO 5}"),
        ("total_recommendations:[1 TO 10]", "total_recommendations:[1 TO 10]"),
        ("total_recommendations:{1 TO *}", "total_recommendations:{1 TO *]"),
        ("apple http://x", 'apple AND "http://x"'),  # unknown prefix: a plain word
        ("foo:bar", '"foo:bar"'),
        ('"and"', '"and"'),
        (r"a\:b", '"a:b"'),
        (r"c\+\+", '"c++"'),
        ("apple^2", "apple"),
        ('"a b"~3', '"a b"'),
    ],
)
def test_parse_and_canonical(q, parsed):
    assert canonical(parse(q).ast) == parsed


def test_ignored_features_are_reported():
    assert parse('apple^2 "a b"~3').ignored == ("boost ^2", "proximity ~3")


def test_url_queries_become_link_filters():
    for q in ("https://orchard.example/feed.xml", "orchard.example", "orchard.example/blog"):
        parsed = parse(q)
        assert parsed.url_query == q and canonical(parsed.ast).startswith("link:")


def test_fixes_type():
    assert parse("a type:blog").fixes_type and not parse("a").fixes_type


@pytest.mark.parametrize(
    ("q", "message", "position"),
    [
        ("(apple", "Unbalanced parenthesis.", 0),
        ("apple)", "Unbalanced parenthesis.", 5),
        ("a (b (c)", "Unbalanced parenthesis.", 2),
        ('"open', "Unterminated quoted phrase.", 0),
        ("()", "Empty parentheses.", 0),
        ("apple OR", "The query ends too early.", 8),
        ("NOT", "NOT needs a term after it.", 0),
        ("title:(link:x)", "A field filter cannot be used inside a field group.", 7),
        ("type:podcast", "type must be one of blog, microblog, photoblog.", 5),
        ("*", "A wildcard term needs at least 2 other characters.", 0),
        ("a*", "A wildcard term needs at least 2 other characters.", 0),
        ("title:", "title: needs a value.", 6),
        ("total_recommendations:many", "total_recommendations takes a whole number.", 22),
        ("total_recommendations:[1 TO", "Unterminated range.", 22),
        ("title:[1 TO 2]", "title does not take a range.", 6),
        ("(" * 9 + "a" + ")" * 9, "The query nests deeper than 8 levels.", 8),
    ],
)
def test_syntax_errors_have_a_position(q, message, position):
    with pytest.raises(QueryError) as error:
        parse(q)
    assert error.value.message == message
    assert error.value.position == position


def test_limits():
    parse(" ".join(f"w{i}" for i in range(32)))
    with pytest.raises(QueryError, match="more than 32 terms"):
        parse(" ".join(f"w{i}" for i in range(33)))
    parse(" ".join(f"w{i}~" for i in range(8)))
    with pytest.raises(QueryError, match="wildcard or fuzzy"):
        parse(" ".join(f"ab{i}*" for i in range(9)))
    with pytest.raises(QueryError, match="longer than 512"):
        parse("a" * 513)
    with pytest.raises(QueryError, match="q is required"):
        parse("   ")


def test_glob_helpers():
    assert glob_regex("app*") == r"\mapp[[:alnum:]_]*\M"
    assert glob_regex("a.b?") == r"\ma\.b[[:alnum:]_]\M"
    assert glob_regex(r"c\*x*") == r"\mc\*x[[:alnum:]_]*\M"
    assert glob_like("*ex_am%ple*") == r"%%ex\_am\%ple%%"


def test_compiled_sql_is_placeholders_only():
    parsed = parse("apple type:microblog or title:(open sesame) link:x.example -spam appel~ ap*")
    compiled = compile_query(parsed.ast)
    assert "apple" not in compiled.where and "sesame" not in compiled.where
    assert "apple" in compiled.params and "sesame" in compiled.params
    assert compiled.fuzzy_threshold == 0.5
    placeholders = {int(n) for n in re.findall(r"\$(\d+)", compiled.where + compiled.score)}
    assert placeholders == set(range(1, len(compiled.params) + 1))


def test_wildcard_and_fuzzy_terms_expand_in_their_own_query_before_the_search():
    compiled = compile_query(parse("gard* title:appel~1 pear~").ast)
    glob, fuzzy, lowest = (p for p in compiled.params if isinstance(p, Expansion))
    assert glob.values == (glob_regex("gard*"),)
    assert fuzzy.values == ("appel", 0.7)  # its own threshold: above the query's lowest
    assert lowest.values == ("pear",) and compiled.fuzzy_threshold == 0.5
    assert "hub_unaccent($3)" in glob.sql(3)
    assert "word_similarity($1, w.word) >= $2" in fuzzy.sql(1)
    # each is one parameter of the search, a tsquery the planner can read
    assert "$1::tsquery" in compiled.where and "$2::tsquery" in compiled.where


HOSTILE = ["'; DROP TABLE sites; --", "$1", "$$", "\\", "' OR 1=1 --", "%", "_", "{a}",
           "/* x */", ");", "ü\u0000", "日本語", "E'\\x00'", "::text", "--"]  # fmt: skip


def test_hostile_user_text_only_reaches_params():
    rng = random.Random(7)
    for _ in range(400):
        words = [rng.choice(HOSTILE) + rng.choice(["", "x", "ab*", "~"]) for _ in range(3)]
        glue = rng.choice([" ", " OR ", " AND ", " -"])
        field = rng.choice(["", "title:", "description:", "link:"])
        q = field + '"' + words[0].replace('"', "") + '"' + glue + glue.join(words[1:])
        try:
            parsed = parse(q)
        except QueryError:
            continue
        compiled = compile_query(parsed.ast)
        expansions = [p.sql(1) for p in compiled.params if isinstance(p, Expansion)]
        sql = compiled.where + compiled.score + "".join(expansions)
        for fragment in ("DROP", "1=1", "/*", "日本", "::text"):
            assert fragment not in sql, (q, sql)
