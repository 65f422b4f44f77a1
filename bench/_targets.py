"""The summary lines a benchmark ends with, one per target, in one shape that `make bench`
output can be read (and grepped) by: `target <name>: <figure> (<ratio>) >= <target> OK|MISSED`.
Also the scaling rule: a per-request cost is flat when the top row costs at most 1.5x the
bottom row."""

from __future__ import annotations

FLAT = 1.5  # the top row of a scaling table may cost at most this many times the bottom row


def target(name: str, figure: str, ratio: float, goal: float, *, at_most: bool = False) -> bool:
    """Print one summary line; whether the target is met (`ratio >= goal`, or `<=` with
    `at_most`)."""
    met = ratio <= goal if at_most else ratio >= goal
    sign = "<=" if at_most else ">="
    print(f"target {name}: {figure} ({ratio:.2f}) {sign} {goal:g} {'OK' if met else 'MISSED'}")
    return met


def flat(name: str, bottom_ms: float, top_ms: float, rows: tuple[str, str]) -> bool:
    """The summary line of a scaling table: the top row's cost over the bottom row's."""
    figure = f"{top_ms:.2f} ms at {rows[1]} vs {bottom_ms:.2f} ms at {rows[0]}"
    return target(f"{name} flat", figure, top_ms / bottom_ms, FLAT, at_most=True)
