"""The best score any monotone aligner could reach on a gold alignment.

Published gold alignments are not always monotone or contiguous (Text+Berg has
beads out of order, lines in no bead, a line in two beads), and an aligner
that outputs a monotone sequence of contiguous beads cannot match those. So a
number like "strict F1 0.92" means more next to the *ceiling*: the score of the
monotone path, over the same bead types the aligner may use, with the best
strict F1. It needs no model: the aligner's own DP (``core.search.viterbi``) finds
the path that maximises (gold beads matched) - lambda x (beads that match
nothing), for a few lambdas (a larger one trades a match for fewer wrong
beads, which can raise precision more than it costs recall), and the path
with the best F1 is kept. The DP runs in a band around the gold's own path,
so it stays linear on long documents. Only the strict score is a ceiling: the
lax score of the same path is not the best lax score possible.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from align.core.search import NEG, Band, BeadType, band_around, path_to_spans, viterbi
from align.tools.gold import BeadPair, Scores, count_doc

_LAMBDAS = (1e-3, 0.25, 0.5, 1.0, 2.0)  # cost of a bead that matches no gold bead (1e-3: only breaks ties)


class _GoldScores:
    """A ``RowSource`` scoring each bead +1 when it is a gold bead, ``-miss`` otherwise."""

    def __init__(self, gold: Sequence[BeadPair], band: Band, types: Sequence[BeadType], miss: float) -> None:
        self.miss = miss
        self.types = list(types)
        self.band = band
        index = {bt: k for k, bt in enumerate(self.types)}
        self.ends: dict[int, list[tuple[int, int]]] = {}  # row i -> (type index, column j) of gold beads ending there
        for s, t in gold:
            contiguous = s == tuple(range(s[0], s[-1] + 1)) and t == tuple(range(t[0], t[-1] + 1)) if s and t else False
            if contiguous and (len(s), len(t)) in index:
                self.ends.setdefault(s[-1] + 1, []).append((index[(len(s), len(t))], t[-1] + 1))
        self.del_ = {s[0] for s, t in gold if len(s) == 1 and not t}
        self.ins = {t[0] for s, t in gold if len(t) == 1 and not s}
        self.a = np.array([a for a, _ in self.types])[:, None]
        self.b = np.array([b for _, b in self.types])[:, None]

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        lo, hi = int(self.band.lo[i]), int(self.band.hi[i])
        cols = np.arange(lo, hi)
        S = np.where((self.a > i) | (self.b > cols[None, :]), NEG, -self.miss)
        for t, j in self.ends.get(i, ()):
            if lo <= j < hi:
                S[t, j - lo] = 1.0
        dele = np.full(hi - lo, 1.0 if (i - 1) in self.del_ else -self.miss) if i > 0 else None
        ins = np.array([1.0 if (j - 1) in self.ins else -self.miss for j in cols])
        return S, dele, ins


def ceiling_path(gold: Sequence[BeadPair], n: int, m: int, types: Sequence[BeadType], radius: int = 32) -> list[BeadPair]:
    """The monotone beads over ``n`` x ``m`` segments with the best strict F1 against ``gold``."""
    if n == 0 or m == 0:
        return [((i,), ()) for i in range(n)] + [((), (j,)) for j in range(m)]
    nodes = sorted((max(s) + 1 if s else 0, max(t) + 1 if t else 0) for s, t in gold if len(s) and len(t))
    reach: list[tuple[int, int]] = []
    for i, j in nodes:  # keep a monotone chain of the gold's bead ends to centre the band on
        if not reach or (i >= reach[-1][0] and j >= reach[-1][1]):
            reach.append((i, j))
    band = band_around(reach, n, m, radius)
    best: list[BeadPair] = []
    best_f1 = -1.0
    for miss in _LAMBDAS:
        found = viterbi(band, _GoldScores(gold, band, types, miss), skip=miss)
        path = [(tuple(s), tuple(t)) for s, t in path_to_spans(found.path)]
        f1 = Scores(count_doc(path, gold)).strict_f1
        if f1 > best_f1:
            best, best_f1 = path, f1
    return best
