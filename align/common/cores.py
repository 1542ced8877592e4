"""How many threads this process may use, and its helper threads for compiled loops that release the GIL.

The search's compiled kernels (``core.kernels``) run without the GIL, so a
block of work split by rows runs on every core from plain Python threads: no
OpenMP or TBB runtime (Cython's ``prange`` needs OpenMP; numba's ``parallel=True``,
the alternative while the kernels were numba's, up to 0.8.4, needed one, and its default
layer aborts when two threads launch at once, as corpus workers and the editor's
server do), nothing that breaks across ``fork``, and each part
writes its own rows, so the values are those of one call.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from align.common.setting import ProcessSetting

__all__ = ["alongside", "available_cores", "default_threads", "in_parts", "in_turns", "quick_handoffs", "reset_helpers", "shared_by"]

_PREFIX = "align-helper"
_P = ParamSpec("_P")
_T = TypeVar("_T")
_LOCK = threading.Lock()
_HELPERS: tuple[ThreadPoolExecutor | None, int] | None = None  # made on first use: (pool, thread count)


def _after_fork_in_child() -> None:
    """A forked child (a corpus worker) starts without helpers and with a free lock: threads do not survive ``fork``."""
    global _HELPERS, _LOCK
    _HELPERS, _LOCK = None, threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


def reset_helpers() -> None:
    """Stop this process's helper threads; the next call makes them again, reading ``default_threads`` anew."""
    global _HELPERS
    with _LOCK:
        if _HELPERS is not None and _HELPERS[0] is not None:
            _HELPERS[0].shutdown()
        _HELPERS = None


def default_threads() -> int:
    """``$OMP_NUM_THREADS`` when the user set it, else all usable cores.

    A corpus worker process sets it to its share of the cores, so the model and
    the aligner's compiled loops stay within that share.
    """
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "")))
    except ValueError:
        return available_cores()


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _helpers() -> tuple[ThreadPoolExecutor | None, int]:
    """This process's helper threads (one fewer than ``default_threads``, read once) and that thread count."""
    global _HELPERS
    with _LOCK:
        if _HELPERS is None:
            threads = default_threads()
            _HELPERS = (ThreadPoolExecutor(threads - 1, thread_name_prefix=_PREFIX) if threads > 1 else None, threads)
        return _HELPERS


def shared_by() -> int:
    """How many threads ``in_parts`` shares work among in this process (the caller and its helpers)."""
    return _helpers()[1]


def _pool_for_caller() -> tuple[ThreadPoolExecutor | None, int]:
    """The helpers this thread may hand work to (None from a helper thread: its fellows may all be busy)."""
    pool, threads = _helpers()
    return (None if threading.current_thread().name.startswith(_PREFIX) else pool), threads


