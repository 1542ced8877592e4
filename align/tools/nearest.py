"""The best *other* match of every unit of a translation memory, in near-linear time.

``align score`` asks, for each unit ``i``, which other unit's target is closest
to its source (``row``: ``max over j != i`` of ``x[i] . y[j]``) and which other
unit's source is closest to its target (``col``: ``max over j != i`` of
``x[j] . y[i]``): a target that belongs to another unit shows up there
(``misplaced``), and the similarity scale is measured on the best matches.
Comparing every unit with every other is quadratic (a memory of 500,000 units
is 2.5e11 pairs), so:

* a memory of up to ``exact_max`` units is compared pair by pair (a block of
  rows against all columns at a time): exact;
* a larger one is compared exactly within a **window** of ``window`` units
  either side in file order (where an aligner's slip lands: the neighbours,
  the same document), and beyond it by an **inverted file** (IVF), for the
  units the caller selects (``select``: for ``align score``, those that could
  be misplaced at all): the vectors of both sides are clustered (spherical
  k-means on a sample), every vector is filed under its nearest centroid, and
  each selected unit's source and target are compared with the other side's
  vectors filed under their ``probes`` nearest centroids. A cell's
  comparisons are one matrix product, so the work runs at the speed of the
  BLAS. A pair the probes miss is missed (approximate); a pair found is
  measured exactly. The number of cells balances filing against comparing
  (``sqrt(selected * probes)``), so a few selected units search a large share
  of the memory.

Measured with the hashed test encoder on 500,000 synthetic units
(``tests/benchmarks/bench_score.py``): 2,225 units selected, about 1e9 pairs
compared (0.4% of all), 33 s on two cores, and every planted swap and copy
found; on 50,000 units, where the exact answer is known, an IVF of every unit
found every pair the ``misplaced`` check flags. Why not faiss (tried first):
its IVF scan compares one query with one list at a time, memory-bound at about
3 GFLOP/s on two cores against 55 for a matrix product; the same search took
ten times longer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from align.common.cells import group_by_cell, nearest_cells, spherical_kmeans


@dataclass(frozen=True)
class Search:
    """How ``best_others`` searches: exact up to ``exact_max`` units, else a window plus an IVF."""

    exact_max: int = 20_000
    window: int = 500  # units either side compared exactly in a large memory
    probes: int = 16  # nearest cells searched per vector
    kmeans_iterations: int = 6
    kmeans_sample: int = 32  # vectors sampled per cell (half from each side) to train the centroids
    block: int = 512  # rows of the pair-by-pair comparison computed at once
    seed: int = 19

    def describe(self, n: int) -> str:
        """What the search is for ``n`` units, for the result's signature."""
        if n <= self.exact_max:
            return "exact"
        return f"window={self.window},ivf(probes={self.probes})"


@dataclass
class Best:
    """Per unit: the best cosine with another unit's other side, and that unit (-1: none)."""

    row: np.ndarray  # source i with targets j != i
    row_arg: np.ndarray
    col: np.ndarray  # target i with sources j != i
    col_arg: np.ndarray
    compared: int = 0  # pairs whose cosine was computed (a pair computed twice counts twice)

    @classmethod
    def empty(cls, n: int) -> Best:
        return cls(np.full(n, -np.inf), np.full(n, -1, dtype=np.int64), np.full(n, -np.inf), np.full(n, -1, dtype=np.int64))

    def offer_rows(self, rows: np.ndarray, values: np.ndarray, args: np.ndarray) -> None:
        """Sources ``rows`` (distinct) have matched targets ``args`` with ``values``: keep the better."""
        better = values > self.row[rows]
        self.row[rows[better]] = values[better]
        self.row_arg[rows[better]] = args[better]

    def offer_cols(self, cols: np.ndarray, values: np.ndarray, args: np.ndarray) -> None:
        """Targets ``cols`` (distinct) have matched sources ``args`` with ``values``: keep the better."""
        better = values > self.col[cols]
        self.col[cols[better]] = values[better]
        self.col_arg[cols[better]] = args[better]


