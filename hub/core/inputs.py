"""What request input may reach SQL and the pages: text PostgreSQL can store, text XML and HTML
can carry, and integers in the range of the column or clause they meet. Pure; each adapter
turns the `Invalid` raised here into its own 400/422."""

from __future__ import annotations

import re
from typing import Any

from hub.core.errors import Invalid

INT2_MAX = 2**15 - 1  # smallint
INT4_MIN, INT4_MAX = -(2**31), 2**31 - 1  # integer
INT8_MAX = 2**63 - 1  # bigint: LIMIT and OFFSET

# NUL: PostgreSQL text cannot hold it. The rest: characters XML 1.0 forbids (C0 controls but
# tab, newline and carriage return; U+FFFE, U+FFFF) and lone surrogates, which UTF-8 cannot encode.
_NOT_STORABLE = re.compile("\x00")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# What no text hub stores or writes out carries: the characters XML 1.0 forbids (above), DEL
# and the C1 controls U+0080-U+009F (U+0085 NEL among them), which XML 1.0 allows but
# discourages and which show as boxes or break lines in readers.
_NOT_OUTPUT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


# Characters searched per regex call. A regex call holds the GIL throughout (about 10 ms per
# MiB here), so a long text cleaned in a worker thread hands the loop the GIL between slices.
_SLICE = 1 << 18


def clean_text(text: str) -> str:
    """`text` without the characters no HTML, XML or JSON output of hub carries: C0 controls
    but tab, newline and carriage return, DEL, C1 controls, U+FFFE, U+FFFF and lone
    surrogates. Removed silently; a text without any is returned as it is (one regex scan,
    in slices). NUL is among them here, but the adapters refuse it on input before this runs."""
    match = _first_match(_NOT_OUTPUT, text)
    if match is None:
        return text
    # the pattern matches single characters, so slices are cleaned apart
    rest = range(match.start(), len(text), _SLICE)
    return text[: match.start()] + "".join(
        _NOT_OUTPUT.sub("", text[at : at + _SLICE]) for at in rest
    )


def _first_match(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """`pattern.search(text)`, one slice of `_SLICE` characters at a time."""
    if len(text) <= _SLICE:  # most texts (the empty one too): one call
        return pattern.search(text)
    for start in range(0, len(text), _SLICE):
        match = pattern.search(text, start, start + _SLICE)
        if match:
            return match
    return None


def clean_document(document: Any) -> Any:
    """`document` (a freshly parsed JSON or mf2 document: dicts, lists, strings) with
    `clean_text` applied to every string, keys included, in place and without recursion."""
    if isinstance(document, str):
        return clean_text(document)
    stack: list[Any] = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in list(item):
                value = item[key]
                if isinstance(value, str):
                    item[key] = clean_text(value)
                elif isinstance(value, dict | list):
                    stack.append(value)
                if isinstance(key, str) and _NOT_OUTPUT.search(key):
                    item[clean_text(key)] = item.pop(key)
        elif isinstance(item, list):
            for index, value in enumerate(item):
                if isinstance(value, str):
                    item[index] = clean_text(value)
                elif isinstance(value, dict | list):
                    stack.append(value)
    return document


NUL_REFUSED = "The request contains a NUL character (U+0000)."


def clean_storable(document: Any, max_depth: int) -> Any:
    """`clean_document` for a freshly parsed request document that also refuses, in the same
    walk, what hub cannot store: text with U+0000 anywhere (keys, values, nested), as
    `Invalid` coded `nul`, and containers nested `max_depth` levels deep or more (the
    document itself is level 0), as `Invalid` coded `deep`. Cleans in place, without
    recursion; one regex scan per string, as `clean_document`."""
    if isinstance(document, str):
        return _clean_refusing_nul(document)
    if not isinstance(document, dict | list):
        return document
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        item, depth = stack.pop()
        if depth >= max_depth:
            raise Invalid(f"Values may be nested at most {max_depth} levels deep.", code="deep")
        if isinstance(item, dict):
            for key in list(item):
                value = item[key]
                if isinstance(value, str):
                    if _NOT_OUTPUT.search(value):
                        item[key] = _clean_refusing_nul(value)
                elif isinstance(value, dict | list):
                    stack.append((value, depth + 1))
                if isinstance(key, str) and _NOT_OUTPUT.search(key):
                    item[_clean_refusing_nul(key)] = item.pop(key)
        else:
            for index, value in enumerate(item):
                if isinstance(value, str):
                    if _NOT_OUTPUT.search(value):
                        item[index] = _clean_refusing_nul(value)
                elif isinstance(value, dict | list):
                    stack.append((value, depth + 1))
    return document


def _clean_refusing_nul(text: str) -> str:
    if "\x00" in text:
        raise Invalid(NUL_REFUSED, code="nul")
    return clean_text(text)


def refused_character(text: str, *, xml: bool = False) -> str | None:
    """The first character of `text` hub refuses, as `U+XXXX`, or None. `xml`: also the ones
    XML and HTML output cannot carry."""
    # in slices: a long text checked in a worker thread hands the GIL back between them
    match = _first_match(_NOT_XML if xml else _NOT_STORABLE, text)
    return None if match is None else f"U+{ord(match.group()):04X}"


def check_text(value: str, field: str, *, xml: bool = False) -> str:
    """`value`, or `Invalid` on `field` when it holds a refused character."""
    bad = refused_character(value, xml=xml)
    if bad is not None:
        raise Invalid.field(field, f"The {field} field contains a forbidden character ({bad}).",
                            code="forbidden_character")  # fmt: skip
    return value


def check_document(document: Any, field: str = "body", *, xml: bool = False) -> None:
    """Refuse a parsed JSON or form document holding a refused character in any key or string
    value, nested or not (walked without recursion). The field named is the top-level key."""
    stack: list[tuple[Any, str]] = [(document, field)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            check_text(item, where, xml=xml)
        elif isinstance(item, dict):
            for key, value in item.items():
                name = key if where == field and isinstance(key, str) else where
                if isinstance(key, str):
                    check_text(key, name, xml=xml)
                stack.append((value, name))
        elif isinstance(item, list | tuple):
            stack.extend((child, where) for child in item)


def whole_number(raw: str | int, field: str, *, minimum: int = 0, maximum: int = INT4_MAX) -> int:
    """`raw` as an int in [minimum, maximum], or `Invalid` on `field`."""
    try:
        value = raw if isinstance(raw, int) and not isinstance(raw, bool) else int(str(raw))
    except ValueError:
        value = None
    if value is None or not minimum <= value <= maximum:
        raise Invalid.field(
            field, f"The {field} field must be a whole number from {minimum} to {maximum}."
        )
    return value


def clamp(value: int, minimum: int = INT4_MIN, maximum: int = INT4_MAX) -> int:
    """`value` pulled into [minimum, maximum]: a comparison with a column of that range keeps
    its meaning (nothing is above the maximum, everything is above the minimum)."""
    return max(minimum, min(maximum, value))
