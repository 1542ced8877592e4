"""A process-wide setting changed while any thread needs it, and put back when the last one is done.

Some settings belong to the interpreter, not to a thread: the cyclic garbage
collector (``collector.collector_paused``) and the GIL's switch interval
(``cores.quick_handoffs``). Threads of one process (the editor's server,
corpus threads, the helpers) may each ask for such a change, nested or
overlapping; it must start with the first and end with the last, and be undone
only as far as it was made (a collector the caller had switched off stays off;
an interval someone else set meanwhile stays). A forked child keeps only the
forking thread's holds: the other threads do not exist there.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

__all__ = ["ProcessSetting"]

_T = TypeVar("_T")


class ProcessSetting(Generic[_T]):
    """``change()`` when the first thread enters ``held()``, ``restore(token)`` when the last one leaves.

    ``change`` returns what ``restore`` needs to undo it (the state it found).
    Reentrant per thread; safe across threads and across ``fork``.
    """

    def __init__(self, change: Callable[[], _T], restore: Callable[[_T], None]) -> None:
        self._change, self._restore = change, restore
        self._lock = threading.Lock()
        self._holds: dict[int, int] = {}  # thread id -> its holds in progress
        self._token: _T | None = None
        os.register_at_fork(after_in_child=self._after_fork_in_child)

    @property
    def holders(self) -> int:
        """How many threads hold the setting now."""
        return len(self._holds)

    @contextmanager
    def held(self) -> Iterator[None]:
        """The setting changed inside (from the first thread in to the last one out)."""
        me = threading.get_ident()
        with self._lock:
            if not self._holds:
                self._token = self._change()
            self._holds[me] = self._holds.get(me, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._holds[me] -= 1
                if not self._holds[me]:
                    del self._holds[me]
                if not self._holds:
                    self._restore(self._token)  # type: ignore[arg-type]  # set by the first hold

    def _after_fork_in_child(self) -> None:
        """The forking thread's holds go on; the other threads' are gone, so the setting is undone if none is left."""
        self._lock = threading.Lock()
        me = threading.get_ident()
        others = len(self._holds) - (me in self._holds)
        mine = self._holds.get(me, 0)
        self._holds = {me: mine} if mine else {}
        if others and not mine:
            self._restore(self._token)  # type: ignore[arg-type]