def best_others(x: np.ndarray, y: np.ndarray, search: Search | None = None, *,
                select: Callable[[Best], np.ndarray] | None = None) -> Best:
    """For every unit, its best match among the other units' targets (row) and sources (col); see the module.

    ``x`` and ``y`` are the prepared (unit-length) source and target vectors of
    the units, row ``i`` of each being unit ``i``. ``select``:
    given what the window found, the units (a boolean mask) whose best others
    matter beyond their window; only those are searched in the inverted file
    (default: every unit). Units not selected keep what the window found, and
    whatever the search of a selected unit finds for them.
    """
    s = search or Search()
    n = len(x)
    best = Best.empty(n)
    if n < 2:
        return best
    if n <= s.exact_max:
        _window(x, y, best, n, s.block)
        return best
    _window(x, y, best, s.window, s.block)
    queries = np.arange(n) if select is None else np.flatnonzero(select(best))
    if len(queries):
        _ivf(x, y, best, s, queries)
    return best


def _window(x: np.ndarray, y: np.ndarray, best: Best, window: int, block: int) -> None:
    """Every pair less than about ``window`` units apart, exactly: rows ``r0:r1`` against columns ``r0-window:r1+window``."""
    n = len(x)
    for r0 in range(0, n, block):
        r1 = min(n, r0 + block)
        c0, c1 = max(0, r0 - window), min(n, r1 + window)
        c = x[r0:r1] @ y[c0:c1].T
        best.compared += c.size
        rows = np.arange(r1 - r0)
        c[rows, rows + r0 - c0] = -np.inf  # not its own pair
        k = np.argmax(c, axis=1)
        best.offer_rows(np.arange(r0, r1), c[rows, k].astype(np.float64), k + c0)
        kc = np.argmax(c, axis=0)
        best.offer_cols(np.arange(c0, c1), c[kc, np.arange(c1 - c0)].astype(np.float64), kc + r0)


def _ivf(x: np.ndarray, y: np.ndarray, best: Best, s: Search, queries: np.ndarray) -> None:
    """The ``queries`` units' vectors against the other side's vectors filed under their ``probes`` nearest cells.

    The number of cells balances the two costs, filing every vector (n times
    the cells) and comparing the queries (queries times probes times a cell's
    size): ``sqrt(queries * probes)`` cells. Few queries thus search a large
    share of the memory (a few dozen queries search all of it), many a small one.
    """
    n = len(x)
    cells = max(1, min(n // 16, round(math.sqrt(len(queries) * s.probes))))
    probes = min(s.probes, cells)
    centroids = spherical_kmeans(x, y, cells, sample=s.kmeans_sample, iterations=s.kmeans_iterations, seed=s.seed)
    home = {True: nearest_cells(x, centroids, 1)[:, 0], False: nearest_cells(y, centroids, 1)[:, 0]}
    for queries_are_src in (True, False):
        q_vecs, base = (x, y) if queries_are_src else (y, x)
        b_members, b_off = group_by_cell(home[not queries_are_src], cells)  # each vector filed under its nearest cell
        near = nearest_cells(q_vecs[queries], centroids, probes)
        q_members, q_off = group_by_cell(near.ravel(), cells, np.repeat(queries, probes))
        del near
        for c in range(cells):
            qi, bj = q_members[q_off[c] : q_off[c + 1]], b_members[b_off[c] : b_off[c + 1]]
            if not len(qi) or not len(bj):
                continue
            prod = q_vecs[qi] @ base[bj].T
            best.compared += prod.size
            at = np.minimum(np.searchsorted(bj, qi), len(bj) - 1)
            own = bj[at] == qi
            prod[np.flatnonzero(own), at[own]] = -np.inf  # not its own pair
            k = np.argmax(prod, axis=1)
            kq = np.argmax(prod, axis=0)
            q_best = prod[np.arange(len(qi)), k].astype(np.float64)
            b_best = prod[kq, np.arange(len(bj))].astype(np.float64)
            if queries_are_src:  # sources i against targets j: (i, j) is a row of i and a column of j
                best.offer_rows(qi, q_best, bj[k])
                best.offer_cols(bj, b_best, qi[kq])
            else:
                best.offer_cols(qi, q_best, bj[k])
                best.offer_rows(bj, b_best, qi[kq])
