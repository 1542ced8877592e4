"""Python's cyclic garbage collector paused while one document pair is aligned.

Aligning a pair builds a few million small objects that all live until its
outputs are written (segments, token sets, anchors, beads, flags). The
collector's full passes re-scan every one of them each time the heap has grown
by a quarter: at 50,000 segments a side that was 16 full passes, 1.3 s of a
17 s run, and 0.25 s of 3.6 s at 10,000 (``tests/benchmarks/bench_core.py``).
They find nothing to free: reference counting frees every object that is not
in a cycle as soon as it is let go, paused or not. What is in a cycle waits
for the collector, which is switched back on when the outermost pause ends
(and left as it was where the caller had switched it off).

The collector is one per process: while any thread aligns a pair, no thread's
cycles are collected (a corpus worker with several threads, the editor's server),
and a ``gc.disable()`` made inside a pause does not outlast it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from align.common.setting import ProcessSetting

__all__ = ["collector_paused"]


def _pause() -> bool:
    was = gc.isenabled()
    gc.disable()
    return was


def _resume(was: bool) -> None:
    if was:
        gc.enable()


_PAUSED = ProcessSetting(_pause, _resume)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (reentrant, and across threads: on again when the last pause ends)."""
    with _PAUSED.held():
        yield
