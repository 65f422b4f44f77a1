"""CPU-heavy work kept off the event loop: one bounded thread pool and one child process.

Small inputs stay inline: the common create costs microseconds and gets no thread hop.
`off_loop` runs a pure step in a worker thread when the caller says its input is heavy; pure
Python there hands the GIL back to the loop every `sys.getswitchinterval()` (5 ms), and native
code that releases the GIL (nh3) does not hold it at all. Native code that keeps the GIL
for its whole call (the Rust Markdown renderer) goes one step further with `in_child`: a
single spawned worker process, started on first use, so that no input can pause the loop
for longer than it takes to hand the text over. A child that dies (a native crash on a
hostile input) is replaced, and the call raises `ChildCrashed`.

Fetched documents (feeds, webmention sources, IndieAuth client pages) are parsed by mostly
pure-Python code (feedparser, html5lib, mf2py, html.parser): a thread is enough for them, and
above `PARSE_INLINE_BYTES` they take one. nh3 releases the GIL. pyvips image work runs in
`hub.core.media.pipeline`'s own bounded executor (probing in `asyncio.to_thread`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import multiprocessing
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")

INLINE_BYTES = 64 * 1024  # above this, text work leaves the event loop
# the pure-Python document parsers (feedparser, html5lib, mf2py) take about 1 ms per KiB
PARSE_INLINE_BYTES = 8 * 1024
THREADS = 4  # heavy pure steps running at once; more wait their turn

_threads = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="hub-cpu")
_child: ProcessPoolExecutor | None = None
_child_lock = threading.Lock()
_gc_pauses = 0  # heavy calls running; the cyclic collector waits while any does
_gc_was_enabled = False
_gc_paused_since = 0.0
MAX_GC_PAUSE = 10.0  # seconds: overlapping heavy calls never keep the collector off longer
_gc_lock = threading.Lock()


class ChildCrashed(RuntimeError):
    """The worker process died while running the call (the input crashed native code)."""


def is_heavy(*texts: object, limit: int = INLINE_BYTES) -> bool:
    """True when the strings and byte strings among `texts` together are longer than `limit`:
    big enough to leave the event loop."""
    return sum(len(t) for t in texts if isinstance(t, str | bytes)) > limit


def heavy_to_parse(*documents: object) -> bool:
    """True when fetched documents are too long for a pure-Python parser on the event loop."""
    return is_heavy(*documents, limit=PARSE_INLINE_BYTES)


async def off_loop(fn: Callable[..., T], /, *args: Any, heavy: bool, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)`: inline when not `heavy`, else in the shared worker-thread pool."""
    if not heavy:
        return fn(*args, **kwargs)
    call = functools.partial(_without_collections, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_threads, call)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic cyclic garbage collection meanwhile (nests across threads). A heavy
    parse allocates fast enough to trigger full collections, and one walks the whole heap with
    the GIL held: 50-100 ms during which the event loop cannot run. Reference counting still
    frees what the work drops; cycles wait for the next collection after it. Heavy calls that
    keep overlapping (a worker polling many feeds) hold it off for `MAX_GC_PAUSE` at most."""
    global _gc_pauses, _gc_was_enabled, _gc_paused_since
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            _gc_paused_since = time.monotonic()
            gc.disable()
        elif _gc_was_enabled and time.monotonic() - _gc_paused_since > MAX_GC_PAUSE:
            gc.enable()  # heavy calls overlapping for long: cycles must be collected sometime
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def _without_collections(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    with gc_paused():
        return fn(*args, **kwargs)


def _ignore_sigint() -> None:  # Ctrl-C stops the server, which then stops the child
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool() -> ProcessPoolExecutor:
    global _child
    with _child_lock:
        if _child is None:
            _child = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_ignore_sigint,
            )
        return _child


def _discard(pool: ProcessPoolExecutor) -> None:
    global _child
    with _child_lock:
        if _child is pool:
            _child = None
    pool.shutdown(wait=False, cancel_futures=True)


def in_child(fn: Callable[..., T], /, *args: Any) -> T:
    """`fn(*args)` in the worker process, blocking the calling thread (not the GIL) until it
    answers. `fn` and its arguments must pickle: a module-level function and plain values."""
    pool = _pool()
    try:
        return pool.submit(fn, *args).result()
    except BrokenProcessPool:
        _discard(pool)
        raise ChildCrashed(f"{fn.__qualname__} crashed its worker process") from None
