"""The XML-RPC of `weblogUpdates` pings (4.13): parse a methodCall, render a methodResponse.
Pure. A DOCTYPE or entity declaration is refused before parsing (no XML-RPC call needs one:
billion laughs, external entities), in any encoding (`reader.prolog`), the same rule as OPML's."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from hub.directory.reader.prolog import read_prolog

MAX_BYTES = 64 * 1024


class CallError(ValueError):
    """Not a usable XML-RPC call; `code` is the fault code sent back."""

    def __init__(self, message: str, code: int = -32700) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Call:
    method: str
    params: tuple[str, ...]


def parse_call(body: bytes) -> Call:
    """A methodCall whose parameters are strings (`<string>` or bare text values)."""
    if len(body) > MAX_BYTES:
        raise CallError("The call is too large.")
    if b"\x00" in body:  # XML-RPC is UTF-8 (or a declared 8-bit encoding)
        raise CallError("Only UTF-8 XML-RPC calls are accepted.")
    prolog = read_prolog(body)
    if prolog.doctype or prolog.declarations:
        raise CallError("XML with a DOCTYPE or entity declarations is refused.")
    try:
        root = ElementTree.fromstring(body)  # noqa: S314 (no DTD, no entities: refused above)
    except ElementTree.ParseError as exc:
        raise CallError(f"Malformed XML: {exc}") from None
    if root.tag != "methodCall":
        raise CallError("Not an XML-RPC methodCall.", -32600)
    method = (root.findtext("methodName") or "").strip()
    if not method:
        raise CallError("The methodName is missing.", -32600)
    params = []
    for value in root.findall("./params/param/value"):
        child = next(iter(value), None)
        text = child.text if child is not None else value.text
        params.append((text or "").strip())
    return Call(method, tuple(params))


def struct_response(members: dict[str, bool | str]) -> str:
    parts = []
    for name, value in members.items():
        if isinstance(value, bool):
            rendered = f"<boolean>{int(value)}</boolean>"
        else:
            rendered = f"<string>{escape(value)}</string>"
        parts.append(f"<member><name>{escape(name)}</name><value>{rendered}</value></member>")
    return (
        '<?xml version="1.0"?>\n<methodResponse><params><param><value><struct>'
        + "".join(parts)
        + "</struct></value></param></params></methodResponse>\n"
    )


def fault_response(code: int, message: str) -> str:
    return (
        '<?xml version="1.0"?>\n<methodResponse><fault><value><struct>'
        f"<member><name>faultCode</name><value><int>{code}</int></value></member>"
        f"<member><name>faultString</name><value><string>{escape(message)}</string></value>"
        "</member></struct></value></fault></methodResponse>\n"
    )
