"""The global one-to-one assignment of candidate pairs.

Greedy first-best matching is wrong where it matters: a document whose best
candidate is also the best of a better-matching document takes it and leaves
the other one unpaired, or paired with its second choice. The pairs here are
the matching of largest total weight (weight: score above the floor) over the
candidate graph. The graph falls apart into small connected components (a
document and its translation, with the versions of the story on either side),
each solved exactly by ``scipy.optimize.linear_sum_assignment`` on its dense
weight matrix; a component too large for a dense matrix (a weak encoder makes
one giant component) goes to ``scipy.sparse.csgraph.min_weight_full_bipartite_matching``
(LAPJVsp) on the sparse graph, completed with a "leave unpaired" node per
document so that a full matching always exists.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

#: Cells of a component's dense weight matrix above which the sparse solver is used.
DENSE_MAX = 4_000_000


def assign(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, n: int, m: int) -> list[tuple[int, int]]:
    """The matching of largest total weight among the edges ``(rows[k], cols[k])`` (weights > 0), as (row, col) pairs."""
    if not len(rows):
        return []
    rows, cols, weights = (np.asarray(a) for a in (rows, cols, weights))
    graph = sparse.coo_matrix((np.ones(len(rows)), (rows, n + cols)), shape=(n + m, n + m))
    _, labels = connected_components(graph, directed=False)
    comp = labels[rows]
    order = np.argsort(comp, kind="stable")
    bounds = np.flatnonzero(np.diff(comp[order])) + 1
    out: list[tuple[int, int]] = []
    for part in np.split(order, bounds):
        r, c, w = rows[part], cols[part], weights[part]
        ur, ri = np.unique(r, return_inverse=True)
        uc, ci = np.unique(c, return_inverse=True)
        if len(ur) * len(uc) <= DENSE_MAX:
            dense = np.zeros((len(ur), len(uc)))
            dense[ri, ci] = w
            a, b = linear_sum_assignment(dense, maximize=True)
            keep = dense[a, b] > 0
            pairs = zip(ur[a[keep]].tolist(), uc[b[keep]].tolist())
        else:
            pairs = zip(*_sparse_matching(ri, ci, w, len(ur), len(uc), ur, uc))
        out.extend(pairs)
    return sorted(out)


def _sparse_matching(ri: np.ndarray, ci: np.ndarray, w: np.ndarray, nr: int, nc: int, ur: np.ndarray,
                     uc: np.ndarray) -> tuple[list[int], list[int]]:
    """Largest-weight matching of a large component by a min-cost full matching of the graph made complete.

    Left nodes: the rows, then one stand-in per column; right nodes: the
    columns, then one stand-in per row. An edge costs ``big - w``; "row ``r``
    unpaired" (``r`` to its stand-in), "column ``c`` unpaired" and the
    stand-ins of a real edge's ends met cost ``big``. Every full matching has
    the same number of edges, so the cheapest one carries the most weight.
    """
    big = float(w.max()) + 1.0
    left = np.concatenate([ri, np.arange(nr), nr + np.arange(nc), nr + ci])
    right = np.concatenate([ci, nc + np.arange(nr), np.arange(nc), nc + ri])
    cost = np.concatenate([big - w, np.full(nr + nc + len(w), big)])
    size = nr + nc
    matrix = sparse.csr_matrix((cost, (left, right)), shape=(size, size))
    _, match_col = min_weight_full_bipartite_matching(matrix)
    real = np.flatnonzero((np.arange(size) < nr) & (match_col < nc))
    return ur[real].tolist(), uc[match_col[real]].tolist()
