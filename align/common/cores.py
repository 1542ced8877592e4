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
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import ParamSpec, TypeVar

__all__ = ["alongside", "available_cores", "default_threads", "in_parts", "reset_helpers", "shared_by"]

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
    (so a block of 64 rows in parts of 16 or more keeps at most four threads busy).

    ``fill`` must release the GIL for the parts to overlap (a ``nogil`` kernel)
    and write only its own rows. The first part runs in the calling thread; a
    call from a helper thread runs whole (its helpers may all be busy).
    """
    r0, r1 = rows
    pool, threads = _pool_for_caller()
    parts = min(threads, (r1 - r0) // max(min_rows, 1))
    if pool is None or parts <= 1:
        fill(r0, r1)
        return
    cuts = [r0 + (r1 - r0) * k // parts for k in range(parts + 1)]
    futures = [pool.submit(fill, a, b) for a, b in zip(cuts[1:-1], cuts[2:])]
    try:
        fill(cuts[0], cuts[1])
    finally:
        wait(futures)  # every part has stopped writing before an error leaves here
    for f in futures:
        f.result()


def alongside(task: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> Callable[[], _T]:
    """Start ``task(*args)`` in a helper thread and return what waits for its result.

    For a kernel-bound task that reads only what the caller does not change
    meanwhile (the backward sums beside the forward sums, over kept scores).
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
