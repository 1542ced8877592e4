"""The paragraph pass (coarse-to-fine on long documents), and paragraph beads from sentence beads."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from test_aligner import _encoder, _sentences, _tr

from align.common.errors import UsageError
from align.core import paragraphs
from align.core.find import search
from align.core.paragraphs import _align_paragraphs, _weighted_mean, paragraph_band
from align.core.params import AlignParams
from align.core.side import Segments


def test_weighted_mean_equals_numpy_for_short_and_long_groups():
    rng = np.random.default_rng(3)
    for _ in range(5000):
        n = int(rng.integers(1, 14))
        w = [float(x) for x in rng.integers(0, 300, n) * (rng.random() < 0.9)]  # sometimes all weights 0
        v = [round(float(x), 4) for x in rng.random(n)]
        wa, va = np.array(w), np.array(v)
        expect = float((wa * va).sum() / wa.sum()) if wa.sum() > 0 else float(va.mean())
        assert _weighted_mean(w, v) == expect


def _long_pair(paragraphs: int) -> tuple[Segments, Segments]:
    """A translated story of three sentences a paragraph, one paragraph dropped and one merged in the translation."""
    params = AlignParams()
    src = _sentences(3 * paragraphs, seed=11)
    tgt = [_tr(t) for t in src]
    sp = [k // 3 for k in range(len(src))]
    tp = list(sp)
    del tgt[30:33], tp[30:33]  # paragraph 10 has no translation
    tp = [p if p != 41 else 40 for p in tp]  # paragraphs 40 and 41 are one in the translation
    enc = _encoder()
    return (Segments.build(src, enc.encode(src), params, paras=sp),
            Segments.build(tgt, enc.encode(tgt), params, paras=tp))


def test_long_documents_align_paragraphs_coarse_to_fine_with_the_same_result(monkeypatch):
    """Beyond ``para_max_cells`` the paragraph search runs in a band around a coarse path: far fewer cells, same path."""
    src, tgt = _long_pair(220)
    exact = AlignParams(para_max_cells=10**9)
    cells = []

    def counted(*args, **kwargs):
        found = search(*args, **kwargs)
        cells.append(found.cells)
        return found

    monkeypatch.setattr(paragraphs, "search", counted)
    spans_exact, probs_exact = _align_paragraphs(src, tgt, exact)
    spans, probs = _align_paragraphs(src, tgt, AlignParams())
    assert cells[0] == 221 * 219 and cells[1] < cells[0] / 4
    assert len(src.runs) == 220 and (len(src.runs) + 1) * (len(tgt.runs) + 1) > AlignParams().para_max_cells
    assert spans == spans_exact
    assert [s for s, t in spans if not t] == [range(10, 11)] and (range(40, 42), range(39, 40)) in spans
    assert min(probs) > 0.5 and min(probs_exact) > 0.5
    band, band_exact = paragraph_band(src, tgt, AlignParams()), paragraph_band(src, tgt, exact)
    assert band is not None and band_exact is not None
    assert (band.lo == band_exact.lo).all() and (band.hi == band_exact.hi).all()
    with pytest.raises(UsageError, match="para_max_cells must be at least 4"):
        dataclasses.replace(exact, para_max_cells=3)  # a one-paragraph side would be coarsened for ever


def test_the_warm_up_takes_the_paragraph_pass_and_the_coarse_to_fine_path(monkeypatch):
    """``warm_up`` (the editor's, before a first realign) must reach every kernel a long document with paragraphs uses."""
    from align.core import aligner, find
    from align.core.warm import warm_up

    seen = []
    for mod, name in ((aligner, "paragraph_band"), (find, "_coarse_band")):
        real = getattr(mod, name)
        monkeypatch.setattr(mod, name, lambda *a, _real=real, _name=name, **k: seen.append(_name) or _real(*a, **k))
    warm_up("vi", "id")
    assert "paragraph_band" in seen and "_coarse_band" in seen
