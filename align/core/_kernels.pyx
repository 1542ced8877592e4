# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
# cython: cpow=True, infer_types=False
"""The compiled loops of the search (see ``kernels.py`` for what each one is for).

Compiled once, when the package is installed (``[[tool.setuptools.ext-modules]]`` in
``pyproject.toml``), so a process
loads them as any extension module: no compiler starts, nothing is cached on
disk, nothing is torn down at exit. The C compiler is told not to fuse
multiplications and additions (``-ffp-contract=off``) and not to reorder
floating-point sums (no ``-ffast-math``): each cell is the IEEE arithmetic
the lines below spell, in their order, and ``log1p``/``exp`` are the C
library's, as numpy's ``np.logaddexp`` calls them.

``min``/``max`` of two numbers are written out as Python evaluates them
(``_dmin(a, b)`` is ``b`` only if ``b < a``): C's ``fmin``/``fmax`` treat a
signed zero or a NaN differently. A length model whose ratio or variance is
zero (the only divisors of the bead scores that can be) raises
``ZeroDivisionError`` before any cell is scored, as numba raised at the first
such division, instead of NaN scores that would lead the search astray; a
back-pointer that leaves the band is a dead end, not a read outside it. The one difference in bits from numba: the
sign of a NaN (``inf - inf``), which no comparison sees.
"""

import numpy as np

from libc.math cimport INFINITY, exp, log1p, sqrt
from libc.stdint cimport int8_t, int64_t, uint8_t

ctypedef int64_t i64
ctypedef uint8_t u8

ctypedef fused real:
    float
    double

ctypedef fused real2:
    float
    double

NEG = -1e30  # the score of an impossible cell (finite, so sums of it stay comparable)
cdef double _NEG = -1e30
cdef double _LOGE2 = 0.6931471805599453  # math.log(2.0)
cdef double _INF = INFINITY


cdef inline double _dmin(double a, double b) noexcept nogil:
    return b if b < a else a


cdef inline double _dmax(double a, double b) noexcept nogil:
    return b if b > a else a


cdef inline i64 _imin(i64 a, i64 b) noexcept nogil:
    return b if b < a else a


cdef inline i64 _imax(i64 a, i64 b) noexcept nogil:
    return b if b > a else a


cdef inline double _logaddexp(double x, double y) noexcept nogil:
    cdef double d
    if x == y:
        return x + _LOGE2
    d = x - y
    if d > 0:
        return x + log1p(exp(-d))
    if d <= 0:
        return y + log1p(exp(d))
    return d  # NaN


def logaddexp(double x, double y):
    """``log(exp(x) + exp(y))`` exactly as numpy's ``np.logaddexp`` computes it (same branches, same libm calls)."""
    return _logaddexp(x, y)


cdef inline void _ramp(const double[:, ::1] ins, Py_ssize_t q, Py_ssize_t L, double skip, bint has_ins,
                       double[::1] out) noexcept nogil:
    cdef Py_ssize_t k
    cdef double acc
    if has_ins:
        out[0] = -0.0
        acc = 0.0
        for k in range(1, L):
            acc = ins[q, k] if k == 1 else acc + ins[q, k]
            out[k] = -acc
    else:
        for k in range(L):
            out[k] = skip * <double>k


