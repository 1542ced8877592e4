"""Helper threads for the compiled loops: every row once, the same values on any number of threads."""

from __future__ import annotations

import os
import signal
import threading

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

    def fill(a: int, b: int) -> None:
        with lock:
            seen.append((a, b, threading.current_thread().name))

    cores.in_parts(fill, (3, 103), 16)
    spans = sorted((a, b) for a, b, _ in seen)
    assert spans[0][0] == 3 and spans[-1][1] == 103 and len(spans) == 3
    assert all(p[1] == q[0] for p, q in zip(spans, spans[1:]))  # consecutive, no gap, no overlap
    names = dict(((a, b), name) for a, b, name in seen)
    assert names[spans[0]] == threading.current_thread().name  # the first part in the caller
    assert all(names[s].startswith("align-helper") for s in spans[1:])  # the others in helper threads


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
