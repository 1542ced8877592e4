"""Helper threads for the compiled loops: every row once, the same values on any number of threads."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from align.common import cores


@pytest.fixture
def three_threads(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    cores.reset_helpers()
    yield
    cores.reset_helpers()


def test_default_threads_follow_omp_num_threads_else_the_cores(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "5")
    assert cores.default_threads() == 5
    monkeypatch.setenv("OMP_NUM_THREADS", "many")
    assert cores.default_threads() == cores.available_cores() >= 1


def test_parts_cover_every_row_once_in_several_threads(three_threads):
    seen: list[tuple[int, int, str]] = []
    lock = threading.Lock()
    all_in = threading.Barrier(3, timeout=10)  # each part waits for the other two: three threads at once

    def fill(a: int, b: int) -> None:
        with lock:
            seen.append((a, b, threading.current_thread().name))
        all_in.wait()

    cores.in_parts(fill, (3, 103), 16)
    spans = sorted((a, b) for a, b, _ in seen)
    assert spans[0][0] == 3 and spans[-1][1] == 103 and len(spans) == 3
    assert all(p[1] == q[0] for p, q in zip(spans, spans[1:]))  # consecutive, no gap, no overlap
    names = {name for _, _, name in seen}
    assert len(names) == 3 and threading.current_thread().name in names  # the caller and two helpers


def test_turns_are_each_taken_once_and_a_busy_helper_is_not_waited_for(three_threads):
    """Helpers busy with a task ``alongside`` take no turn: the caller takes them all and does not wait for them."""
    release = threading.Event()
    busy = [cores.alongside(release.wait, 30) for _ in range(2)]  # both helpers held until released
    taken: list[tuple[int, str]] = []
    try:
        cores.in_turns(lambda k: taken.append((k, threading.current_thread().name)), 7)
        assert [k for k, _ in taken] == list(range(7))  # in order, each once, all in the caller
        assert {name for _, name in taken} == {threading.current_thread().name}
    finally:
        release.set()
    assert all(wait() for wait in busy)


def test_a_free_helper_takes_turns_too(three_threads):
    names: list[str] = []
    lock = threading.Lock()
    two_in = threading.Barrier(2, timeout=10)

    def fill(k: int) -> None:
        with lock:
            names.append(threading.current_thread().name)
        if k < 2:
            two_in.wait()  # turns 0 and 1 run at once: two threads

    cores.in_turns(fill, 6)
    assert len(names) == 6 and len(set(names)) >= 2


def test_an_error_in_a_turn_stops_new_turns_and_reaches_the_caller(three_threads):
    done: list[int] = []

    def fill(k: int) -> None:
        if k == 3:
            raise ValueError("turn failed")
        done.append(k)

    with pytest.raises(ValueError, match="turn failed"):
        cores.in_turns(fill, 1000)
    assert len(done) < 999  # no turn begins after the error is seen (at most one per other thread)


def test_the_first_error_met_reaches_the_caller_not_a_later_one(three_threads):
    caller = threading.current_thread()

    def fill(k: int) -> None:
        if threading.current_thread() is caller:
            time.sleep(0.3)  # the helpers fail meanwhile
            raise KeyError("the caller's, later")
        raise ValueError("a helper's, first")

    with pytest.raises(ValueError, match="a helper's, first"):
        cores.in_turns(fill, 10)


@contextlib.contextmanager
def _another_thread_in_quick_handoffs() -> Iterator[None]:
    """A second thread inside ``quick_handoffs`` until the block ends."""
    entered, leave = threading.Event(), threading.Event()

    def other() -> None:
        with cores.quick_handoffs():
            entered.set()
            leave.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    try:
        assert entered.wait(10)
        yield
    finally:
        leave.set()
        thread.join(10)


def test_quick_handoffs_shorten_the_switch_interval_until_the_last_thread_leaves():
    before = sys.getswitchinterval()
    other = contextlib.ExitStack()
    with cores.quick_handoffs():
        inside = sys.getswitchinterval()
        with cores.quick_handoffs():  # reentrant: the inner exit leaves it short
            pass
        assert sys.getswitchinterval() == inside < before
        other.enter_context(_another_thread_in_quick_handoffs())
    assert sys.getswitchinterval() == inside  # the other thread is still inside
    other.close()
    assert sys.getswitchinterval() == before  # restored when the last one left


def test_small_blocks_and_calls_from_a_helper_run_whole(three_threads):
    got: list[tuple[int, int]] = []
    cores.in_parts(lambda a, b: got.append((a, b)), (0, 20), 16)  # 20 rows: one part of 16 at most
    assert got == [(0, 20)]
    pool, _ = cores._helpers()
    assert pool is not None
    inner: list[tuple[int, int]] = []
    pool.submit(cores.in_parts, lambda a, b: inner.append((a, b)), (0, 100), 16).result()
    assert inner == [(0, 100)]  # no hand-off to helpers that may all be busy


def test_an_error_in_a_part_reaches_the_caller(three_threads):
    def fill(a: int, b: int) -> None:
        if a > 0:
            raise ValueError("part failed")

    with pytest.raises(ValueError, match="part failed"):
        cores.in_parts(fill, (0, 90), 10)


def test_a_forked_child_makes_its_own_helpers(three_threads):
    """Threads do not survive ``fork``: a child must not hand work to its parent's pool (it would wait forever)."""
    parent, _ = cores._helpers()
    pid = os.fork()
    if pid == 0:  # the child: new helpers, every row filled, within 20 s
        code = 2
        try:
            signal.alarm(20)
            child, threads = cores._helpers()
            got: list[tuple[int, int]] = []
            cores.in_parts(lambda a, b: got.append((a, b)), (0, 90), 10)
            code = 0 if child is not None and child is not parent and threads == 3 and max(got)[1] == 90 else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_an_interval_set_meanwhile_is_kept():
    before = sys.getswitchinterval()
    try:
        with cores.quick_handoffs():
            sys.setswitchinterval(0.01)  # the user's own, while the short one is on
        assert sys.getswitchinterval() == 0.01
    finally:
        sys.setswitchinterval(before)


def test_a_forked_child_drops_the_other_threads_handoffs():
    """Another thread was inside ``quick_handoffs`` when the process forked: the child has the usual interval."""
    before = sys.getswitchinterval()
    with _another_thread_in_quick_handoffs():
        assert sys.getswitchinterval() < before
        pid = os.fork()
        if pid == 0:
            code = 2
            try:
                with cores.quick_handoffs():
                    short = sys.getswitchinterval()
                code = 0 if short < before and sys.getswitchinterval() == before and cores._HANDOFFS.holders == 0 else 1
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    assert sys.getswitchinterval() == before
