"""What an untrusted XML document declares before its root element: a DOCTYPE, an internal
DTD subset, entities. Pure (bytes in).

Read by expat, the parser behind ElementTree and feedparser's strict mode, so the document's
encoding is found as theirs is (BOM, UTF-16 with or without BOM, the declared encoding) and a
declaration cannot hide behind an encoding or a long comment. Reading stops at the root
element, where the prolog ends. When expat cannot read the prolog (UTF-32, an encoding it
lacks, a broken declaration), the document is decoded every way it could be meant and searched
instead. The readers refuse what they must (`xmlfeed`, `opml`, `xmlrpc`), so that no entity is
ever expanded: no billion laughs, no external fetch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

_CODECS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
_DECLARED = re.compile(r"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")
_DOCTYPE = re.compile(r"<!DOCTYPE", re.I)
_DECLARATIONS = re.compile(r"<!ENTITY|<!DOCTYPE[^>\[]*\[", re.I)


@dataclass(frozen=True)
class Prolog:
    doctype: bool  # a <!DOCTYPE ...> at all (RSS 0.91 names Netscape's DTD)
    declarations: bool  # an internal DTD subset or entity declarations


class _Found(Exception):
    def __init__(self, prolog: Prolog) -> None:
        self.prolog = prolog


def read_prolog(data: bytes) -> Prolog:
    """The DOCTYPE and declarations of `data`, in whatever encoding it is written."""
    try:
        return _expat_prolog(data)
    except (expat.ExpatError, ValueError, LookupError):
        texts = list(_decodings(data))
        return Prolog(
            doctype=any(_DOCTYPE.search(t) for t in texts),
            declarations=any(_DECLARATIONS.search(t) for t in texts),
        )


def _expat_prolog(data: bytes) -> Prolog:
    parser = expat.ParserCreate()
    seen = {"doctype": False}

    def doctype(name, system_id, public_id, has_internal_subset) -> None:
        if has_internal_subset:
            raise _Found(Prolog(doctype=True, declarations=True))
        seen["doctype"] = True

    def declaration(*args) -> None:
        raise _Found(Prolog(doctype=True, declarations=True))

    def root(*args) -> None:
        raise _Found(Prolog(doctype=seen["doctype"], declarations=False))

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = declaration
    parser.UnparsedEntityDeclHandler = declaration
    parser.StartElementHandler = root
    try:
        parser.Parse(data, True)
    except _Found as found:
        return found.prolog
    raise expat.ExpatError("no root element")


def _decodings(data: bytes) -> Iterator[str]:
    for codec in _CODECS:
        text = data.decode(codec, "ignore")
        yield text
        declared = _DECLARED.search(text[:1024])
        if declared:
            try:
                yield data.decode(declared.group(1), "ignore")
            except (LookupError, ValueError):
                pass
