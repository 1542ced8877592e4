"""The cyclic collector is off while a pair is aligned, and back as it was afterwards, whatever happens."""

from __future__ import annotations

import gc
import threading

import pytest

from align.common.collector import collector_paused
from align.core import aligner
from align.embedding import HashEncoder
from align.pipeline.pair import RunOptions, align_pair


@pytest.fixture(autouse=True)
def _collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_off_inside_and_on_again_after():
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested (a corpus worker's pair inside a command that pauses it too)
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause ending does not switch it on under the outer one
    assert gc.isenabled()


def test_an_error_inside_still_switches_it_on_again():
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a writer failed")
    assert gc.isenabled()


def test_a_collector_the_caller_switched_off_stays_off():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_overlapping_pauses_of_two_threads_end_with_the_last():
    first_in, release = threading.Event(), threading.Event()
    seen = []

    def first():
        with collector_paused():
            first_in.set()
            release.wait(5)
            seen.append(gc.isenabled())

    t = threading.Thread(target=first)
    t.start()
    first_in.wait(5)
    with collector_paused():
        pass
    seen.append(gc.isenabled())  # the first thread still aligns: still off
    release.set()
    t.join(5)
    assert seen == [False, False]
    assert gc.isenabled()


def test_align_pair_aligns_with_the_collector_paused(tmp_path, monkeypatch):
    (tmp_path / "vi.txt").write_text("Một hai ba.\n\nBốn năm sáu.\n", encoding="utf-8")
    (tmp_path / "id.txt").write_text("Satu dua tiga.\n\nEmpat lima enam.\n", encoding="utf-8")
    real, states = aligner.align_documents, []

    def spying(*args, **kwargs):
        states.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(aligner, "align_documents", spying)
    align_pair(str(tmp_path / "vi.txt"), str(tmp_path / "id.txt"), HashEncoder(), RunOptions(force=True),
               outputs={"tmx": str(tmp_path / "out.tmx")})
    assert states == [False]
    assert gc.isenabled()