def forward_rows(dp, steps, band, types, rows, consts):
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
    cdef double[:, ::1] D = dp[0]
    cdef double[:, ::1] F = dp[1]
    cdef int8_t[:, ::1] back = dp[2]
    cdef const double[:, :, ::1] S = steps[0]
    cdef const double[:, ::1] dele = steps[1]
    cdef const double[:, ::1] ins = steps[2]
    cdef const u8[::1] has_ins = np.asarray(steps[3]).view(np.uint8)
    cdef const i64[::1] lo = band[0]
    cdef const i64[::1] hi = band[1]
    cdef const i64[::1] A = types[0]
    cdef const i64[::1] Bt = types[1]
    cdef Py_ssize_t r0 = rows[0], r1 = rows[1]
    cdef double skip = consts[0]
    cdef bint with_forward = consts[1]
    cdef Py_ssize_t T = A.shape[0], W = D.shape[1]
    cdef double[::1] best = np.empty(W)
    cdef i64[::1] arg = np.empty(W, dtype=np.int64)
    cdef double[::1] fsum = np.empty(W)
    cdef double[::1] ramp = np.empty(W)
    cdef Py_ssize_t i, q, k, t, r, c0, L, pl, ph, col, pc
    cdef i64 a
    cdef double b, c, prev, ds, dprev, fs, fprev, v, fd, run, row, acc
    with nogil:
        for i in range(r0, r1):
            q = i - r0
            c0 = lo[i]
            L = hi[i] - c0
            if i == 0:
                for k in range(L):
                    best[k] = _NEG
                    arg[k] = -1
                    fsum[k] = -_INF
                if c0 == 0:
                    best[0] = 0.0
                    fsum[0] = 0.0
            else:
                pl, ph = lo[i - 1], hi[i - 1]
                for k in range(L):
                    col = c0 + k
                    b = _NEG
                    a = -1
                    for t in range(T):
                        prev = _NEG
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
                    dprev = (D[i - 1, col - pl] if col >= pl and col < ph else _NEG) + ds
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
                            fs = v if t == 0 else _logaddexp(fs, v)
                        fd = F[i - 1, col - pl] if col >= pl and col < ph else -_INF
                        fsum[k] = _logaddexp(fs, fd + ds)
            _ramp(ins, q, L, skip, has_ins[q], ramp)
            run = 0.0
            for k in range(L):
                v = best[k] + ramp[k]
                if k == 0 or v > run:
                    run = v
                row = run - ramp[k]
                back[i, k] = <int8_t>(T + 1 if run > v else arg[k])
                D[i, k] = _NEG if row < _NEG / 2 else row
            if with_forward:
                acc = 0.0
                for k in range(L):
                    v = fsum[k] + ramp[k]
                    acc = v if k == 0 else _logaddexp(acc, v)
                    F[i, k] = acc - ramp[k]


def trace_back(const int8_t[:, ::1] back, const i64[::1] lo, const i64[:, ::1] sizes, Py_ssize_t n, Py_ssize_t m):
    """Step indices of the best path from ``(n, m)`` back to ``(0, 0)``, in path order.

    ``sizes[k] = (a, b)`` of step ``k`` (bead types, then deletion and
    insertion). Returns ``(steps, i, j)``: on a dead end ``steps`` is empty and
    ``(i, j)`` the cell without a back-pointer.
    """
    out_arr = np.empty(n + m, dtype=np.int64)
    cdef i64[::1] out = out_arr
    cdef Py_ssize_t K = 0, i = n, j = m, W = back.shape[1]
    cdef i64 k
    cdef bint dead = False
    with nogil:
        while i > 0 or j > 0:
            if i < 0 or j < lo[i] or j - lo[i] >= W:  # a step led out of the band (scores that were NaN)
                dead = True
                break
            k = back[i, j - lo[i]]
            if k < 0:
                dead = True
                break
            out[K] = k
            K += 1
            i -= sizes[k, 0]
            j -= sizes[k, 1]
    if dead:
        return np.empty(0, dtype=np.int64), i, j
    return out_arr[:K][::-1].copy(), 0, 0


