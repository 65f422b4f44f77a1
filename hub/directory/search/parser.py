"""The site-search query language (pine-blog-directory-resolved.md §3.3): text → immutable AST.

A hand-written lexer and recursive-descent parser, no dependencies, no I/O. Precedence is
NOT > AND > OR; terms with no operator between them are ANDed. Field names are pushed down to
the leaves while parsing, so `title:(open sesame)` becomes `title:open AND title:sesame`.
`canonical(ast)` prints the normal form used in `statistics.parsed`, related searches and the
cache key. `search.py` compiles the AST to parameterised SQL.
"""

from __future__ import annotations

import re

from hub.directory.search.ast import (
    FIELDS,
    FUZZY_THRESHOLDS,
    MAX_DEPTH,
    MAX_EXPENSIVE,
    MAX_LENGTH,
    MAX_TERMS,
    SITE_TYPES,
    TEXT_FIELDS,
    And,
    Exists,
    Fuzzy,
    Glob,
    Link,
    Not,
    Or,
    Parsed,
    Phrase,
    QueryError,
    Range,
    TypeIs,
    Word,
    bare_words,
    canonical,
    quote_word,
    walk,
)
from hub.directory.search.lexer import Lexer, Tok
from hub.directory.urlnorm import looks_like_url

__all__ = [
    "FIELDS", "FUZZY_THRESHOLDS", "MAX_DEPTH", "MAX_EXPENSIVE", "MAX_LENGTH", "MAX_TERMS",
    "SITE_TYPES", "TEXT_FIELDS", "And", "Exists", "Fuzzy", "Glob", "Link", "Not", "Or", "Parsed",
    "Phrase", "QueryError", "Range", "TypeIs", "Word", "bare_words", "canonical", "parse",
    "quote_word", "walk",
]  # fmt: skip


