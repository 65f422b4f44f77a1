"""CPU-heavy work kept off the event loop: one bounded thread pool and one child process.

Small inputs stay inline: the common create costs microseconds and gets no thread hop.
`off_loop` runs a pure step in a worker thread when the caller says its input is heavy; pure
Python there hands the GIL back to the loop every `sys.getswitchinterval()` (5 ms), and native
code that releases the GIL (nh3) does not hold it at all. Native code that keeps the GIL
for its whole call (the Rust Markdown renderer) goes one step further with `in_child`: a
single spawned worker process, started on first use, so that no input can pause the loop
for longer than it takes to hand the text over. A child that dies (a native crash on a
hostile input) is replaced, and the call raises `ChildCrashed`.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")

INLINE_BYTES = 64 * 1024  # above this, text work leaves the event loop
THREADS = 4  # heavy pure steps running at once; more wait their turn

_threads = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="hub-cpu")
_child: ProcessPoolExecutor | None = None
_child_lock = threading.Lock()


class ChildCrashed(RuntimeError):
    """The worker process died while running the call (the input crashed native code)."""


def is_heavy(*texts: object) -> bool:
    """True when the strings among `texts` together are big enough to leave the event loop."""
    return sum(len(t) for t in texts if isinstance(t, str)) > INLINE_BYTES


async def off_loop(fn: Callable[..., T], /, *args: Any, heavy: bool, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)`: inline when not `heavy`, else in the shared worker-thread pool."""
    if not heavy:
        return fn(*args, **kwargs)
    call = functools.partial(fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_threads, call)


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
