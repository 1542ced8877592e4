"""Candidate search: the ``k`` nearest documents of the other side, exactly or through an inverted file.

Up to ``exact_max`` documents a side, every source is compared with every
target by blocks of one matrix product (10,000 x 10,000 document vectors of
384 floats is about 4e10 multiply-adds, a few seconds of BLAS). Above, the
search goes through an inverted file (IVF) built the way
``align.tools.nearest`` builds its own (spherical k-means on a sample of both
sides, every vector filed under its nearest centroid, each query compared
with the vectors filed under its ``probes`` nearest centroids, one matrix
product per cell); ``nearest`` keeps the best *other* unit of a memory, this
keeps the ``k`` best documents of the other side, so the code is not shared
(and the import contract keeps ``align.pairing`` and ``align.tools`` apart).
faiss (installed as a dev tool) was not used for the reason ``nearest`` gives:
on two cores its IVF scan is memory-bound, about ten times slower than the
matrix products. A pair the probes miss is missed; every pair found is
measured exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from align.common.cells import nearest_cells, spherical_kmeans

_ROWS = 4096


@dataclass(frozen=True)
class SearchParams:
    """How candidates are found: ``k`` per document and direction; exact up to ``exact_max`` a side."""

    k: int = 8
    exact_max: int = 4000
    probes: int = 12
    kmeans_iterations: int = 6
    kmeans_sample: int = 32
    seed: int = 19


def describe(n: int, m: int, params: SearchParams) -> str:
    """What the search is for ``n`` sources and ``m`` targets."""
    return "exact" if max(n, m) <= params.exact_max else f"ivf(probes={params.probes})"


def candidates(x: np.ndarray, y: np.ndarray, params: SearchParams) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, cols)``: the pairs among each source's ``k`` nearest targets and each target's ``k`` nearest sources.

    ``x`` (n, d) and ``y`` (m, d) are unit-length document vectors. Pairs are
    distinct, sorted by row then column.
    """
    n, m = len(x), len(y)
    if n == 0 or m == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    k = min(params.k, m)
    if max(n, m) <= params.exact_max:
        a = _exact_topk(x, y, k)
        b = _exact_topk(y, x, min(params.k, n))
    else:
        a = _ivf_topk(x, y, k, params)
        b = _ivf_topk(y, x, min(params.k, n), params)
    rows = np.concatenate([np.repeat(np.arange(n), a.shape[1]), b.ravel()])
    cols = np.concatenate([a.ravel(), np.repeat(np.arange(m), b.shape[1])])
    keep = (rows >= 0) & (cols >= 0)
    pairs = np.unique(rows[keep].astype(np.int64) * m + cols[keep])
    return pairs // m, pairs % m


def _exact_topk(q: np.ndarray, base: np.ndarray, k: int) -> np.ndarray:
    """(len(q), k): the ``k`` best base rows of every query, by blocks of rows."""
    out = np.empty((len(q), k), dtype=np.int64)
    for r0 in range(0, len(q), _ROWS):
        d = q[r0 : r0 + _ROWS] @ base.T
        out[r0 : r0 + _ROWS] = np.argpartition(-d, k - 1, axis=1)[:, :k] if k < d.shape[1] else np.argsort(-d, axis=1)
    return out


def _ivf_topk(q: np.ndarray, base: np.ndarray, k: int, p: SearchParams) -> np.ndarray:
    """(len(q), k) base rows (-1: fewer found): each query against the base vectors filed under its nearest cells."""
    cells = max(1, min(len(base) // 16, round(math.sqrt(len(base)))))
    probes = min(p.probes, cells)
    centroids = spherical_kmeans(q, base, cells, sample=p.kmeans_sample, iterations=p.kmeans_iterations, seed=p.seed)
    home = nearest_cells(base, centroids, 1)[:, 0]
    b_order = np.argsort(home, kind="stable")
    b_off = np.searchsorted(home[b_order], np.arange(cells + 1))
    near = nearest_cells(q, centroids, probes)
    q_of = np.repeat(np.arange(len(q)), probes)
    flat = near.ravel()
    q_order = np.argsort(flat, kind="stable")
    q_off = np.searchsorted(flat[q_order], np.arange(cells + 1))
    best_v = np.full((len(q), k), -np.inf, dtype=np.float32)
    best_i = np.full((len(q), k), -1, dtype=np.int64)
    for c in range(cells):
        qi = q_of[q_order[q_off[c] : q_off[c + 1]]]
        bj = b_order[b_off[c] : b_off[c + 1]]
        if not len(qi) or not len(bj):
            continue
        prod = q[qi] @ base[bj].T
        kk = min(k, len(bj))
        top = np.argpartition(-prod, kk - 1, axis=1)[:, :kk] if kk < len(bj) else np.tile(np.arange(len(bj)), (len(qi), 1))
        vals = np.concatenate([best_v[qi], np.take_along_axis(prod, top, axis=1)], axis=1)
        idx = np.concatenate([best_i[qi], bj[top]], axis=1)
        keep = np.argpartition(-vals, k - 1, axis=1)[:, :k]
        best_v[qi] = np.take_along_axis(vals, keep, axis=1)
        best_i[qi] = np.take_along_axis(idx, keep, axis=1)
    return best_i