def in_parts(fill: Callable[[int, int], object], rows: tuple[int, int], min_rows: int) -> None:
    """``fill(a, b)`` over consecutive parts of ``rows = (r0, r1)``, one part per thread, at least ``min_rows`` each
    (so a block of 256 rows in parts of 16 or more keeps up to 16 threads busy).

    ``fill`` must release the GIL for the parts to overlap (a ``nogil`` kernel)
    and write only its own rows. The parts are taken as ``in_turns`` takes
    turns; a call from a helper thread runs whole (its helpers may all be busy).
    """
    r0, r1 = rows
    pool, threads = _pool_for_caller()
    parts = min(threads, (r1 - r0) // max(min_rows, 1))
    if pool is None or parts <= 1:
        fill(r0, r1)
        return
    cuts = [r0 + (r1 - r0) * k // parts for k in range(parts + 1)]
    in_turns(lambda k: fill(cuts[k], cuts[k + 1]), parts)


def in_turns(fill: Callable[[int], object], count: int) -> None:
    """``fill(k)`` for each ``k`` in ``range(count)``, once, each taken in order by the first free thread: the caller or a helper.

    A helper busy with other work (a task ``alongside``) takes no turn until it
    is free, and the caller does not wait for it: once no turn is left, the
    helpers that have not started are called off. So a caller whose helper
    runs Python beside it (the flags' text checks) does its blocks alone, and
    is joined as soon as the helper is done. Each ``fill(k)`` must write only
    its own part; which thread runs it never changes a value. After an error
    no new turn starts, and the first error met reaches the caller once every
    turn begun has ended. A call from a helper thread takes every turn itself.
    """
    pool, threads = _pool_for_caller()
    if pool is None or count <= 1:
        for k in range(count):
            fill(k)
        return
    lock = threading.Lock()
    turns = iter(range(count))
    stop = False  # set by the first error, and when the caller leaves: no turn starts after it
    errors: list[BaseException] = []  # the first one met, in whichever thread

    def take_turns() -> None:
        nonlocal stop
        while True:
            with lock:
                k = None if stop else next(turns, None)
            if k is None:
                return
            try:
                fill(k)
            except BaseException as exc:
                with lock:
                    stop = True
                    errors.append(exc)
                return

    futures: list[Future[None]] = []
    try:
        for _ in range(min(threads - 1, count - 1)):
            futures.append(pool.submit(take_turns))
        take_turns()
    finally:
        with lock:
            stop = True  # the turns are all taken, or the caller leaves on an error of its own (an interrupt)
        # one not started (its helper busy elsewhere) is called off; the others are waited for, so that every
        # turn has stopped writing before the caller goes on (``take_turns`` keeps its errors: none is in a future)
        wait([f for f in futures if not f.cancel()])
    if errors:
        raise errors[0]


def alongside(task: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> Callable[[], _T]:
    """Start ``task(*args)`` in a helper thread and return what waits for its result.

    For a task that reads only what the caller does not change meanwhile: a
    kernel-bound one (the backward sums beside the forward sums, over kept
    scores), or Python beside the caller's kernels (the flags' text checks
    beside the ``moved`` check's products, under ``quick_handoffs``).
    Where there is no helper (one thread) or the caller is one, the task runs
    here and now. If the caller fails before it waits, the task still runs to
    its end (its result is dropped; the interpreter waits for it at exit).
    """
    pool, _ = _pool_for_caller()
    if pool is None:
        value = task(*args, **kwargs)
        return lambda: value
    future = pool.submit(task, *args, **kwargs)
    return future.result


# the GIL switch interval inside ``quick_handoffs``: 25 times shorter than CPython's 5 ms
_QUICK_SWITCH = 0.000_2


def _shorten_switch() -> tuple[float, float]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(_QUICK_SWITCH, before))
    return before, sys.getswitchinterval()  # as it reads back (whole microseconds)


def _restore_switch(token: tuple[float, float]) -> None:
    before, short = token
    if sys.getswitchinterval() == short:  # not if someone set another meanwhile
        sys.setswitchinterval(before)


_HANDOFFS = ProcessSetting(_shorten_switch, _restore_switch)


@contextmanager
def quick_handoffs() -> Iterator[None]:
    """A short GIL switch interval while compiled loops and Python run side by side (``alongside``, ``in_turns``).

    A thread leaving a ``nogil`` kernel or a BLAS call needs the GIL back to
    go on, and waits until the thread running Python gives it up: by default
    every 5 ms (``sys.getswitchinterval``). A loop that returns to Python a few
    hundred times (the flags' ``moved`` check: a product and a kernel call per
    tile) then waits longer than it computes: beside the text checks the
    flags took 0.50 s at 10,000 segments a side, against 0.44 s one after the
    other; with 0.2 ms between hand-offs, 0.38 s. The interval is one per
    process (every thread of it switches more often meanwhile): shortened
    while any thread is inside, put back when the last leaves, unless someone
    set another meanwhile (``setting.ProcessSetting``, as the collector's pause).
    Only the scheduling changes, never a result.
    """
    with _HANDOFFS.held():
        yield