def backward_rows(Bm_, steps, band, types, rows, consts):
    """Backward log-sums for DP rows ``r1 - 1`` down to ``r0``, in place (rows above ``r1`` done already).

    ``Bm`` is ``(n + 1, width)``; ``steps = (S, dele, ins, has_ins)`` hold rows
    ``r0 ..`` up to ``r1 - 1 + max a`` (the bead scores of the rows a bead from
    row ``i`` ends in). ``types = (A, B, order)``: ``order`` is the order the
    types are summed in (grouped by source size). ``rows = (r0, r1, n, m)``,
    ``consts = (skip,)``.
    """
    cdef double[:, ::1] Bm = Bm_
    cdef const double[:, :, ::1] S = steps[0]
    cdef const double[:, ::1] dele = steps[1]
    cdef const double[:, ::1] ins = steps[2]
    cdef const u8[::1] has_ins = np.asarray(steps[3]).view(np.uint8)
    cdef const i64[::1] lo = band[0]
    cdef const i64[::1] hi = band[1]
    cdef const i64[::1] A = types[0]
    cdef const i64[::1] Bt = types[1]
    cdef const i64[::1] order = types[2]
    cdef Py_ssize_t r0 = rows[0], r1 = rows[1], n = rows[2], m = rows[3]
    cdef double skip = consts[0]
    cdef Py_ssize_t W = Bm.shape[1]
    cdef double[::1] acc = np.empty(W)
    cdef double[::1] ramp = np.empty(W)
    cdef Py_ssize_t i, c0, L, k, e, le, he, ec, col, oi, t
    cdef double v, run
    with nogil:
        for i in range(r1 - 1, r0 - 1, -1):
            c0 = lo[i]
            L = hi[i] - c0
            for k in range(L):
                acc[k] = -_INF
            if i == n:
                acc[m - c0] = 0.0
            for oi in range(order.shape[0]):
                t = order[oi]
                e = i + A[t]
                if e > n:
                    continue
                le, he = lo[e], hi[e]
                if _imax(c0 + Bt[t], le) >= _imin(c0 + L + Bt[t], he):
                    continue  # no cell of this row reaches row e with this type
                for k in range(L):
                    ec = c0 + k + Bt[t]
                    v = -_INF
                    if ec >= le and ec < he:
                        v = S[t, e - r0, ec - le] + Bm[e, ec - le]
                    acc[k] = _logaddexp(acc[k], v)
            if i < n:
                le, he = lo[i + 1], hi[i + 1]
                for k in range(L):
                    col = c0 + k
                    v = -_INF
                    if col >= le and col < he:
                        v = dele[i + 1 - r0, col - le] + Bm[i + 1, col - le]
                    acc[k] = _logaddexp(acc[k], v)
            _ramp(ins, i - r0, L, skip, has_ins[i - r0], ramp)
            run = 0.0
            for k in range(L - 1, -1, -1):
                v = acc[k] - ramp[k]
                run = v if k == L - 1 else _logaddexp(run, v)
                Bm[i, k] = run + ramp[k]


def integral_image(const real[:, ::1] values, const i64[::1] start, const i64[::1] end, window):
    """Integral image (float64) of band-layout ``values`` over segment rows ``[r0, r1)``, columns ``[c0, c1)``.

    ``window = (r0, r1, c0, c1)``; ``I[p, q]`` sums rows ``< r0 + p`` and columns
    ``< c0 + q``, summed down the columns first, then along the rows (as
    ``cumsum(axis=0).cumsum(axis=1)``).
    """
    cdef Py_ssize_t r0 = window[0], r1 = window[1], c0 = window[2], c1 = window[3]
    out_arr = np.zeros((r1 - r0 + 1, c1 - c0 + 1))
    cdef double[:, ::1] out = out_arr
    cdef Py_ssize_t r, c, s, e, p, qq
    cdef Py_ssize_t P = out.shape[0], Q = out.shape[1]
    with nogil:
        for r in range(r0, r1):
            s, e = _imax(start[r], c0), _imin(end[r], c1)
            for c in range(s, e):
                out[r - r0 + 1, c - c0 + 1] = values[r, c - start[r]]
        for p in range(1, P):
            for qq in range(Q):
                out[p, qq] = out[p - 1, qq] + out[p, qq]
        for p in range(P):
            for qq in range(1, Q):
                out[p, qq] = out[p, qq - 1] + out[p, qq]
    return out_arr


