"""The collector pause around heavy off-loop work: it nests, it restores, and overlapping
heavy calls cannot keep the collector off for longer than `MAX_GC_PAUSE`."""

from __future__ import annotations

import gc
import time

from hub.core import offload


def test_the_collector_is_off_while_heavy_work_runs_and_back_after():
    assert gc.isenabled()
    with offload.gc_paused():
        assert not gc.isenabled()
        with offload.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_overlapping_heavy_work_does_not_keep_the_collector_off_for_ever(monkeypatch):
    monkeypatch.setattr(offload, "MAX_GC_PAUSE", 0.05)
    with offload.gc_paused():
        assert not gc.isenabled()
        time.sleep(0.1)
        with offload.gc_paused():  # the next heavy call finds the pause overdue
            assert gc.isenabled()
    assert gc.isenabled()


async def test_small_work_stays_inline_and_heavy_work_goes_to_a_thread():
    import threading

    here = threading.get_ident()
    assert await offload.off_loop(threading.get_ident, heavy=False) == here
    assert await offload.off_loop(threading.get_ident, heavy=True) != here
