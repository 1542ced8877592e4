"""How many threads this process may use, and its helper threads for compiled loops that release the GIL.

The search's compiled kernels (``core.kernels``) run without the GIL, so a
block of work split by rows runs on every core from plain Python threads: no
OpenMP or TBB runtime (numba's ``parallel=True`` needs one, and its default
layer aborts when two threads launch at once, as corpus workers and the
editor's server do), nothing that breaks across ``fork``, and each part
writes its own rows, so the values are those of one call.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import ParamSpec, TypeVar

__all__ = ["alongside", "available_cores", "default_threads", "in_parts"]

_PREFIX = "align-helper"
_P = ParamSpec("_P")
_T = TypeVar("_T")
# per process id: a forked child (a corpus worker) makes its own, as threads do not survive ``fork``
_HELPERS: dict[int, tuple[ThreadPoolExecutor | None, int]] = {}
_LOCK = threading.Lock()


def _after_fork_in_child() -> None:
    """A forked child starts without helpers and with a free lock (the parent's threads and holder are gone)."""
    global _LOCK
    _HELPERS.clear()
    _LOCK = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


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
    pid = os.getpid()
    got = _HELPERS.get(pid)
    if got is None:
        with _LOCK:
            got = _HELPERS.get(pid)
            if got is None:
                threads = default_threads()
                pool = ThreadPoolExecutor(threads - 1, thread_name_prefix=_PREFIX) if threads > 1 else None
                _HELPERS.clear()
                got = _HELPERS[pid] = (pool, threads)
    return got


def in_parts(fill: Callable[[int, int], object], rows: tuple[int, int], min_rows: int) -> None:
    """``fill(a, b)`` over consecutive parts of ``rows = (r0, r1)``, one part per thread, at least ``min_rows`` each
    (so a block of 64 rows in parts of 16 or more keeps at most four threads busy).

    ``fill`` must release the GIL for the parts to overlap (a ``nogil`` kernel)
    and write only its own rows. The first part runs in the calling thread; a
    call from a helper thread runs whole (its helpers may all be busy).
    """
    r0, r1 = rows
    pool, threads = _helpers()
    parts = min(threads, (r1 - r0) // max(min_rows, 1))
    if pool is None or parts <= 1 or threading.current_thread().name.startswith(_PREFIX):
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
    pool, _ = _helpers()
    if pool is None or threading.current_thread().name.startswith(_PREFIX):
        value = task(*args, **kwargs)
        return lambda: value
    future = pool.submit(task, *args, **kwargs)
    return future.result
