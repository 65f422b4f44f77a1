"""Micropub update operations on a properties dict (W3C §3.4.2, micropub-resolved.md §4.2).

Pure. `parse_operations` checks the shapes strictly (R-M30: arrays only; micropub.rocks 405)
and raises `Invalid` before anything changes; `apply_operations` returns a new dict with
`replace`, then `add`, then `delete` applied (R-M34) and every untouched property kept.
`mp-*` names in `replace`/`add` are commands (rename, syndicate), kept apart in `commands`.
No operation may name more categories or URLs than one entry may hold (`limits`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hub.core.errors import Invalid
from hub.micropub.limits import check_limits

OPERATIONS = ("replace", "add", "delete")


@dataclass(frozen=True)
class Operations:
    replace: dict[str, list[Any]] = field(default_factory=dict)
    add: dict[str, list[Any]] = field(default_factory=dict)
    delete_properties: tuple[str, ...] = ()
    delete_values: dict[str, list[Any]] = field(default_factory=dict)
    commands: dict[str, list[Any]] = field(default_factory=dict)  # from replace and add

    def touches(self, name: str) -> bool:
        return (
            name in self.replace
            or name in self.add
            or name in self.delete_properties
            or name in self.delete_values
        )


def parse_operations(body: Mapping[str, Any]) -> Operations:
    """The `replace`, `add` and `delete` members of an update request, shape-checked."""
    present = [op for op in OPERATIONS if op in body]
    if not present:
        raise Invalid("An update needs at least one of replace, add or delete.")
    commands: dict[str, list[Any]] = {}
    replace = _map_of_arrays(body, "replace", commands)
    add = _map_of_arrays(body, "add", commands)
    check_limits(replace)  # before the entry is read; `project` checks the result
    check_limits(add)
    delete_properties: tuple[str, ...] = ()
    delete_values: dict[str, list[Any]] = {}
    if "delete" in body:
        raw = body["delete"]
        if isinstance(raw, list):
            if not all(isinstance(name, str) and name for name in raw):
                raise Invalid.field("delete", "`delete` must list property names as strings.")
            delete_properties = tuple(n for n in raw if not _ignored(n))
        elif isinstance(raw, dict):
            delete_values = _map_of_arrays(body, "delete", {})
            check_limits(delete_values)
        else:
            raise Invalid.field(
                "delete", "`delete` must be an array of property names or an object of arrays."
            )
    return Operations(replace, add, delete_properties, delete_values, commands)


def _map_of_arrays(
    body: Mapping[str, Any], op: str, commands: dict[str, list[Any]]
) -> dict[str, list[Any]]:
    if op not in body:
        return {}
    raw = body[op]
    if not isinstance(raw, dict):
        raise Invalid.field(op, f"`{op}` must be an object whose values are arrays.")
    result: dict[str, list[Any]] = {}
    for name, values in raw.items():
        if not isinstance(name, str) or not name:
            raise Invalid.field(op, f"`{op}` has an empty property name.")
        if not isinstance(values, list):
            raise Invalid.field(f"{op}.{name}", f"`{op}.{name}` must be an array.")
        for value in values:
            if value is None or isinstance(value, list):
                raise Invalid.field(
                    f"{op}.{name}", f"`{op}.{name}` may hold strings, numbers and objects only."
                )
        if _ignored(name):
            continue
        if name.startswith("mp-"):
            commands[name] = list(values)
        else:
            result[name] = list(values)
    return result


def _ignored(name: str) -> bool:
    return name == "access_token"


def apply_operations(
    properties: Mapping[str, list[Any]], operations: Operations
) -> dict[str, list[Any]]:
    """A new properties dict with `operations` applied; `properties` is not changed."""
    result = {name: list(values) for name, values in properties.items()}
    for name, values in operations.replace.items():
        if values:
            result[name] = list(values)
        else:
            result.pop(name, None)
    for name, values in operations.add.items():
        current = result.get(name, [])
        for value in values:
            if _dedupes(name) and any(_same(name, value, existing) for existing in current):
                continue
            current.append(value)
        if current:
            result[name] = current
    for name in operations.delete_properties:
        result.pop(name, None)
    for name, values in operations.delete_values.items():
        if name not in result:
            continue
        kept = [v for v in result[name] if not any(_same(name, v, gone) for gone in values)]
        if kept:
            result[name] = kept
        else:
            del result[name]
    return result


def _dedupes(name: str) -> bool:
    return name in ("category", "syndication")


def _same(name: str, a: Any, b: Any) -> bool:
    """Equal as values of `name`: `category` strings ignore case; objects compare deeply."""
    if name == "category" and isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() == b.strip().casefold()
    return type(a) is type(b) and a == b
