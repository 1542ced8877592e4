"""Monotone alignment search: dynamic programming inside a band.

The DP state ``(i, j)`` means "the first ``i`` source and ``j`` target segments
are aligned"; a bead of type ``(a, b)`` moves from ``(i - a, j - b)`` to
``(i, j)``. Only cells inside a ``Band`` (for each row ``i`` a column range
``[lo[i], hi[i])``, both ends non-decreasing) exist, so time and memory are
``O(n * width)``: the full matrix for short documents, a narrow band around a
coarse path for long ones (as Vecalign does).

The loops over rows, columns and bead types are compiled (``kernels``, C by Cython);
the insertion step ``(0, 1)`` inside a row is a running maximum (a running
log-sum-exp for the forward and backward sums). Bead scores come from a
``RowSource``, a block of rows at a time where it offers ``rows(r0, r1)``, so
the search knows nothing about vectors or lengths.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from align.core.kernels import NEG as NEG  # re-exported: the search's score of an impossible cell
from align.core.kernels import backward_rows, forward_rows, trace_back

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

    @functools.cached_property
    def width(self) -> int:  # read once per block of rows by the kernels' callers: computed once
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
    pts = np.array(sorted(set(nodes) | {(0, 0), (n, m)}), dtype=np.int64).reshape(-1, 2)
    i0, j0, i1, j1 = pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1]
    flat = i1 == i0  # a step along a row: both ends in that row
    np.minimum.at(jmin, i0[flat], np.minimum(j0[flat], j1[flat]))
    np.maximum.at(jmax, i0[flat], np.maximum(j0[flat], j1[flat]))
    # every other step crosses rows i0 .. i1 on a straight line: all steps' rows at once
    i0, j0, i1, j1 = i0[~flat], j0[~flat], i1[~flat], j1[~flat]
    count = i1 - i0 + 1
    first = np.repeat(np.cumsum(count) - count, count)
    rows = np.repeat(i0, count) + (np.arange(int(count.sum())) - first)
    top, left, rise = np.repeat(i0, count), np.repeat(j0, count), np.repeat(j1 - j0, count)
    t = (rows - top) / np.repeat(i1 - i0, count)
    a = np.floor(left + t * rise - 1e-9).astype(np.int64)
    b = np.ceil(left + t * rise + 1e-9).astype(np.int64)
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


def band_of_kept(band: Band, keep_s: Sequence[int], keep_t: Sequence[int], m: int) -> Band:
    """``band`` with every segment outside ``keep_s``/``keep_t`` taken out (``m``: the target's old length).

    A kept DP row stands for every old row that consumed the same kept source
    segments, so it allows the union of their columns, each old column mapped
    to the kept target segments before it: a path of the old band that skips
    the taken-out segments is a path of the new one. The aligner's second round
    (pairs out of order taken out) searches here instead of finding a band again.
    """
    n = band.n
    cs = np.zeros(n + 1, dtype=np.int64)
    cs[np.asarray(keep_s, dtype=np.int64) + 1] = 1
    cs = np.cumsum(cs)  # kept source segments among the first r
    ct = np.zeros(m + 1, dtype=np.int64)
    ct[np.asarray(keep_t, dtype=np.int64) + 1] = 1
    ct = np.cumsum(ct)
    starts = np.searchsorted(cs, np.arange(len(keep_s) + 1), side="left")
    lo = np.minimum.reduceat(ct[band.lo], starts)
    hi = np.maximum.reduceat(ct[band.hi - 1], starts) + 1
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.maximum.accumulate(hi)
    lo[0] = 0
    hi[-1] = len(keep_t) + 1
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


def _sizes(types: Sequence[BeadType]) -> tuple[np.ndarray, np.ndarray]:
    """The source and target sizes of the bead types, as the kernels take them."""
    A = np.array([a for a, _ in types], dtype=np.int64)
    B = np.array([b for _, b in types], dtype=np.int64)
    return A, B


def _band_arrays(band: Band) -> tuple[np.ndarray, np.ndarray]:
    return np.ascontiguousarray(band.lo, dtype=np.int64), np.ascontiguousarray(band.hi, dtype=np.int64)


def _block_rows(source: RowSource) -> int:
    """How many rows the kernels take at once: the source's own block when it computes blocks."""
    return int(getattr(source, "block_rows", 64))


Steps = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def row_steps(source: RowSource, band: Band, rows: tuple[int, int], skip: float) -> Steps:
    """``(S, dele, ins, has_ins)`` of DP rows ``[r0, r1)`` in band layout, as the kernels read them.

    ``S`` is ``(T, r1 - r0, width)``, ``dele``/``ins`` are ``(r1 - r0, width)``
    (``-skip`` where the source gives the constant), ``has_ins`` says per row
    whether its insertions are per cell. A source with a ``rows(r0, r1)``
    method (``WindowScorer``) gives whole blocks; any other is asked row by row.
    """
    r0, r1 = rows
    r1 = min(r1, band.n + 1)
    R, W = r1 - r0, band.width
    block = getattr(source, "rows", None)
    if block is not None:
        S, dele, ins = block(r0, r1)
        return (
            np.ascontiguousarray(S, dtype=np.float64),
            np.full((R, W), -skip) if dele is None else np.ascontiguousarray(dele, dtype=np.float64),
            np.zeros((R, W)) if ins is None else np.ascontiguousarray(ins, dtype=np.float64),
            np.full(R, ins is not None),
        )
    S = np.full((len(source.types), R, W), NEG)
    dele, ins, has = np.full((R, W), -skip), np.zeros((R, W)), np.zeros(R, dtype=bool)
    for q in range(R):
        s, d, w = source.row(r0 + q)
        L = s.shape[1]
        S[:, q, :L] = s
        if d is not None:
            dele[q, :L] = d
        if w is not None:
            ins[q, :L] = w
            has[q] = True
    return S, dele, ins, has


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
    space) over all paths, for bead posteriors. The rows are computed by
    ``kernels.forward_rows``, a block of the source's rows at a time.
    """
    n, width = band.n, band.width
    m = int(band.hi[n]) - 1
    types = list(source.types)
    A, Bt = _sizes(types)
    lo, hi = _band_arrays(band)
    D = np.full((n + 1, width), NEG)
    F = np.full((n + 1, width) if with_forward else (1, 1), -np.inf)
    back = np.full((n + 1, width), -1, dtype=np.int8)
    step = _block_rows(source)
    for r0 in range(0, n + 1, step):
        r1 = min(r0 + step, n + 1)
        steps = row_steps(source, band, (r0, r1), skip)
        forward_rows((D, F, back), steps, (lo, hi), (A, Bt), (r0, r1), (float(skip), with_forward))
    all_types = [*types, (1, 0), (0, 1)]
    picked, i, j = trace_back(back, lo, np.array(all_types, dtype=np.int64), n, m)
    if len(picked) == 0 and (n > 0 or m > 0):
        raise RuntimeError(f"alignment search found no path through cell ({i}, {j})")
    path = [all_types[k] for k in picked.tolist()]
    total = float(D[n, m - band.lo[n]])
    return SearchResult(path, F if with_forward else None, total)


def backward(band: Band, source: RowSource, skip: float) -> np.ndarray:
    """Log-sum-exp over all paths from each cell to (n, m) (band layout), by ``kernels.backward_rows``."""
    n, width = band.n, band.width
    m = int(band.hi[n]) - 1
    types = list(source.types)
    A, Bt = _sizes(types)
    lo, hi = _band_arrays(band)
    by_a: dict[int, list[int]] = {}
    for t, (a, _) in enumerate(types):
        by_a.setdefault(a, []).append(t)
    order = np.array([t for ts in by_a.values() for t in ts], dtype=np.int64)
    reach = max([1, *A.tolist()])  # a row's sums read the rows up to this many below it
    B = np.full((n + 1, width), -np.inf)
    step = _block_rows(source)
    for r0 in reversed(range(0, n + 1, step)):
        r1 = min(r0 + step, n + 1)
        steps = row_steps(source, band, (r0, r1 + reach), skip)
        backward_rows(B, steps, (lo, hi), (A, Bt, order), (r0, r1, n, m), (float(skip),))
    return B


def bead_posteriors(path: Sequence[BeadType], band: Band, forward: np.ndarray, backward_: np.ndarray, source: RowSource, skip: float) -> list[float]:
    """Posterior probability of each bead of ``path``: all paths through it over all paths."""
    n = band.n
    m = int(band.hi[n]) - 1
    if not path:
        return []
    lo = np.asarray(band.lo, dtype=np.int64)
    z = forward[n, m - int(lo[n])]
    size = np.array(path, dtype=np.int64).reshape(-1, 2)
    end = np.cumsum(size, axis=0)
    start = end - size
    first = {t: k for k, t in reversed(list(enumerate(source.types)))}
    tix = np.array([first.get((a, b), -1) if a and b else -1 for a, b in path], dtype=np.int64)
    s = np.empty(len(path))
    step = _block_rows(source)
    # a monotone path's beads end in rows in order: each block's beads are one run of them, found by bisection
    # (a scan of every bead for every block would grow with the square of the length)
    cuts = np.searchsorted(end[:, 0], np.arange(0, n + 1 + step, step), side="left")
    for blk, r0 in enumerate(range(0, n + 1, step)):
        r1 = min(r0 + step, n + 1)
        sel = np.arange(cuts[blk], cuts[blk + 1])
        if len(sel) == 0:
            continue
        S, dele, ins, has = row_steps(source, band, (r0, r1), skip)
        q, k = end[sel, 0] - r0, end[sel, 1] - lo[end[sel, 0]]
        two = tix[sel] >= 0
        one = np.where(size[sel, 1] == 0, dele[q, k], np.where(has[q], ins[q, k], -skip))
        s[sel] = np.where(two, S[np.maximum(tix[sel], 0), q, k], one)
    lp = forward[start[:, 0], start[:, 1] - lo[start[:, 0]]] + s + backward_[end[:, 0], end[:, 1] - lo[end[:, 0]]] - z
    return [float(p) for p in np.exp(np.minimum(lp, 0.0))]


def path_to_spans(path: Sequence[BeadType]) -> list[tuple[range, range]]:
    """Bead types in order -> (source range, target range) per bead."""
    out = []
    i = j = 0
    for a, b in path:
        out.append((range(i, i + a), range(j, j + b)))
        i += a
        j += b
    return out
