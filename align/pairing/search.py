"""Candidate search: the ``k`` nearest documents of the other side, exactly or through an inverted file.

Up to ``exact_max`` documents a side, every source is compared with every
target by blocks of one matrix product (10,000 x 10,000 document vectors of
384 floats is about 4e10 multiply-adds, a few seconds of BLAS). Above, the
search goes through an inverted file (IVF) built the way
``align.tools.nearest`` builds its own (spherical k-means on a sample of both
sides, every vector filed under its nearest centroid, each query compared
with the vectors filed under its ``probes`` nearest centroids, one matrix
product per cell, ``align.common.cells``); ``nearest`` keeps the best *other*
unit of a memory, this keeps the ``k`` best documents of the other side.
faiss (installed as a dev tool) was not used for the reason ``nearest`` gives:
on two cores its IVF scan is memory-bound, about ten times slower than the
matrix products. A pair the probes miss is missed; every pair found is
measured exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from align.common.cells import group_by_cell, nearest_cells, spherical_kmeans


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
    distinct, sorted by row then column. The inverted file's cells are built
    once and serve both directions.
    """
    n, m = len(x), len(y)
    if n == 0 or m == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ka, kb = min(params.k, m), min(params.k, n)
    if max(n, m) <= params.exact_max:
        a = nearest_cells(x, y, ka).astype(np.int64)  # the "cells" are the other side's documents
        b = nearest_cells(y, x, kb).astype(np.int64)
    else:
        cells = max(1, min(min(n, m) // 16, round(math.sqrt(max(n, m)))))
        centroids = spherical_kmeans(x, y, cells, sample=params.kmeans_sample, iterations=params.kmeans_iterations,
                                     seed=params.seed)
        probes = min(params.probes, cells)
        home_x, home_y = (nearest_cells(v, centroids, 1)[:, 0] for v in (x, y))
        a = _ivf_topk(x, y, group_by_cell(home_y, cells), nearest_cells(x, centroids, probes), ka)
        b = _ivf_topk(y, x, group_by_cell(home_x, cells), nearest_cells(y, centroids, probes), kb)
    rows = np.concatenate([np.repeat(np.arange(n), a.shape[1]), b.ravel()])
    cols = np.concatenate([a.ravel(), np.repeat(np.arange(m), b.shape[1])])
    keep = (rows >= 0) & (cols >= 0)
    pairs = np.unique(rows[keep].astype(np.int64) * m + cols[keep])
    return pairs // m, pairs % m


def _ivf_topk(q: np.ndarray, base: np.ndarray, filed: tuple[np.ndarray, np.ndarray], near: np.ndarray,
              k: int) -> np.ndarray:
    """(len(q), k) base rows (-1: fewer found): each query against the base vectors filed under its ``near`` cells.

    ``filed`` is ``group_by_cell`` of each base vector's nearest cell; ``near``
    the ``probes`` nearest cells of each query.
    """
    b_members, b_off = filed
    cells = len(b_off) - 1
    q_members, q_off = group_by_cell(near.ravel(), cells, np.repeat(np.arange(len(q)), near.shape[1]))
    best_v = np.full((len(q), k), -np.inf, dtype=np.float32)
    best_i = np.full((len(q), k), -1, dtype=np.int64)
    for c in range(cells):
        qi = q_members[q_off[c] : q_off[c + 1]]
        bj = b_members[b_off[c] : b_off[c + 1]]
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
