"""The compiled loops of the search: the banded DP and the bead scores of a block of rows.

Every function here is a numba ``@njit`` kernel over plain arrays;
the Python side (``search``, ``scores``) prepares the arrays and keeps the
structure. The kernels do, cell by cell and in the same order, the arithmetic
the vectorised numpy code did row by row (the same sums in the same order, the
same ``logaddexp``), so the beads, scores and posteriors are the same bit for
bit; ``tests/core/test_kernels.py`` checks them against that numpy code.

Parameters travel in tuples (``dp``, ``steps``, ``band``, ``types``...) so a
kernel reads like the DP it runs rather than like a list of twenty arrays.

Compiled code is cached on disk: the first run on a machine compiles (a few
seconds), later runs load it (``cache_folder``).
"""

from __future__ import annotations

import math
import os
import tempfile
from typing import Any

import numba
import numpy as np
import platformdirs
from numba import njit

__all__ = [
    "NEG", "backward_rows", "bead_scores", "cache_folder", "column_max", "forward_rows", "integral_image", "logaddexp",
    "near_top", "trace_back",
]


def _writable(folder: str) -> bool:
    """Whether ``folder`` exists or can be made, and takes a file (as numba checks before caching there)."""
    try:
        os.makedirs(folder, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        return False
    return True


def cache_folder() -> str | None:
    """Where the compiled kernels are kept: ``NUMBA_CACHE_DIR`` if set, else this package's ``__pycache__``,
    else (a read-only installation) ``<user cache>/align/numba``; None: nowhere, compiled on each run.

    numba's own fallback (``~/.cache/numba``) is replaced by the folder that
    ``platformdirs`` gives ``align``, so nothing is written outside this
    package's folders; where no folder takes a file, caching is off rather
    than an error at import.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return os.environ["NUMBA_CACHE_DIR"]
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pycache__")
    if _writable(here):
        return here
    own = os.path.join(platformdirs.user_cache_dir("align"), "numba")
    if _writable(own):
        config: Any = numba.config
        config.CACHE_DIR = own  # numba's user-provided location, read when a kernel is decorated
        return own
    return None


_CACHE = cache_folder() is not None

NEG = -1e30  # the score of an impossible cell (finite, so sums of it stay comparable)
_LOGE2 = math.log(2.0)
_INF = math.inf


@njit(cache=_CACHE, inline="always")
def logaddexp(x: float, y: float) -> float:  # pragma: no cover - compiled
    """``log(exp(x) + exp(y))`` exactly as numpy's ``np.logaddexp`` computes it (same branches, same libm calls)."""
    if x == y:
        return x + _LOGE2
    d = x - y
    if d > 0:
        return x + math.log1p(math.exp(-d))
    if d <= 0:
        return y + math.log1p(math.exp(d))
    return d  # NaN


@njit(cache=_CACHE)
def _ramp(ins, q, L, skip, has_ins, out):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Cumulative cost of insertion steps along a row: ``-cumsum(ins[1:])`` after ``-0.0``, or ``skip * k``."""
    if has_ins:
        out[0] = -0.0
        acc = 0.0
        for k in range(1, L):
            acc = ins[q, k] if k == 1 else acc + ins[q, k]
            out[k] = -acc
    else:
        for k in range(L):
            out[k] = skip * k


@njit(cache=_CACHE, nogil=True)
def forward_rows(dp, steps, band, types, rows, consts):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Viterbi (and forward sums) for DP rows ``r0 .. r1 - 1``, in place.

    ``dp = (D, F, back)``: best scores, forward log-sums (ignored unless
    ``with_forward``) and back-pointers, band layout ``(n + 1, width)``.
    ``steps = (S, dele, ins, has_ins)`` for rows ``r0 ..``: bead scores
    ``S[t, i - r0, k]``, deletion and insertion step scores ``[i - r0, k]``, and
    per row whether insertions are per cell (else ``skip`` each).
    ``band = (lo, hi)``, ``types = (A, B)`` (the bead types' sizes),
    ``rows = (r0, r1)``, ``consts = (skip, with_forward)``.
    Ties go to the earlier type, then the deletion, then the insertion.
    """
    D, F, back = dp
    S, dele, ins, has_ins = steps
    lo, hi = band
    A, Bt = types
    r0, r1 = rows
    skip, with_forward = consts
    T = A.shape[0]
    W = D.shape[1]
    best = np.empty(W)
    arg = np.empty(W, dtype=np.int64)
    fsum = np.empty(W)
    ramp = np.empty(W)
    for i in range(r0, r1):
        q = i - r0
        c0 = lo[i]
        L = hi[i] - c0
        if i == 0:
            for k in range(L):
                best[k] = NEG
                arg[k] = -1
                fsum[k] = -_INF
            if c0 == 0:
                best[0] = 0.0
                fsum[0] = 0.0
        else:
            pl, ph = lo[i - 1], hi[i - 1]
            for k in range(L):
                col = c0 + k
                b = NEG
                a = -1
                for t in range(T):
                    prev = NEG
                    if A[t] <= i:
                        r = i - A[t]
                        pc = col - Bt[t]
                        if pc >= lo[r] and pc < hi[r]:
                            prev = D[r, pc - lo[r]]
                    c = prev + S[t, q, k]
                    if t == 0 or c > b:
                        b = c
                        a = t
                ds = dele[q, k]
                dprev = (D[i - 1, col - pl] if col >= pl and col < ph else NEG) + ds
                if dprev > b:
                    b = dprev
                    a = T
                best[k] = b
                arg[k] = a
                if with_forward:
                    fs = -_INF
                    for t in range(T):
                        fprev = -_INF
                        if A[t] <= i:
                            r = i - A[t]
                            pc = col - Bt[t]
                            if pc >= lo[r] and pc < hi[r]:
                                fprev = F[r, pc - lo[r]]
                        v = fprev + S[t, q, k]
                        fs = v if t == 0 else logaddexp(fs, v)
                    fd = F[i - 1, col - pl] if col >= pl and col < ph else -_INF
                    fsum[k] = logaddexp(fs, fd + ds)
        _ramp(ins, q, L, skip, has_ins[q], ramp)
        run = 0.0
        for k in range(L):
            v = best[k] + ramp[k]
            if k == 0 or v > run:
                run = v
            row = run - ramp[k]
            back[i, k] = T + 1 if run > v else arg[k]
            D[i, k] = NEG if row < NEG / 2 else row
        if with_forward:
            acc = 0.0
            for k in range(L):
                v = fsum[k] + ramp[k]
                acc = v if k == 0 else logaddexp(acc, v)
                F[i, k] = acc - ramp[k]


@njit(cache=_CACHE)
def trace_back(back, lo, sizes, n, m):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Step indices of the best path from ``(n, m)`` back to ``(0, 0)``, in path order.

    ``sizes[k] = (a, b)`` of step ``k`` (bead types, then deletion and
    insertion). Returns ``(steps, i, j)``: on a dead end ``steps`` is empty and
    ``(i, j)`` the cell without a back-pointer.
    """
    out = np.empty(n + m, dtype=np.int64)
    K = 0
    i, j = n, m
    while i > 0 or j > 0:
        k = back[i, j - lo[i]]
        if k < 0:
            return np.empty(0, dtype=np.int64), i, j
        out[K] = k
        K += 1
        i -= sizes[k, 0]
        j -= sizes[k, 1]
    return out[:K][::-1].copy(), 0, 0


@njit(cache=_CACHE, nogil=True)
def backward_rows(Bm, steps, band, types, rows, consts):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Backward log-sums for DP rows ``r1 - 1`` down to ``r0``, in place (rows above ``r1`` done already).

    ``Bm`` is ``(n + 1, width)``; ``steps = (S, dele, ins, has_ins)`` hold rows
    ``r0 ..`` up to ``r1 - 1 + max a`` (the bead scores of the rows a bead from
    row ``i`` ends in). ``types = (A, B, order)``: ``order`` is the order the
    types are summed in (grouped by source size). ``rows = (r0, r1, n, m)``,
    ``consts = (skip,)``.
    """
    S, dele, ins, has_ins = steps
    lo, hi = band
    A, Bt, order = types
    r0, r1, n, m = rows
    skip = consts[0]
    W = Bm.shape[1]
    acc = np.empty(W)
    ramp = np.empty(W)
    for i in range(r1 - 1, r0 - 1, -1):
        c0 = lo[i]
        L = hi[i] - c0
        for k in range(L):
            acc[k] = -_INF
        if i == n:
            acc[m - c0] = 0.0
        for t in order:
            e = i + A[t]
            if e > n:
                continue
            le, he = lo[e], hi[e]
            if max(c0 + Bt[t], le) >= min(c0 + L + Bt[t], he):
                continue  # no cell of this row reaches row e with this type
            for k in range(L):
                ec = c0 + k + Bt[t]
                v = -_INF
                if ec >= le and ec < he:
                    v = S[t, e - r0, ec - le] + Bm[e, ec - le]
                acc[k] = logaddexp(acc[k], v)
        if i < n:
            le, he = lo[i + 1], hi[i + 1]
            for k in range(L):
                col = c0 + k
                v = -_INF
                if col >= le and col < he:
                    v = dele[i + 1 - r0, col - le] + Bm[i + 1, col - le]
                acc[k] = logaddexp(acc[k], v)
        _ramp(ins, i - r0, L, skip, has_ins[i - r0], ramp)
        run = 0.0
        for k in range(L - 1, -1, -1):
            v = acc[k] - ramp[k]
            run = v if k == L - 1 else logaddexp(run, v)
            Bm[i, k] = run + ramp[k]


@njit(cache=_CACHE)
def integral_image(values, start, end, window):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Integral image (float64) of band-layout ``values`` over segment rows ``[r0, r1)``, columns ``[c0, c1)``.

    ``window = (r0, r1, c0, c1)``; ``I[p, q]`` sums rows ``< r0 + p`` and columns
    ``< c0 + q``, summed down the columns first, then along the rows (as
    ``cumsum(axis=0).cumsum(axis=1)``).
    """
    r0, r1, c0, c1 = window
    out = np.zeros((r1 - r0 + 1, c1 - c0 + 1))
    for r in range(r0, r1):
        s, e = max(start[r], c0), min(end[r], c1)
        for c in range(s, e):
            out[r - r0 + 1, c - c0 + 1] = values[r, c - start[r]]
    P, Q = out.shape
    for p in range(1, P):
        for q in range(Q):
            out[p, q] = out[p - 1, q] + out[p, q]
    for p in range(P):
        for q in range(1, Q):
            out[p, q] = out[p, q - 1] + out[p, q]
    return out


@njit(cache=_CACHE)
def column_max(values, start, end, m):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """Per column ``0 .. m - 1`` the largest value of a band matrix (row ``r`` holds columns ``start[r] .. end[r] - 1``
    left-aligned in ``values[r]``); ``-inf`` where no row holds the column."""
    out = np.full(m, -_INF)
    for r in range(values.shape[0]):
        for c in range(max(start[r], 0), min(end[r], m)):
            v = values[r, c - start[r]]
            if v > out[c]:
                out[c] = v
    return out


@njit(cache=_CACHE, nogil=True)
def bead_scores(out, geometry, tables, marks, weights, flags):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Scores of every bead type at every band cell of DP rows ``r0 .. r1 - 1`` (``WindowScorer``'s formula).

    ``out`` is ``(T, rows, width)`` for the rows from ``q0`` (``out[t, i - q0]``), filled with ``NEG``
    beforehand; rows outside ``r0 .. r1 - 1`` are not touched, so threads may fill parts of one block
    (the kernel runs without the GIL). ``geometry = (lo, hi, A, B, q0, r0, r1, seg0, c0, m)``; ``tables = (I, IL, nx,
    ny, cls, clt, cax, cay)``: the integral images of the cosines and of the
    anchor matches (origin ``(seg0, c0)``), the squared window norms, the
    cumulated lengths and anchor weights. ``marks = (sb, tb, ccs, cct, orph_s, orph_t)``:
    paragraph starts, cumulated sentence counts and cumulated orphans (int64). ``weights = (mu0, scale,
    c, s2, tail, sim_weight, sim_offset, len_weight, merge, merge_big,
    lex_weight, para_half, count_bonus, low_sim, low_weight, orphan_merge)``; ``flags = (lex, starts, counts,
    orphans)``. Each sum is taken in the order of the numpy formula it replaces.
    """
    lo, hi, A, Bt, q0, r0, r1, seg0, c0, m = geometry
    I, IL, nx, ny, cls, clt, cax, cay = tables
    sb, tb, ccs, cct, orph_s, orph_t = marks
    (mu0, scale, c, s2, tail, w_sim, sim_off, w_len, merge, merge_big, w_lex, para_half, count_bonus, low_sim, w_low,
     w_orphan) = weights
    use_lex, use_starts, use_counts, use_orphans = flags
    T = A.shape[0]
    I0, I1 = I.shape[0] - 1, I.shape[1] - 1
    coef = -0.5 * (tail + 1.0)
    for t in range(T):
        a, b = A[t], Bt[t]
        cost = merge * (a + b - 2) + merge_big * max(a + b - 3, 0)
        lone = (a == 1) != (b == 1)
        for i in range(max(r0, 1), r1):
            if i < a:
                continue
            q = i - q0
            L = hi[i] - lo[i]
            ia = i - a
            rh, rl = min(max(i - seg0, 0), I0), min(max(ia - seg0, 0), I0)
            for k in range(L):
                j = min(lo[i] + k, m)
                if j < b:
                    continue
                jb = j - b
                ch, cl = min(max(j - c0, 0), I1), min(max(jb - c0, 0), I1)
                dot = I[rh, ch] - I[rl, ch] - I[rh, cl] + I[rl, cl]
                s = (dot / math.sqrt(nx[a, i] * ny[b, j]) - mu0) / scale
                ls = cls[i] - cls[ia]
                lt = clt[j] - clt[jb]
                d = (lt - c * ls) / math.sqrt(s2 * max((ls + lt / c) / 2.0, 1.0))
                ll = -0.5 * d * d if tail <= 0 else coef * math.log1p(d * d / tail)
                score = w_sim * (s - sim_off) + w_len * ll - cost
                if w_low > 0 and s < low_sim:
                    score = score - w_low * (low_sim - s) * (low_sim - s)
                if use_lex:
                    matched = IL[rh, ch] - IL[rl, ch] - IL[rh, cl] + IL[rl, cl]
                    tot = (cax[i] - cax[ia]) + (cay[j] - cay[jb])
                    dice = min(2.0 * matched / max(tot, 1e-9), 1.0)
                    score = score + w_lex * dice * min(max(s, 0.0), 1.0)
                if use_starts:
                    shared = (1.0 if sb[ia] and tb[jb] else 0.0) + (1.0 if sb[i] and tb[j] else 0.0)
                    score = score + para_half * shared
                if use_counts and lone:
                    agree = (ccs[i] - ccs[ia]) == (cct[j] - cct[jb])
                    score = score + count_bonus * (1.0 if agree else 0.0)
                if use_orphans and (a > 1 or b > 1):
                    held = (orph_s[i] - orph_s[ia] if a > 1 else 0) + (orph_t[j] - orph_t[jb] if b > 1 else 0)
                    score = score - w_orphan * held
                out[t, q, k] = score


@njit(cache=_CACHE, nogil=True)
def near_top(fast, top, loose):  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
    """One tile of a float32 product (rows x columns): raise each row's running maximum ``top`` to the tile's,
    then return ``(rows, columns, values)`` of the cells at least ``top - loose`` (row-major order).

    What numpy does in four passes over the tile and two index arrays the size of the mask (``max``, a
    comparison, ``nonzero``, a gather), in three passes that stay in the cache. Comparisons only: the cells are
    those a numpy comparison with the same threshold picks (``_row_best`` then keeps the ones within the exact
    margin of the row's final maximum, a subset).
    """
    R, C = fast.shape
    floor = np.empty(R)
    count = 0
    for r in range(R):
        m = fast[r, 0] if C else -_INF
        for c in range(1, C):
            if fast[r, c] > m:
                m = fast[r, c]
        if m > top[r]:
            top[r] = m
        floor[r] = top[r] - loose[r]
        for c in range(C):
            if fast[r, c] >= floor[r]:
                count += 1
    rr = np.empty(count, dtype=np.int64)
    cc = np.empty(count, dtype=np.int64)
    vv = np.empty(count, dtype=fast.dtype)
    k = 0
    for r in range(R):
        for c in range(C):
            if fast[r, c] >= floor[r]:
                rr[k] = r
                cc[k] = c
                vv[k] = fast[r, c]
                k += 1
    return rr, cc, vv
