"""One side's evidence is found once: the candidate tokens of a side serve every search over it."""

from __future__ import annotations

import numpy as np

from align.core import side
from align.core.lexical import candidate_tokens
from align.core.params import AlignParams
from align.core.side import Evidence, Segments

SRC = ["Ông Lương Tam Quang gặp UNODC năm 2019.", "Trời mưa.", "Giá 1.000 đồng tại Hà Nội.", "Xem www.un.org."]
TGT = ["Luong Tam Quang bertemu UNODC pada 2019.", "Hujan.", "Harga 1,000 dong di Hanoi.", "Lihat www.un.org."]


def _side(texts):
    return Segments.build(texts, np.eye(len(texts), 4, dtype=np.float32), AlignParams())


def test_tokens_are_each_segments_candidates_found_once(monkeypatch):
    calls = []
    real = side.side_tokens
    monkeypatch.setattr(side, "side_tokens", lambda texts: calls.append(list(texts)) or real(texts))
    src, tgt = _side(SRC), _side(TGT)
    assert src.tokens == [candidate_tokens(t) for t in SRC]
    first = Evidence.of(src, tgt, AlignParams())
    again = Evidence.of(src, tgt, AlignParams())  # the member check's second search, a reordered pair's...
    assert calls == [SRC, TGT]
    assert first.anchors == again.anchors and first.anchors is not None and not first.anchors.empty
    assert first.src.orphans is not None and again.src.orphans is not None
    assert np.array_equal(first.src.orphans, again.src.orphans)


def test_a_picked_side_keeps_the_tokens_found(monkeypatch):
    src = _side(SRC)
    found = src.tokens
    monkeypatch.setattr(side, "side_tokens", lambda texts: (_ for _ in ()).throw(AssertionError("found again")))
    picked = src.pick([0, 2], AlignParams())
    assert picked.tokens == [found[0], found[2]]
    assert picked.texts == [SRC[0], SRC[2]]


def test_a_side_picked_before_its_tokens_are_needed_finds_its_own():
    picked = _side(SRC).pick([1, 3], AlignParams())
    assert picked.tokens == [candidate_tokens(SRC[1]), candidate_tokens(SRC[3])]


def test_no_tokens_are_found_when_no_evidence_reads_them(monkeypatch):
    monkeypatch.setattr(side, "side_tokens", lambda texts: (_ for _ in ()).throw(AssertionError("not needed")))
    ev = Evidence.of(_side(SRC), _side(TGT), AlignParams(lex_weight=0.0, orphan_skip=0.0, orphan_merge=0.0))
    assert ev.anchors is None and ev.src.orphans is None