def column_max(const real[:, ::1] values, const i64[::1] start, const i64[::1] end, Py_ssize_t m):
    """Per column ``0 .. m - 1`` the largest value of a band matrix (row ``r`` holds columns ``start[r] .. end[r] - 1``
    left-aligned in ``values[r]``); ``-inf`` where no row holds the column."""
    out_arr = np.full(m, -np.inf)
    cdef double[::1] out = out_arr
    cdef Py_ssize_t r, c
    cdef real v
    with nogil:
        for r in range(values.shape[0]):
            for c in range(_imax(start[r], 0), _imin(end[r], m)):
                v = values[r, c - start[r]]
                if v > out[c]:
                    out[c] = v
    return out_arr


def bead_scores(out_, geometry, tables, marks, weights, flags):
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
    cdef double[:, :, ::1] out = out_
    cdef const i64[::1] lo = geometry[0]
    cdef const i64[::1] hi = geometry[1]
    cdef const i64[::1] A = geometry[2]
    cdef const i64[::1] Bt = geometry[3]
    cdef Py_ssize_t q0 = geometry[4], r0 = geometry[5], r1 = geometry[6], seg0 = geometry[7], c0 = geometry[8]
    cdef Py_ssize_t m = geometry[9]
    cdef const double[:, ::1] I = tables[0]
    cdef const double[:, ::1] IL = tables[1]
    cdef const double[:, ::1] nx = tables[2]
    cdef const double[:, ::1] ny = tables[3]
    cdef const double[::1] cls = tables[4]
    cdef const double[::1] clt = tables[5]
    cdef const double[::1] cax = tables[6]
    cdef const double[::1] cay = tables[7]
    cdef const u8[::1] sb = np.asarray(marks[0]).view(np.uint8)
    cdef const u8[::1] tb = np.asarray(marks[1]).view(np.uint8)
    cdef const i64[::1] ccs = marks[2]
    cdef const i64[::1] cct = marks[3]
    cdef const i64[::1] orph_s = marks[4]
    cdef const i64[::1] orph_t = marks[5]
    cdef double mu0 = weights[0], scale = weights[1], c = weights[2], s2 = weights[3], tail = weights[4]
    cdef double w_sim = weights[5], sim_off = weights[6], w_len = weights[7], merge = weights[8]
    cdef double merge_big = weights[9], w_lex = weights[10], para_half = weights[11], count_bonus = weights[12]
    cdef double low_sim = weights[13], w_low = weights[14], w_orphan = weights[15]
    cdef bint use_lex = flags[0], use_starts = flags[1], use_counts = flags[2], use_orphans = flags[3]
    cdef Py_ssize_t T = A.shape[0]
    cdef Py_ssize_t I0 = I.shape[0] - 1, I1 = I.shape[1] - 1
    cdef double coef = -0.5 * (tail + 1.0)
    # the divisors that can be zero are the length model's ratio and variance (the others are floored): checked
    # once, not per division, so a degenerate model raises as Python would instead of scoring NaN
    if (c == 0.0 or s2 == 0.0) and T > 0 and r1 > _imax(r0, 1):
        raise ZeroDivisionError("float division by zero (length model: ratio %r, variance %r)" % (c, s2))
    cdef Py_ssize_t t, i, q, L, ia, rh, rl, k, j, jb, ch, cl
    cdef i64 a, b, held
    cdef bint lone, agree
    cdef double cost, dot, s, ls, lt, d, ll, score, matched, tot, dice, shared
    with nogil:
        for t in range(T):
            a, b = A[t], Bt[t]
            cost = merge * <double>(a + b - 2) + merge_big * <double>_imax(a + b - 3, 0)
            lone = (a == 1) != (b == 1)
            for i in range(_imax(r0, 1), r1):
                if i < a:
                    continue
                q = i - q0
                L = hi[i] - lo[i]
                ia = i - a
                rh, rl = _imin(_imax(i - seg0, 0), I0), _imin(_imax(ia - seg0, 0), I0)
                for k in range(L):
                    j = _imin(lo[i] + k, m)
                    if j < b:
                        continue
                    jb = j - b
                    ch, cl = _imin(_imax(j - c0, 0), I1), _imin(_imax(jb - c0, 0), I1)
                    dot = I[rh, ch] - I[rl, ch] - I[rh, cl] + I[rl, cl]
                    s = (dot / sqrt(nx[a, i] * ny[b, j]) - mu0) / scale
                    ls = cls[i] - cls[ia]
                    lt = clt[j] - clt[jb]
                    d = (lt - c * ls) / sqrt(s2 * _dmax((ls + lt / c) / 2.0, 1.0))
                    ll = -0.5 * d * d if tail <= 0 else coef * log1p(d * d / tail)
                    score = w_sim * (s - sim_off) + w_len * ll - cost
                    if w_low > 0 and s < low_sim:
                        score = score - w_low * (low_sim - s) * (low_sim - s)
                    if use_lex:
                        matched = IL[rh, ch] - IL[rl, ch] - IL[rh, cl] + IL[rl, cl]
                        tot = (cax[i] - cax[ia]) + (cay[j] - cay[jb])
                        dice = _dmin(2.0 * matched / _dmax(tot, 1e-9), 1.0)
                        score = score + w_lex * dice * _dmin(_dmax(s, 0.0), 1.0)
                    if use_starts:
                        shared = (1.0 if sb[ia] and tb[jb] else 0.0) + (1.0 if sb[i] and tb[j] else 0.0)
                        score = score + para_half * shared
                    if use_counts and lone:
                        agree = (ccs[i] - ccs[ia]) == (cct[j] - cct[jb])
                        score = score + count_bonus * (1.0 if agree else 0.0)
                    if use_orphans and (a > 1 or b > 1):
                        held = (orph_s[i] - orph_s[ia] if a > 1 else 0) + (orph_t[j] - orph_t[jb] if b > 1 else 0)
                        score = score - w_orphan * <double>held
                    out[t, q, k] = score


