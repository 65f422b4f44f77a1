"""The site-search query tree (pine-blog-directory-resolved.md §3.5): immutable nodes, the
limits of the language, and `canonical(ast)`, the normal form used in `statistics.parsed`,
related searches and cache keys. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hub.core.errors import Invalid

MAX_LENGTH = 512
MAX_DEPTH = 8
MAX_TERMS = 32
MAX_EXPENSIVE = 8  # wildcard + fuzzy terms
FIELDS = ("description", "link", "title", "total_recommendations", "type")
TEXT_FIELDS = ("title", "description")
SITE_TYPES = ("blog", "microblog", "photoblog")
FUZZY_THRESHOLDS = {None: 0.5, 1: 0.7, 2: 0.5}  # R-D13: `~`, `~1`, `~2`


OPERATORS = {"and": "AND", "or": "OR", "not": "NOT", "&&": "AND", "||": "OR"}


class QueryError(Invalid):
    """A query that cannot be parsed; `position` is the 0-based offset in `q`."""

    code = "query_syntax"

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


@dataclass(frozen=True)
class Word:
    text: str
    field: str | None = None  # None (default fields), title, description


@dataclass(frozen=True)
class Phrase:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class Glob:
    pattern: str  # `*` and `?` are wildcards; a literal one is written `\*`, `\?`
    field: str | None = None


@dataclass(frozen=True)
class Fuzzy:
    text: str
    distance: int | None = None  # `word~` → None
    field: str | None = None

    @property
    def threshold(self) -> float:
        return FUZZY_THRESHOLDS.get(self.distance, 0.5)


@dataclass(frozen=True)
class Link:
    value: str  # substring (glob allowed) of the site link or any of its feed URLs
    is_glob: bool = False


@dataclass(frozen=True)
class TypeIs:
    value: str


@dataclass(frozen=True)
class Range:
    field: str
    low: int | None
    high: int | None
    low_inclusive: bool = True
    high_inclusive: bool = True


@dataclass(frozen=True)
class Exists:
    field: str


@dataclass(frozen=True)
class Parsed:
    query: str
    ast: object
    ignored: tuple[str, ...] = ()
    url_query: str | None = None  # the whole query looked like a URL (R-D14)
    fixes_type: bool = False


_BARE = re.compile(r"^[^\s()\"\\:*?~^+\-!&|]+$")


def quote_word(text: str) -> str:
    if _BARE.match(text) and text.lower() not in OPERATORS:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def canonical(node: object) -> str:
    """Normal form: uppercase operators, explicit AND, parentheses around nested groups."""
    if isinstance(node, Or):
        return " OR ".join(_group(i, Or) for i in node.items)
    if isinstance(node, And):
        return " AND ".join(_group(i, And) for i in node.items)
    if isinstance(node, Not):
        inner = canonical(node.item)
        return f"NOT ({inner})" if isinstance(node.item, (And, Or)) else f"NOT {inner}"
    prefix = ""
    if getattr(node, "field", None) and not isinstance(node, (Range, Exists)):
        prefix = f"{node.field}:"
    if isinstance(node, Word):
        return prefix + quote_word(node.text)
    if isinstance(node, Phrase):
        return prefix + '"' + node.text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(node, Glob):
        return prefix + node.pattern
    if isinstance(node, Fuzzy):
        return prefix + quote_word(node.text) + "~" + ("" if node.distance is None else
                                                         str(node.distance))  # fmt: skip
    if isinstance(node, Link):
        return "link:" + (node.value if node.is_glob else quote_word(node.value))
    if isinstance(node, TypeIs):
        return f"type:{node.value}"
    if isinstance(node, Exists):
        return f"{node.field}:*"
    if isinstance(node, Range):
        if node.low is not None and node.low == node.high:
            return f"{node.field}:{node.low}"
        low = "*" if node.low is None else str(node.low)
        high = "*" if node.high is None else str(node.high)
        opening = "[" if node.low_inclusive or node.low is None else "{"
        closing = "]" if node.high_inclusive or node.high is None else "}"
        return f"{node.field}:{opening}{low} TO {high}{closing}"
    raise TypeError(f"not a query node: {node!r}")


def _group(node: object, parent: type) -> str:
    text = canonical(node)
    if isinstance(node, (And, Or)) and not isinstance(node, parent):
        return f"({text})"
    if isinstance(node, parent):
        return f"({text})"
    return text


def walk(node: object):
    """Every node of the tree, parents first."""
    yield node
    if isinstance(node, (And, Or)):
        for item in node.items:
            yield from walk(item)
    elif isinstance(node, Not):
        yield from walk(node.item)


def bare_words(node: object) -> list[str]:
    """The words of the query that have no field (for the fuzzy/OR related searches)."""
    return [n.text for n in walk(node) if isinstance(n, Word) and n.field is None]
