"""Search AST → parameterised SQL (pine-blog-directory-resolved.md §3.4-3.5). Pure.

The SQL text produced here is made only of the fixed snippets below and `$n` placeholders;
every piece of user text travels as an asyncpg parameter. `tests/directory/test_search.py`
checks that with generated hostile queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hub.core.inputs import clamp
from hub.directory.search.parser import (
    And,
    Exists,
    Fuzzy,
    Glob,
    Link,
    Not,
    Or,
    Phrase,
    Range,
    TypeIs,
    Word,
)
from hub.directory.urlnorm import feed_key, site_key

# Fixed SQL per field; the keys are the only field names that reach SQL text.
_WEIGHTS = {"title": "'{a}'::\"char\"[]", "description": "'{b}'::\"char\"[]"}
_EXISTS = {
    "title": "s.title <> ''",
    "description": "coalesce(s.description, '') <> ''",
    "link": "s.link <> ''",
    "type": "TRUE",
    "total_recommendations": "TRUE",
}
FUZZY_WORDS = 64  # a fuzzy term expands to at most this many words, the most similar first
FUZZY_NEAR = 2000  # more words within a fuzzy term's threshold: the GiST index finds the nearest
GLOB_WORDS = 1000  # a wildcard term expands to at most this many words, the shortest first
# a vocabulary word as a quoted tsquery lexeme (backslash and quote escaped)
_LEXEME = r"'''' || replace(replace(w.word, '\', '\\'), '''', '''''') || ''''"
ORDERINGS = {
    "relevance": "score DESC",
    "total_recommendations": "s.total_recommendations ASC",
    "-total_recommendations": "s.total_recommendations DESC",
    "title": "lower(s.title) ASC",
    "-title": "lower(s.title) DESC",
    "updated_at": "s.last_post_at ASC NULLS FIRST",
    "-updated_at": "s.last_post_at DESC NULLS LAST",
    "created_at": "s.created_at ASC",
    "-created_at": "s.created_at DESC",
}


@dataclass(frozen=True)
class Expansion:
    """A parameter the database computes before the search: the tsquery (text; None when no
    word qualifies) of the vocabulary words that `words` selects, a query whose own
    placeholders are `{0}`, `{1}`, ... for `values`. Given to the search as a value, the
    planner sees its words and can tell a common one from a rare one."""

    words: str
    values: tuple

    def sql(self, first_param: int) -> str:
        """The scalar query computing the tsquery, its values from `$first_param` on."""
        words = self.words.format(*(f"${first_param + k}" for k in range(len(self.values))))
        return f"(SELECT string_agg({_LEXEME}, ' | ') FROM ({words}) w)"


@dataclass
class Compiled:
    where: str
    score: str
    params: list = field(default_factory=list)
    where_params: int = 0  # the WHERE uses params[:where_params]; the score may use more
    fuzzy_threshold: float | None = None  # lowest threshold, for pg_trgm's GUC
    exact: str | None = None  # a site link or feed URL is exactly the query's URL (ranks first)
    recommendations: bool = False  # a term on total_recommendations (the window's own order)
    # the words' and phrases' tsqueries as written in `where` and `score` (`text_tsquery`):
    # (index in params, function, placeholder), so a statement can take them computed
    texts: list[tuple[int, str, str]] = field(default_factory=list)
    # only text terms (words, phrases, wildcards, fuzzy): one plan of a tiered statement
    # serves whatever its words (`sites.plan_once`); a type term's plan depends on the words
    text_only: bool = True


def text_tsquery(function: str, placeholder: str) -> str:
    """The tsquery of a word's or phrase's text (`function`: plainto_tsquery or
    phraseto_tsquery), as the compiled statement computes it from its parameter."""
    return f"{function}('simple', hub_unaccent({placeholder}))"


def _matches(tsquery: str, field: str | None) -> str:
    """The site matches `tsquery`; with a field, within that field's weight (its words only).
    A GIN index serves each: `sites_search_idx`, or the field's own (`sites_title_search_idx`,
    `sites_description_search_idx`, on exactly this expression), so `title:garden` reads the
    sites with garden in the title, not every site that has the word somewhere."""
    if field is None:
        return f"(s.search_vector @@ {tsquery})"
    return f"(ts_filter(s.search_vector, {_WEIGHTS[field]}) @@ {tsquery})"


class _Compiler:
    def __init__(self, first_param: int, fuzzy_floor: float | None) -> None:
        self.params: list = []
        self.first = first_param
        self.positive_text: list[str] = []  # tsquery expressions of positive text leaves
        self.similarity: list[str] = []  # rank expressions of positive wildcard and fuzzy leaves
        self.exact_url: list[str] = []  # URL values that rank first on an exact match
        self.fuzzy_floor = fuzzy_floor
        self.recommendations = False
        self.texts: list[tuple[int, str, str]] = []
        self.text_only = True

    def param(self, value: object) -> str:
        self.params.append(value)
        return f"${self.first + len(self.params) - 1}"

    def expansion(self, node: Glob | Fuzzy, words: str, values: tuple, positive: bool) -> str:
        """A term matched through the vocabulary words `words` selects: the tsquery of those
        words is a parameter that `Expansion` computes before the search runs."""
        tsquery = f"{self.param(Expansion(words, values))}::tsquery"
        if positive:
            self.similarity.append(f"coalesce(ts_rank_cd(s.search_vector, {tsquery}, 32), 0)")
        return _matches(tsquery, node.field)

    def node(self, node: object, positive: bool = True) -> str:
        if isinstance(node, And):
            return "(" + " AND ".join(self.node(i, positive) for i in node.items) + ")"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.node(i, positive) for i in node.items) + ")"
        if isinstance(node, Not):
            return "NOT coalesce(" + self.node(node.item, not positive) + ", false)"
        if isinstance(node, (Word, Phrase)):
            function = "plainto_tsquery" if isinstance(node, Word) else "phraseto_tsquery"
            placeholder = self.param(node.text)
            self.texts.append((len(self.params) - 1, function, placeholder))
            tsquery = text_tsquery(function, placeholder)
            if positive:
                self.positive_text.append(tsquery)
            return _matches(tsquery, node.field)
        if isinstance(node, Glob):
            # the glob expands to the vocabulary words (site_words, trigram-indexed) holding it
            # as a whole word, searched as exact lexemes: GIN indexes serve both steps, and no
            # regex runs over the sites' rows. `lower(w.word)` (the words are lower case) is
            # the expression of site_words_lower_trgm (GIN): only it serves the regex, not the
            # fuzzy terms' GiST index, which the planner would choose and which reads most of
            # its tree for a regex (migration 0027)
            return self.expansion(
                node,
                "SELECT w.word FROM site_words w WHERE lower(w.word) ~ hub_unaccent({0})"
                f" ORDER BY length(w.word), w.word LIMIT {GLOB_WORDS}",
                (glob_regex(node.pattern),),
                positive,
            )
        if isinstance(node, Fuzzy):
            # the term expands to the vocabulary words (site_words, trigram-indexed) within its
            # word similarity, searched as exact lexemes: GIN indexes serve both steps.
            # `<%` uses the GUC, set to the query's lowest threshold
            check, values = "", (node.text.lower(),)
            if node.threshold != self.fuzzy_floor:
                check, values = (
                    " AND word_similarity({0}, w.word) >= {1}",
                    (*values, node.threshold),
                )
            return self.expansion(node, fuzzy_words(check), values, positive)
        if isinstance(node, (Link, TypeIs, Exists, Range)):
            self.text_only = False
        if isinstance(node, Link):
            value = node.value.strip().lower()
            like = self.param(glob_like(value) if node.is_glob else "%" + like_escape(value) + "%")
            if positive and not node.is_glob:
                self.exact_url.append(value)  # placeholders given after the WHERE's
            # the feeds' matches as an array (computed once): both sides of the OR are then
            # index conditions (trigram on the link, primary key), read as one bitmap
            return (
                f"(lower(s.link) LIKE {like} ESCAPE '\\' OR s.id = ANY (ARRAY(SELECT f.site_id"
                f" FROM feeds f WHERE lower(f.feed_url) LIKE {like} ESCAPE '\\')))"
            )
        if isinstance(node, TypeIs):
            return f"(s.type = {self.param(node.value)})"
        if isinstance(node, Exists):
            return f"({_EXISTS[node.field]})"
        if isinstance(node, Range):
            self.recommendations = True
            parts = []
            if node.low is not None:
                op = ">=" if node.low_inclusive else ">"
                parts.append(f"s.total_recommendations {op} {self.param(clamp(node.low))}")
            if node.high is not None:
                op = "<=" if node.high_inclusive else "<"
                parts.append(f"s.total_recommendations {op} {self.param(clamp(node.high))}")
            return "(" + (" AND ".join(parts) or "TRUE") + ")"
        raise TypeError(f"not a query node: {node!r}")


def compile_query(ast: object, *, first_param: int = 1) -> Compiled:
    """WHERE condition and score expression for `ast`, numbering parameters from
    `first_param`."""
    floor = min(_fuzzy_thresholds(ast), default=None)
    compiler = _Compiler(first_param, floor)
    where = compiler.node(ast)
    where_params = len(compiler.params)
    exact = [
        f"s.link_key = {compiler.param(site_key(v))} OR EXISTS (SELECT 1 FROM feeds f"
        f" WHERE f.site_id = s.id AND f.feed_key = {compiler.param(feed_key(v))})"
        for v in compiler.exact_url
    ]
    terms = ["0.05 * ln(1 + s.total_recommendations)"]
    if compiler.positive_text:
        tsquery = " || ".join(compiler.positive_text)
        terms.insert(0, f"ts_rank_cd(s.search_vector, {tsquery}, 32)")
    if compiler.similarity:
        terms.append(f"0.3 * GREATEST({', '.join(compiler.similarity)})")
    exact_sql = f"({' OR '.join(exact)})" if exact else None
    if exact_sql:
        terms.append(f"CASE WHEN {exact_sql} THEN 10 ELSE 0 END")
    return Compiled(
        where=where,
        score="(" + " + ".join(terms) + ")",
        params=compiler.params,
        where_params=where_params,
        fuzzy_threshold=floor,
        exact=exact_sql,
        recommendations=compiler.recommendations,
        texts=compiler.texts,
        text_only=compiler.text_only,
    )


def fuzzy_words(check: str) -> str:
    """The FUZZY_WORDS vocabulary words most similar to `{0}` (within the GUC's threshold and
    `check`). The words within the threshold are read from the GIN trigram index on
    `lower(word)` (migration 0027), the expression written here so only it serves this
    branch: for most terms a few posting lists (`gardn~`: 0.25 ms at 100,000 sites; the GiST
    index read 1,200 pages, 7 ms). When more than FUZZY_NEAR words qualify (a term whose
    trigrams are in most words, `site4~`: GIN rechecks them all, 224 ms), the GiST index on
    `word` gives the nearest words instead (28 ms). Either branch returns the same words."""
    near = f"{{0}} <% lower(w.word){check.replace('w.word', 'lower(w.word)')}"
    many = f"(SELECT count(*) FROM near) > {FUZZY_NEAR}"
    return (
        f"WITH near AS MATERIALIZED (SELECT w.word FROM site_words w WHERE {near}"
        f" LIMIT {FUZZY_NEAR + 1}) "
        f"(SELECT w.word FROM near w WHERE NOT {many}"
        f" ORDER BY {{0}} <<-> w.word, w.word LIMIT {FUZZY_WORDS}) UNION ALL "
        f"(SELECT w.word FROM site_words w WHERE {many} AND {{0}} <% w.word{check}"
        f" ORDER BY {{0}} <<-> w.word, w.word LIMIT {FUZZY_WORDS})"
    )


def _fuzzy_thresholds(node: object) -> list[float]:
    if isinstance(node, Fuzzy):
        return [node.threshold]
    if isinstance(node, (And, Or)):
        return [t for item in node.items for t in _fuzzy_thresholds(item)]
    if isinstance(node, Not):
        return _fuzzy_thresholds(node.item)
    return []


def glob_regex(pattern: str) -> str:
    """A POSIX regex for a glob over whole words: literal parts escaped, `*` → word chars,
    `?` → one word char, wrapped in word boundaries."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1].lower()))
            i += 2
            continue
        if ch == "*":
            out.append("[[:alnum:]_]*")
        elif ch == "?":
            out.append("[[:alnum:]_]")
        else:
            out.append(re.escape(ch.lower()))
        i += 1
    return r"\m" + "".join(out) + r"\M"


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def glob_like(pattern: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(like_escape(pattern[i + 1]))
            i += 2
            continue
        out.append("%" if ch == "*" else "_" if ch == "?" else like_escape(ch))
        i += 1
    return "%" + "".join(out) + "%"
