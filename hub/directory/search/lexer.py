"""Lexer of the site-search query language: text → tokens with their offsets. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hub.directory.search.ast import FIELDS, OPERATORS, QueryError


@dataclass(frozen=True)
class Tok:
    kind: str  # ( ) AND OR NOT PLUS WORD PHRASE FIELD RANGE CMP EOF
    pos: int
    text: str = ""  # WORD: unescaped text; PHRASE: the phrase; FIELD: name
    pattern: str | None = None  # WORD with unescaped wildcards: the glob pattern
    fuzzy: int | None = None  # -1: no fuzzy; None with is_fuzzy: `~`
    is_fuzzy: bool = False
    boost: str | None = None
    slop: str | None = None
    extra: tuple = field(default_factory=tuple)  # RANGE: (low, high, lo_incl, hi_incl); CMP


_STOP = set(' \t\r\n()"')
_SUFFIX = re.compile(r"(~(\d*))?(\^(\d+(?:\.\d+)?))?$")


class Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.tokens: list[Tok] = []

    def run(self) -> list[Tok]:
        t = self.text
        while True:
            while self.i < len(t) and t[self.i].isspace():
                self.i += 1
            if self.i >= len(t):
                self.tokens.append(Tok("EOF", self.i))
                return self.tokens
            c = t[self.i]
            if c in "()":
                self.tokens.append(Tok(c, self.i))
                self.i += 1
            elif c == '"':
                self.tokens.append(self.phrase())
            elif t.startswith(("&&", "||"), self.i):
                self.tokens.append(Tok(OPERATORS[t[self.i : self.i + 2]], self.i))
                self.i += 2
            elif c in "-!" and self.i + 1 < len(t) and not t[self.i + 1].isspace():
                self.tokens.append(Tok("NOT", self.i))
                self.i += 1
            elif c == "+" and self.i + 1 < len(t) and not t[self.i + 1].isspace():
                self.tokens.append(Tok("PLUS", self.i))
                self.i += 1
            else:
                self.word_or_field()

    def phrase(self) -> Tok:
        start = self.i
        self.i += 1
        out: list[str] = []
        while self.i < len(self.text):
            c = self.text[self.i]
            if c == "\\" and self.i + 1 < len(self.text):
                out.append(self.text[self.i + 1])
                self.i += 2
                continue
            if c == '"':
                self.i += 1
                slop, boost = self.suffixes()
                return Tok("PHRASE", start, "".join(out), slop=slop, boost=boost)
            out.append(c)
            self.i += 1
        raise QueryError("Unterminated quoted phrase.", start)

    def suffixes(self) -> tuple[str | None, str | None]:
        match = re.match(r"(~(\d*))?(\^(\d+(?:\.\d+)?))?", self.text[self.i :])
        if not match or not match.group(0):
            return None, None
        self.i += len(match.group(0))
        slop = match.group(1)
        return slop, (match.group(3) or None)

    def raw_word(self) -> tuple[str, list[bool]]:
        """Characters up to a stop, with a flag per character: escaped or not."""
        chars: list[str] = []
        escaped: list[bool] = []
        t = self.text
        while self.i < len(t) and t[self.i] not in _STOP:
            if t[self.i] == "\\" and self.i + 1 < len(t):
                chars.append(t[self.i + 1])
                escaped.append(True)
                self.i += 2
                continue
            chars.append(t[self.i])
            escaped.append(False)
            self.i += 1
        return "".join(chars), escaped

    def word_or_field(self) -> None:
        start = self.i
        text, escaped = self.raw_word()
        colon = next((k for k, ch in enumerate(text) if ch == ":" and not escaped[k]), -1)
        if colon > 0 and text[:colon].lower() in FIELDS:
            name = text[:colon].lower()
            self.i = start + _raw_offset(self.text[start:], colon) + 1
            self.tokens.append(Tok("FIELD", start, name))
            self.field_value(name)
            return
        lowered = text.lower()
        if not any(escaped) and lowered in OPERATORS:
            self.tokens.append(Tok(OPERATORS[lowered], start))
            return
        self.tokens.append(_word_token(text, escaped, start))

    def field_value(self, name: str) -> None:
        t = self.text
        if self.i >= len(t) or t[self.i].isspace():
            raise QueryError(f"{name}: needs a value.", self.i)
        c = t[self.i]
        if c in "[{":
            start = self.i
            end = next((k for k in range(self.i, len(t)) if t[k] in "]}"), -1)
            if end < 0:
                raise QueryError("Unterminated range.", start)
            inner = t[self.i + 1 : end]
            match = re.fullmatch(r"\s*(\*|-?\d+)\s+TO\s+(\*|-?\d+)\s*", inner)
            if not match:
                raise QueryError("A range is written [low TO high].", start)
            low = None if match.group(1) == "*" else int(match.group(1))
            high = None if match.group(2) == "*" else int(match.group(2))
            self.tokens.append(Tok("RANGE", start, extra=(low, high, c == "[", t[end] == "]")))
            self.i = end + 1
        elif c in "<>":
            start = self.i
            match = re.match(r"(>=|<=|>|<)(-?\d+)", t[self.i :])
            if not match:
                raise QueryError("A comparison is written >N, >=N, <N or <=N.", start)
            self.tokens.append(Tok("CMP", start, extra=(match.group(1), int(match.group(2)))))
            self.i += len(match.group(0))
        elif c in '("':
            return  # a group or a phrase follows as ordinary tokens
        else:
            start = self.i
            text, escaped = self.raw_word()
            if not text:
                raise QueryError(f"{name}: needs a value.", start)
            self.tokens.append(_word_token(text, escaped, start))


def _raw_offset(raw: str, index: int) -> int:
    """Offset in the raw text of the `index`-th unescaped character."""
    k = seen = 0
    while k < len(raw):
        if raw[k] == "\\" and k + 1 < len(raw):
            k += 2
        else:
            k += 1
        if seen == index:
            return k - 1
        seen += 1
    return len(raw)


def _word_token(text: str, escaped: list[bool], start: int) -> Tok:
    # suffixes ~N and ^N, only when unescaped
    boost = None
    is_fuzzy = False
    fuzzy: int | None = None
    match = _SUFFIX.search(text)
    if match and match.group(0) and not any(escaped[match.start() :]):
        if match.group(3):
            boost = match.group(4)
        if match.group(1):
            is_fuzzy = True
            fuzzy = int(match.group(2)) if match.group(2) else None
        text, escaped = text[: match.start()], escaped[: match.start()]
    if not text:
        raise QueryError("A term is empty.", start)
    wild = any(ch in "*?" and not escaped[k] for k, ch in enumerate(text))
    pattern = None
    if wild:
        pattern = "".join(
            ("\\" + ch) if (escaped[k] and ch in "*?\\") or (ch == "\\") else ch
            for k, ch in enumerate(text)
        )
    return Tok("WORD", start, text, pattern=pattern, fuzzy=fuzzy, is_fuzzy=is_fuzzy, boost=boost)
