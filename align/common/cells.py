"""Spherical k-means cells for inverted-file search over unit vectors (``align score``, ``align pair``).

Both searches file the vectors of one side under their nearest centroid and
compare each query only with the vectors of its few nearest cells: one BLAS
matrix product per cell, which on two cores beat faiss's IVF scan (measured in
session 8, ``tools.nearest``). The centroids come from a fixed-seed sample of
both sides, so the cells, and every result, are deterministic.
"""

from __future__ import annotations

import numpy as np

__all__ = ["group_by_cell", "nearest_cells", "spherical_kmeans"]

_ROWS = 4096  # query rows per matrix product (bounds the memory of one product)


def spherical_kmeans(
    x: np.ndarray, y: np.ndarray, cells: int, *, sample: int, iterations: int, seed: int
) -> np.ndarray:
    """``cells`` unit-length centroids of a sample of both sides' unit vectors.

    Up to ``sample * cells // 2`` vectors of each side (at least ``cells``)
    are sampled with ``seed``; an empty cell takes a random vector of the
    sample. Returns float32 centroids, one per row.
    """
    rng = np.random.default_rng(seed)
    take_x, take_y = (min(len(v), max(cells, sample * cells // 2)) for v in (x, y))
    pool = np.concatenate([
        x[np.sort(rng.choice(len(x), take_x, replace=False))],
        y[np.sort(rng.choice(len(y), take_y, replace=False))],
    ])
    centroids = pool[rng.choice(len(pool), cells, replace=False)].copy()
    for _ in range(iterations):
        members, offsets = group_by_cell(nearest_cells(pool, centroids, 1)[:, 0], cells)
        sums = np.zeros_like(centroids)
        full = offsets[1:] > offsets[:-1]
        sums[full] = np.add.reduceat(pool[members], offsets[:-1][full], axis=0)
        norms = np.linalg.norm(sums, axis=1)
        empty = norms == 0
        if empty.any():
            sums[empty] = pool[rng.choice(len(pool), int(empty.sum()), replace=False)]
            norms[empty] = np.linalg.norm(sums[empty], axis=1)
        centroids = (sums / norms[:, None]).astype(np.float32)
    return centroids


def nearest_cells(v: np.ndarray, centroids: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` centroids nearest each vector (by inner product), nearest first: (len(v), k) int32."""
    out = np.empty((len(v), k), dtype=np.int32)
    for r0 in range(0, len(v), _ROWS):
        d = v[r0 : r0 + _ROWS] @ centroids.T
        if k == 1:
            out[r0 : r0 + _ROWS, 0] = np.argmax(d, axis=1)
            continue
        top = np.argpartition(-d, k - 1, axis=1)[:, :k] if k < d.shape[1] else np.argsort(-d, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(d, top, axis=1), axis=1, kind="stable")
        out[r0 : r0 + _ROWS] = np.take_along_axis(top, order, axis=1)
    return out


def group_by_cell(cell: np.ndarray, cells: int, of: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(members, offsets)``: the values ``of`` (default: positions) grouped by ``cell``, ascending within a cell.

    Cell ``c`` holds ``members[offsets[c]:offsets[c + 1]]``.
    """
    order = np.argsort(cell, kind="stable")
    offsets = np.searchsorted(cell[order], np.arange(cells + 1))
    return (order if of is None else of[order]), offsets
