"""`make bench`: every `bench/bench_*.py` at its default scale, one after the other (each in a
process of its own, its output as it comes), then the time each took and every target line
they printed (`target <name>: <figure> (<ratio>) >= <target> OK|MISSED`), gathered in one
summary. Exits non-zero when a benchmark fails to run (a missed target is a figure, not a
failure). Benchmarks share the machine: run it alone (`flock /tmp/bench.lock make bench`)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    started = time.perf_counter()
    timings: list[tuple[str, float, int]] = []
    targets: list[str] = []
    for bench in sorted(HERE.glob("bench_*.py")):
        print(f"== {bench.relative_to(HERE.parent)}", flush=True)
        begun = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, str(bench)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, bufsize=1,
        )  # fmt: skip
        assert proc.stdout is not None
        for line in proc.stdout:
            print(line, end="", flush=True)
            if line.startswith("target "):
                targets.append(line.rstrip())
        code = proc.wait()
        timings.append((bench.name, time.perf_counter() - begun, code))
        if code:
            print(f"{bench.name} failed with exit status {code}", flush=True)
    print("\n== summary")
    for name, took, code in timings:
        print(f"{name:28s} {took:7.1f} s{'   FAILED' if code else ''}")
    print(f"{'all':28s} {time.perf_counter() - started:7.1f} s (budget: 15 minutes)")
    missed = [t for t in targets if t.endswith("MISSED")]
    print(f"\n{len(targets)} targets, {len(targets) - len(missed)} met, {len(missed)} missed")
    for line in targets:
        print(line)
    return 1 if any(code for _, _, code in timings) else 0


if __name__ == "__main__":
    sys.exit(main())
