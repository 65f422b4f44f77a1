"""Language codes as hub stores them: the BCP 47 subset the v1 schema accepts (language,
optional script, optional region), case-normalised (publicasta-v1-resolved R-73). Pure."""

from __future__ import annotations

import re
from typing import Any

_LANGUAGE = re.compile(r"^([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|[0-9]{3}))?$")


def normalise_language(value: Any) -> str | None:
    """`PT-br` → `pt-BR`, `zh-hant-tw` → `zh-Hant-TW`; None for anything that is not such a
    code (including a value that is not a string)."""
    if not isinstance(value, str):
        return None
    match = _LANGUAGE.match(value.strip())
    if not match:
        return None
    lang, script, region = match.groups()
    out = lang.lower()
    if script:
        out += "-" + script.title()
    if region:
        out += "-" + region.upper()
    return out
