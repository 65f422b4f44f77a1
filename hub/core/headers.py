"""The headers of a fetched response, read as hub reads them.

Case-insensitive names; a field sent more than once is one value joined with ", " (RFC 9110
§5.3) for `get`, `[]` and `items`, and every occurrence in `multi_items`: the reading httpx's
`Headers` gave, without importing httpx in the serving process (issue 20). Raw header bytes
are decoded as httpx decoded them: ASCII, else UTF-8 when every field is valid UTF-8, else
Latin-1, so no value carries surrogates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

Field = tuple[str, str] | tuple[bytes, bytes]


class Headers(Mapping[str, str]):
    """Response headers: a read-only mapping of lower-case names to (joined) values."""

    __slots__ = ("_fields", "_joined")

    def __init__(self, fields: Mapping[str, str] | Iterable[Field] = ()) -> None:
        pairs = list(fields.items() if isinstance(fields, Mapping) else fields)
        if pairs and isinstance(pairs[0][0], bytes):
            pairs = _decoded(pairs)  # type: ignore[arg-type]
        self._fields: list[tuple[str, str]] = [(str(k).lower(), str(v)) for k, v in pairs]
        joined: dict[str, str] = {}
        for name, value in self._fields:
            joined[name] = f"{joined[name]}, {value}" if name in joined else value
        self._joined = joined

    def __getitem__(self, name: str) -> str:
        return self._joined[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._joined

    def __iter__(self) -> Iterator[str]:
        return iter(self._joined)

    def __len__(self) -> int:
        return len(self._joined)

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return self._joined.get(name.lower(), default)

    def multi_items(self) -> list[tuple[str, str]]:
        """Every field as received, in order, with lower-case names."""
        return list(self._fields)

    def __repr__(self) -> str:
        return f"Headers({self._fields!r})"


def _decoded(raw: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    for encoding in ("ascii", "utf-8"):
        try:
            return [(k.decode(encoding), v.decode(encoding)) for k, v in raw]
        except UnicodeDecodeError:
            continue
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]
