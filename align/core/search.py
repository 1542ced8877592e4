"""Monotone alignment search: dynamic programming inside a band.

The DP state ``(i, j)`` means "the first ``i`` source and ``j`` target segments
are aligned"; a bead of type ``(a, b)`` moves from ``(i - a, j - b)`` to
``(i, j)``. Only cells inside a ``Band`` (for each row ``i`` a column range
``[lo[i], hi[i])``, both ends non-decreasing) exist, so time and memory are
``O(n * width)``: the full matrix for short documents, a narrow band around a
coarse path for long ones (as Vecalign does).

Rows are computed one at a time, all bead types and columns of a row at once;
the insertion step ``(0, 1)`` inside a row is a running maximum (a running
log-sum-exp for the forward and backward sums). Bead scores come from a
``RowSource``, so the search knows nothing about vectors or lengths.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Protocol

import numpy as np

NEG = -1e30

BeadType = tuple[int, int]
RowScores = tuple[np.ndarray, np.ndarray | None, np.ndarray | None]


class RowSource(Protocol):
    """Scores of the beads ending in DP row ``i``, over the band columns of that row.

    ``row(i)`` returns ``(S, dele, ins)``: ``S[t, k]`` is the score of a bead of
    type ``types[t]`` ending at ``(i, lo[i] + k)`` (``NEG`` where impossible);
    ``dele``/``ins`` are the scores of the deletion (1-0) and insertion (0-1)
    steps ending there, or ``None`` for the constant ``-skip``.
    """

    types: list[BeadType]

    def row(self, i: int) -> RowScores: ...


@dataclass(frozen=True)
class Band:
    """Allowed DP cells: row ``i`` (0..n) holds columns ``lo[i] <= j < hi[i]``."""

    lo: np.ndarray
    hi: np.ndarray

    @property
    def n(self) -> int:
        return len(self.lo) - 1

    @property
    def width(self) -> int:
        return int(np.max(self.hi - self.lo)) if len(self.lo) else 0

    @property
    def cells(self) -> int:
        return int(np.sum(self.hi - self.lo))


def full_band(n: int, m: int) -> Band:
    """Every cell: the exact DP, for documents small enough."""
    return Band(np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m + 1, dtype=np.int64))


def band_around(nodes: Sequence[tuple[int, int]], n: int, m: int, radius: int) -> Band:
    """A band of ``radius`` cells on each side of a monotone path of DP nodes.

    ``nodes`` are ``(i, j)`` points from ``(0, 0)`` to ``(n, m)`` (e.g. a coarse
    path scaled up); between consecutive nodes the path is a straight segment.
    The ends are then made non-decreasing by widening only, so the band is
    connected and contains ``(0, 0)`` and ``(n, m)``.
    """
    jmin = np.full(n + 1, m + 1, dtype=np.int64)
    jmax = np.full(n + 1, -1, dtype=np.int64)
    pts = sorted(set(nodes) | {(0, 0), (n, m)})
    for (i0, j0), (i1, j1) in pairwise(pts):
        rows = np.arange(i0, i1 + 1)
        if i1 == i0:
            jmin[i0] = min(jmin[i0], j0, j1)
            jmax[i0] = max(jmax[i0], j0, j1)
            continue
        t = (rows - i0) / (i1 - i0)
        a = np.floor(j0 + t * (j1 - j0) - 1e-9).astype(np.int64)
        b = np.ceil(j0 + t * (j1 - j0) + 1e-9).astype(np.int64)
        # a row is crossed from the previous row's end to the next row's start
        np.minimum.at(jmin, rows, a)
        np.maximum.at(jmax, rows, b)
    seen = jmax >= 0
    idx = np.where(seen)[0]
    jmin = np.interp(np.arange(n + 1), idx, jmin[idx]).astype(np.int64)
    jmax = np.interp(np.arange(n + 1), idx, jmax[idx]).astype(np.int64)
    lo = np.clip(jmin - radius, 0, m)
    hi = np.clip(jmax + radius + 1, 1, m + 1)
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.maximum.accumulate(hi)
    lo[0] = 0
    hi[-1] = m + 1
    return Band(lo, hi)


def segment_columns(band: Band, m: int, max_a: int, max_b: int) -> tuple[np.ndarray, np.ndarray]:
    """For each source segment r, the target columns [start, end) its window sums need.

    A bead ending in DP row ``i`` uses source segments ``i-a .. i-1`` and target
    segments ``j-b .. j-1`` for ``j`` in ``[lo[i], hi[i])``; by monotonicity of the
    band, segment ``r`` is needed for columns ``lo[r+1] - max_b .. hi[r+max_a] - 1``.
    """
    n = band.n
    r = np.arange(n)
    start = np.clip(band.lo[np.minimum(r + 1, n)] - max_b, 0, m)
    end = np.clip(band.hi[np.minimum(r + max_a, n)], 0, m)
    end = np.maximum(end, start)
    return start, end


def _gather(M: np.ndarray, band: Band, rows: np.ndarray, cols: np.ndarray, fill: float) -> np.ndarray:
    """``M[r, c - lo[r]]`` for rows ``(T,)`` and absolute columns ``(T, L)``; ``fill`` outside the band."""
    lo = band.lo[rows][:, None]
    hi = band.hi[rows][:, None]
    k = cols - lo
    ok = (cols >= lo) & (cols < hi)
    vals = M[rows[:, None], np.clip(k, 0, M.shape[1] - 1)]
    return np.where(ok, vals, fill)


def _null(w: np.ndarray | None, skip: float, L: int) -> np.ndarray:
    return np.full(L, -skip) if w is None else w


def _ramp(ins: np.ndarray | None, skip: float, L: int) -> np.ndarray:
    """Cumulative cost of insertion steps along a row (so a running max/sum handles them)."""
    if ins is None:
        return skip * np.arange(L)
    return -np.concatenate([[0.0], np.cumsum(ins[1:])])


@dataclass
class SearchResult:
    """The best path, with the forward sums bead posteriors need."""

    path: list[BeadType]
    forward: np.ndarray | None  # log-sum-exp of all paths reaching each cell (band layout)
    total: float  # best path score


def viterbi(band: Band, source: RowSource, skip: float, *, with_forward: bool = False) -> SearchResult:
    """Best monotone path from (0, 0) to (n, m), optionally with forward sums.

    One-sided steps are always allowed. Ties go to the earlier type in
    ``source.types``, then to the deletion, then to the insertion, so the
    result is deterministic. With ``with_forward`` the same pass sums (in log
    space) over all paths, for bead posteriors.
    """
    n, width = band.n, band.width
    m = int(band.hi[n]) - 1
    types = list(source.types)
    A = np.array([a for a, _ in types], dtype=np.int64)
    Bt = np.array([b for _, b in types], dtype=np.int64)
    T = len(types)
    D = np.full((n + 1, width), NEG)
    F = np.full((n + 1, width), -np.inf) if with_forward else None
    back = np.full((n + 1, width), -1, dtype=np.int8)
    for i in range(n + 1):
        c0, c1 = int(band.lo[i]), int(band.hi[i])
        L = c1 - c0
        cols = np.arange(c0, c1)
        S, dele, ins = source.row(i)
        best = np.full(L, NEG)
        arg = np.full(L, -1, dtype=np.int64)
        fsum = np.full(L, -np.inf)
        if i == 0:
            if c0 == 0:
                best[0] = 0.0
                fsum[0] = 0.0
        else:
            okt = A <= i
            rows = np.where(okt, i - A, 0)
            pcols = cols[None, :] - Bt[:, None]
            prev = _gather(D, band, rows, pcols, NEG)
            prev[~okt] = NEG
            cand = prev + S
            arg = np.argmax(cand, axis=0)
            best = cand[arg, np.arange(L)]
            dstep = _null(dele, skip, L)
            dprev = _gather(D, band, np.array([i - 1]), cols[None, :], NEG)[0] + dstep
            better = dprev > best
            best = np.where(better, dprev, best)
            arg = np.where(better, T, arg)
            if F is not None:
                fprev = _gather(F, band, rows, pcols, -np.inf)
                fprev[~okt] = -np.inf
                fsum = np.logaddexp.reduce(fprev + S, axis=0) if T else fsum
                fsum = np.logaddexp(fsum, _gather(F, band, np.array([i - 1]), cols[None, :], -np.inf)[0] + dstep)
        ramp = _ramp(ins, skip, L)
        run = np.maximum.accumulate(best + ramp)
        row = run - ramp
        arg = np.where(run > best + ramp, T + 1, arg)
        row[row < NEG / 2] = NEG
        D[i, :L] = row
        back[i, :L] = arg
        if F is not None:
            F[i, :L] = np.logaddexp.accumulate(fsum + ramp) - ramp
    all_types = types + [(1, 0), (0, 1)]
    path: list[BeadType] = []
    i, j = n, m
    total = float(D[n, m - band.lo[n]])
    while i > 0 or j > 0:
        k = int(back[i, j - band.lo[i]])
        if k < 0:
            raise RuntimeError(f"alignment search found no path through cell ({i}, {j})")
        a, b = all_types[k]
        path.append((a, b))
        i, j = i - a, j - b
    path.reverse()
    return SearchResult(path, F, total)


def backward(band: Band, source: RowSource, skip: float) -> np.ndarray:
    """Log-sum-exp over all paths from each cell to (n, m) (band layout)."""
    n, width = band.n, band.width
    m = int(band.hi[n]) - 1
    types = list(source.types)
    B = np.full((n + 1, width), -np.inf)
    by_a: dict[int, list[int]] = {}
    for t, (a, _) in enumerate(types):
        by_a.setdefault(a, []).append(t)
    for i in range(n, -1, -1):
        c0, c1 = int(band.lo[i]), int(band.hi[i])
        L = c1 - c0
        cols = np.arange(c0, c1)
        acc = np.full(L, -np.inf)
        if i == n:
            acc[m - c0] = 0.0
        for a, ts in by_a.items():
            e = i + a
            if e > n:
                continue
            S, _, _ = source.row(e)
            lo_e, hi_e = int(band.lo[e]), int(band.hi[e])
            for t in ts:
                ecols = cols + types[t][1]
                ok = (ecols >= lo_e) & (ecols < hi_e)
                if not ok.any():
                    continue
                k = np.clip(ecols - lo_e, 0, hi_e - lo_e - 1)
                vals = np.where(ok, S[t, k] + B[e, k], -np.inf)
                acc = np.logaddexp(acc, vals)
        if i < n:
            _, dele, _ = source.row(i + 1)
            lo_e, hi_e = int(band.lo[i + 1]), int(band.hi[i + 1])
            ok = (cols >= lo_e) & (cols < hi_e)
            k = np.clip(cols - lo_e, 0, hi_e - lo_e - 1)
            dstep = _null(dele, skip, hi_e - lo_e)
            acc = np.logaddexp(acc, np.where(ok, dstep[k] + B[i + 1, k], -np.inf))
        # insertions within the row, from the right: B[j] = logaddexp(B[j], w[j+1] + B[j+1])
        _, _, ins = source.row(i)
        ramp = _ramp(ins, skip, L)
        B[i, :L] = np.logaddexp.accumulate((acc - ramp)[::-1])[::-1] + ramp
    return B


def _step_score(source: RowSource, band: Band, end: tuple[int, int], step: BeadType, skip: float) -> float:
    """The score of the step (bead or one-sided) of type ``step`` ending at DP cell ``end``."""
    (i1, j1), (a, b) = end, step
    S, dele, ins = source.row(i1)
    k = j1 - int(band.lo[i1])
    if a and b:
        return float(S[source.types.index((a, b)), k])
    w = dele if b == 0 else ins
    return -skip if w is None else float(w[k])


def bead_posteriors(path: Sequence[BeadType], band: Band, forward: np.ndarray, backward_: np.ndarray, source: RowSource, skip: float) -> list[float]:
    """Posterior probability of each bead of ``path``: all paths through it over all paths."""
    n = band.n
    m = int(band.hi[n]) - 1
    z = forward[n, m - int(band.lo[n])]
    out: list[float] = []
    i = j = 0
    for a, b in path:
        s = _step_score(source, band, (i + a, j + b), (a, b), skip)
        lp = forward[i, j - int(band.lo[i])] + s + backward_[i + a, j + b - int(band.lo[i + a])] - z
        out.append(float(np.exp(min(lp, 0.0))))
        i, j = i + a, j + b
    return out


def path_to_spans(path: Sequence[BeadType]) -> list[tuple[range, range]]:
    """Bead types in order -> (source range, target range) per bead."""
    out = []
    i = j = 0
    for a, b in path:
        out.append((range(i, i + a), range(j, j + b)))
        i += a
        j += b
    return out