class _Parser:
    def __init__(self, tokens: list[Tok]) -> None:
        self.tokens = tokens
        self.k = 0
        self.terms = 0
        self.expensive = 0
        self.ignored: list[str] = []
        self.fixes_type = False

    @property
    def tok(self) -> Tok:
        return self.tokens[self.k]

    def take(self) -> Tok:
        tok = self.tokens[self.k]
        self.k += 1
        return tok

    def parse(self) -> object:
        if self.tok.kind == "EOF":
            raise QueryError("q is required.", 0)
        node = self.or_expr(0, None)
        if self.tok.kind == ")":
            raise QueryError("Unbalanced parenthesis.", self.tok.pos)
        if self.tok.kind != "EOF":
            raise QueryError("Unexpected text.", self.tok.pos)
        return node

    def or_expr(self, depth: int, fld: str | None) -> object:
        items = [self.and_expr(depth, fld)]
        while self.tok.kind == "OR":
            self.take()
            items.append(self.and_expr(depth, fld))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self, depth: int, fld: str | None) -> object:
        items = [self.unary(depth, fld)]
        while self.tok.kind not in ("OR", ")", "EOF"):
            if self.tok.kind == "AND":
                self.take()
            items.append(self.unary(depth, fld))
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self, depth: int, fld: str | None) -> object:
        tok = self.tok
        if tok.kind == "NOT":
            self.take()
            if self.tok.kind in ("EOF", ")", "OR", "AND"):
                raise QueryError("NOT needs a term after it.", tok.pos)
            return Not(self.unary(depth, fld))
        if tok.kind == "PLUS":
            self.take()
        return self.primary(depth, fld)

    def primary(self, depth: int, fld: str | None) -> object:
        tok = self.take()
        if tok.kind == "(":
            if depth + 1 > MAX_DEPTH:
                raise QueryError(f"The query nests deeper than {MAX_DEPTH} levels.", tok.pos)
            if self.tok.kind == ")":
                raise QueryError("Empty parentheses.", tok.pos)
            node = self.or_expr(depth + 1, fld)
            if self.tok.kind != ")":
                raise QueryError("Unbalanced parenthesis.", tok.pos)
            self.take()
            return node
        if tok.kind == "FIELD":
            if fld is not None:
                raise QueryError("A field filter cannot be used inside a field group.", tok.pos)
            return self.field_value(tok, depth)
        if tok.kind in ("WORD", "PHRASE"):
            return self.leaf(tok, fld)
        if tok.kind == ")":
            raise QueryError("Unbalanced parenthesis.", tok.pos)
        if tok.kind == "EOF":
            raise QueryError("The query ends too early.", tok.pos)
        if tok.kind in ("RANGE", "CMP"):
            raise QueryError("A range needs a field.", tok.pos)
        raise QueryError(f"Unexpected {tok.kind}.", tok.pos)

    def field_value(self, field_tok: Tok, depth: int) -> object:
        name = field_tok.text
        tok = self.tok
        if name == "type":
            self.fixes_type = True
        if tok.kind == "(":
            return self.primary(depth, name)
        self.take()
        if tok.kind in ("RANGE", "CMP"):
            if name != "total_recommendations":
                raise QueryError(f"{name} does not take a range.", tok.pos)
            self.count_term(tok)
            if tok.kind == "RANGE":
                low, high, lo_incl, hi_incl = tok.extra
                return Range(name, low, high, lo_incl, hi_incl)
            op, n = tok.extra
            return {
                ">": Range(name, n, None, False, True),
                ">=": Range(name, n, None, True, True),
                "<": Range(name, None, n, True, False),
                "<=": Range(name, None, n, True, True),
            }[op]
        if tok.kind in ("WORD", "PHRASE"):
            return self.leaf(tok, name)
        raise QueryError(f"{name}: needs a value.", tok.pos)

    def count_term(self, tok: Tok, *, expensive: bool = False) -> None:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QueryError(f"The query has more than {MAX_TERMS} terms.", tok.pos)
        if expensive:
            self.expensive += 1
            if self.expensive > MAX_EXPENSIVE:
                raise QueryError(
                    f"The query has more than {MAX_EXPENSIVE} wildcard or fuzzy terms.", tok.pos
                )

    def leaf(self, tok: Tok, fld: str | None) -> object:
        if tok.boost:
            self.ignored.append(f"boost ^{tok.boost}")
        if tok.kind == "PHRASE":
            if tok.slop:
                self.ignored.append(f"proximity {tok.slop}")
            self.count_term(tok)
            if not tok.text.strip():
                raise QueryError("A quoted phrase is empty.", tok.pos)
            return self.phrase_leaf(tok, fld)
        if tok.pattern == "*" and fld is not None:
            self.count_term(tok)
            return Exists(fld)
        if fld == "type":
            return self.type_leaf(tok)
        if fld == "total_recommendations":
            self.count_term(tok)
            if not re.fullmatch(r"-?\d+", tok.text):
                raise QueryError("total_recommendations takes a whole number.", tok.pos)
            n = int(tok.text)
            return Range(fld, n, n, True, True)
        if tok.pattern is not None:
            self.count_term(tok, expensive=True)
            literal = re.sub(r"\\.|[*?]", lambda m: m.group(0)[-1] if len(m.group(0)) > 1 else "",
                             tok.pattern)  # fmt: skip
            if len(literal) < 2:
                raise QueryError("A wildcard term needs at least 2 other characters.", tok.pos)
            if fld == "link":
                return Link(tok.pattern, is_glob=True)
            return Glob(tok.pattern, fld)
        if tok.is_fuzzy and tok.fuzzy != 0:
            self.count_term(tok, expensive=True)
            if fld == "link":
                return Link(tok.text)
            return Fuzzy(tok.text, tok.fuzzy, fld)
        self.count_term(tok)
        if fld == "link":
            return Link(tok.text)
        return Word(tok.text, fld)

    def phrase_leaf(self, tok: Tok, fld: str | None) -> object:
        if fld == "link":
            return Link(tok.text)
        if fld == "type":
            return self.type_leaf(tok)
        if fld == "total_recommendations":
            raise QueryError("total_recommendations takes a whole number.", tok.pos)
        return Phrase(tok.text, fld)

    def type_leaf(self, tok: Tok) -> object:
        self.count_term(tok)
        if tok.pattern is not None:
            regex = "^" + "".join(
                "." if ch == "?" else ".*" if ch == "*" else re.escape(ch)
                for ch in tok.pattern.replace("\\", "")
            ) + "$"  # fmt: skip
            matches = [t for t in SITE_TYPES if re.match(regex, t)]
        else:
            matches = [t for t in SITE_TYPES if t == tok.text.lower()]
        if not matches:
            raise QueryError(f"type must be one of {', '.join(SITE_TYPES)}.", tok.pos)
        if len(matches) == len(SITE_TYPES):
            return Exists("type")
        leaves = tuple(TypeIs(t) for t in matches)
        return leaves[0] if len(leaves) == 1 else Or(leaves)


def parse(query: str) -> Parsed:
    """Parse `q`. Raises QueryError (400 with `position`)."""
    if query is None or not query.strip():
        raise QueryError("q is required.")
    if len(query) > MAX_LENGTH:
        raise QueryError(f"q is longer than {MAX_LENGTH} characters.", MAX_LENGTH)
    text = query.strip()
    if looks_like_url(text) and not re.match(r"^[a-z_]+:(?!//)", text, re.I):
        return Parsed(query, Link(text), url_query=text)
    parser = _Parser(Lexer(query).run())
    ast = parser.parse()
    return Parsed(query, ast, tuple(dict.fromkeys(parser.ignored)), fixes_type=parser.fixes_type)