def near_top(const real[:, ::1] fast, real[::1] top, const real2[::1] loose):
    """One tile of a float32 product (rows x columns): raise each row's running maximum ``top`` to the tile's,
    then return ``(rows, columns, values)`` of the cells at least ``top - loose`` (row-major order).

    What numpy does in four passes over the tile and two index arrays the size of the mask (``max``, a
    comparison, ``nonzero``, a gather), in three passes that stay in the cache. Comparisons only: the cells are
    those a numpy comparison with the same threshold picks (``_row_best`` then keeps the ones within the exact
    margin of the row's final maximum, a subset).
    """
    cdef Py_ssize_t R = fast.shape[0], C = fast.shape[1]
    cdef double[::1] floor = np.empty(R)
    cdef Py_ssize_t count = 0, r, c, k = 0
    cdef double mx
    with nogil:
        for r in range(R):
            mx = fast[r, 0] if C else -_INF
            for c in range(1, C):
                if fast[r, c] > mx:
                    mx = fast[r, c]
            if mx > top[r]:
                top[r] = <real>mx
            floor[r] = top[r] - loose[r]
            for c in range(C):
                if fast[r, c] >= floor[r]:
                    count += 1
    rr_arr = np.empty(count, dtype=np.int64)
    cc_arr = np.empty(count, dtype=np.int64)
    vv_arr = np.empty(count, dtype=np.float32 if real is float else np.float64)
    cdef i64[::1] rr = rr_arr
    cdef i64[::1] cc = cc_arr
    cdef real[::1] vv = vv_arr
    with nogil:
        for r in range(R):
            for c in range(C):
                if fast[r, c] >= floor[r]:
                    rr[k] = r
                    cc[k] = c
                    vv[k] = fast[r, c]
                    k += 1
    return rr_arr, cc_arr, vv_arr
