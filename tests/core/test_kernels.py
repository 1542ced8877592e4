"""The compiled kernels give the numbers of the plain numpy code they replace, bit for bit.

The reference below is the row-by-row numpy implementation of the DP (Viterbi
with forward sums, backward sums, posteriors) and of the bead scores, as it
stood before the loops were compiled. Random bands, random scores with
per-cell one-sided steps or the constant skip, random evidence: every array
must be *equal*, not close, so the beads stay the same.
"""

from __future__ import annotations

import numpy as np
import pytest

from align.common import cores
from align.core import kernels, scores
from align.core.find import search
from align.core.lexical import Anchors
from align.core.members import WindowVectors, member_cost, member_gain
from align.core.params import AlignParams
from align.core.scores import WindowScorer
from align.core.search import (
    NEG,
    Band,
    backward,
    band_around,
    bead_posteriors,
    full_band,
    viterbi,
)
from align.core.side import Side
from align.core.vectors import centre, normalise_rows

# ------------------------------------------------------------------ the numpy reference


def _gather(M, band, rows, cols, fill):
    lo = band.lo[rows][:, None]
    hi = band.hi[rows][:, None]
    k = cols - lo
    ok = (cols >= lo) & (cols < hi)
    vals = M[rows[:, None], np.clip(k, 0, M.shape[1] - 1)]
    return np.where(ok, vals, fill)


def _null(w, skip, L):
    return np.full(L, -skip) if w is None else w


def _ramp(ins, skip, L):
    if ins is None:
        return skip * np.arange(L)
    return -np.concatenate([[0.0], np.cumsum(ins[1:])])


def ref_viterbi(band, source, skip, with_forward=False):
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
    path = []
    i, j = n, m
    total = float(D[n, m - band.lo[n]])
    while i > 0 or j > 0:
        a, b = all_types[int(back[i, j - band.lo[i]])]
        path.append((a, b))
        i, j = i - a, j - b
    path.reverse()
    return path, F, total, D


def ref_backward(band, source, skip):
    n, width = band.n, band.width
    m = int(band.hi[n]) - 1
    types = list(source.types)
    B = np.full((n + 1, width), -np.inf)
    by_a = {}
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
                acc = np.logaddexp(acc, np.where(ok, S[t, k] + B[e, k], -np.inf))
        if i < n:
            _, dele, _ = source.row(i + 1)
            lo_e, hi_e = int(band.lo[i + 1]), int(band.hi[i + 1])
            ok = (cols >= lo_e) & (cols < hi_e)
            k = np.clip(cols - lo_e, 0, hi_e - lo_e - 1)
            dstep = _null(dele, skip, hi_e - lo_e)
            acc = np.logaddexp(acc, np.where(ok, dstep[k] + B[i + 1, k], -np.inf))
        _, _, ins = source.row(i)
        ramp = _ramp(ins, skip, L)
        B[i, :L] = np.logaddexp.accumulate((acc - ramp)[::-1])[::-1] + ramp
    return B


def ref_posteriors(path, band, forward, backward_, source, skip):
    n = band.n
    m = int(band.hi[n]) - 1
    z = forward[n, m - int(band.lo[n])]
    out = []
    i = j = 0
    for a, b in path:
        S, dele, ins = source.row(i + a)
        k = j + b - int(band.lo[i + a])
        if a and b:
            s = float(S[source.types.index((a, b)), k])
        else:
            w = dele if b == 0 else ins
            s = -skip if w is None else float(w[k])
        lp = forward[i, j - int(band.lo[i])] + s + backward_[i + a, j + b - int(band.lo[i + a])] - z
        out.append(float(np.exp(min(lp, 0.0))))
        i, j = i + a, j + b
    return out


def ref_block(sc: WindowScorer, r0: int, r1: int) -> np.ndarray:
    """``WindowScorer._block`` as numpy computed it."""
    p = sc.params
    band = sc.band
    width = band.width
    out = np.full((len(sc.types), r1 - r0, width), NEG)
    rows = np.arange(max(r0, 1), r1)
    if len(rows) == 0:
        return out
    lo, hi = band.lo[rows], band.hi[rows]
    seg0 = max(0, int(rows[0]) - sc.max_a)
    seg1 = int(rows[-1])
    c0 = max(0, int(lo.min()) - sc.max_b)
    c1 = min(sc.m, int(hi.max()))
    I = ref_integral(sc.cos, seg0, seg1, c0, c1)
    IL = ref_integral(sc.lex[0], seg0, seg1, c0, c1) if sc.lex is not None else None
    ii = rows[:, None]
    jj = lo[:, None] + np.arange(width)[None, :]
    inside = jj < hi[:, None]
    jj = np.minimum(jj, sc.m)
    sim, length = sc.model.sim, sc.model.length
    for t, (a, b) in enumerate(sc.types):
        valid = inside & (ii >= a) & (jj >= b)
        rh, rl = np.clip(ii - seg0, 0, I.shape[0] - 1), np.clip(ii - a - seg0, 0, I.shape[0] - 1)
        ch, cl = np.clip(jj - c0, 0, I.shape[1] - 1), np.clip(jj - b - c0, 0, I.shape[1] - 1)
        dot = I[rh, ch] - I[rl, ch] - I[rh, cl] + I[rl, cl]
        ia, jb = np.maximum(ii - a, 0), np.maximum(jj - b, 0)
        s = sim.normalise(dot / np.sqrt(sc.nx[a, ii] * sc.ny[b, jj]))
        ls = sc.cls[ii] - sc.cls[ia]
        lt = sc.clt[jj] - sc.clt[jb]
        cost = p.merge * (a + b - 2) + p.merge_big * max(a + b - 3, 0)
        score = p.sim_weight * (s - p.sim_offset) + p.len_weight * length.loglik(ls, lt) - cost
        short = np.maximum(p.low_sim - s, 0.0)
        score = score - p.low_weight * short * short
        if IL is not None:
            _, cax, cay = sc.lex
            matched = IL[rh, ch] - IL[rl, ch] - IL[rh, cl] + IL[rl, cl]
            tot = (cax[ii] - cax[ia]) + (cay[jj] - cay[jb])
            dice = np.minimum(2.0 * matched / np.maximum(tot, 1e-9), 1.0)
            score = score + p.lex_weight * dice * np.clip(s, 0.0, 1.0)
        if sc.starts is not None:
            sb, tb = sc.starts
            shared = (sb[ia] & tb[jb]).astype(np.float64) + (sb[ii] & tb[jj])
            score = score + 0.5 * p.para_bonus * shared
        if sc.counts is not None and (a == 1) != (b == 1):
            ccs, cct = sc.counts
            agree = (ccs[ii] - ccs[ia]) == (cct[jj] - cct[jb])
            score = score + p.count_bonus * agree
        if sc.orphans is not None and (a > 1 or b > 1):
            orph_s, orph_t = sc.orphans
            held = (orph_s[ii] - orph_s[ia] if a > 1 else 0) + (orph_t[jj] - orph_t[jb] if b > 1 else 0)
            score = score - p.orphan_merge * held
        if sc.windows is not None and (a == 1) != (b == 1):
            score = score - ref_member_costs(sc, (a, b), rows, (lo, hi))
        out[t, rows - r0] = np.where(valid, score, NEG)
    return out


def ref_member_costs(sc: WindowScorer, shape: tuple[int, int], rows: np.ndarray, ends: tuple[np.ndarray, np.ndarray]):
    """Each cell's member cost, from its window's gain against that cell's one segment alone."""
    a, b = shape
    lo, hi = ends
    out = np.zeros((len(rows), sc.band.width))
    scale = sc.model.sim.mu1 - sc.model.sim.mu0
    for q, i in enumerate(rows.tolist()):
        for k in range(int(hi[q] - lo[q])):
            j = int(lo[q]) + k
            if a > 1:
                window, vecs, own, other = (i - a, a), sc.windows.src, sc.x, sc.y[max(j - 1, 0)]
            else:
                window, vecs, own, other = (j - b, b), sc.windows.tgt, sc.y, sc.x[i - 1]
            gain = member_gain(window, vecs, own, other[None]) if min(window) >= 0 else None
            if gain is not None:
                out[q, k] = member_cost(gain, scale, sc.params)[0]
    return out


def ref_integral(bm, r0, r1, c0, c1):
    out = np.zeros((r1 - r0 + 1, c1 - c0 + 1), dtype=np.float64)
    for r in range(r0, r1):
        s, e = max(int(bm.start[r]), c0), min(int(bm.end[r]), c1)
        if s < e:
            out[r - r0 + 1, s - c0 + 1 : e - c0 + 1] = bm.values[r, s - int(bm.start[r]) : e - int(bm.start[r])]
    return out.cumsum(axis=0).cumsum(axis=1)


# ------------------------------------------------------------------ random inputs


class _Random:
    """A ``RowSource`` of random scores (some impossible), with per-cell one-sided steps or the constant skip."""

    def __init__(self, band: Band, types, seed: int, steps: bool):
        rng = np.random.default_rng(seed)
        self.band, self.types = band, list(types)
        self.S = [rng.normal(-1.0, 3.0, size=(len(types), int(band.hi[i] - band.lo[i]))) for i in range(band.n + 1)]
        for S in self.S:
            S[rng.random(S.shape) < 0.2] = NEG
        self.steps = [(-rng.uniform(2, 5, S.shape[1]), -rng.uniform(2, 5, S.shape[1])) if steps else (None, None)
                      for S in self.S]

    def row(self, i):
        return (self.S[i], *self.steps[i])


def _band(n, m, seed, kind):
    if kind == "full" or n < 3:
        return full_band(n, m)
    rng = np.random.default_rng(seed)
    nodes = sorted({(int(i), int(round(i * m / n + rng.integers(-2, 3)))) for i in rng.integers(1, n, 5)})
    nodes = [(i, min(max(j, 0), m)) for i, j in nodes]
    return band_around(nodes, n, m, int(rng.integers(1, 4)))


CASES = [(n, m, seed, kind, steps) for seed, (n, m) in enumerate([(1, 1), (3, 5), (17, 13), (70, 75), (140, 130)])
         for kind in ("full", "narrow") for steps in (False, True)]


@pytest.mark.parametrize(("n", "m", "seed", "kind", "steps"), CASES)
def test_the_compiled_dp_equals_the_numpy_dp_bit_for_bit(n, m, seed, kind, steps):
    band = _band(n, m, seed, kind)
    types = AlignParams().bead_types()
    src = _Random(band, types, seed, steps)
    path, F, total, _ = ref_viterbi(band, src, 4.0, with_forward=True)
    got = viterbi(band, src, 4.0, with_forward=True)
    assert got.path == path and got.total == total
    assert np.array_equal(got.forward, F)
    B = ref_backward(band, src, 4.0)
    assert np.array_equal(backward(band, src, 4.0), B)
    want = ref_posteriors(path, band, F, B, src, 4.0)
    assert bead_posteriors(path, band, F, B, src, 4.0) == want
    assert viterbi(band, src, 4.0).path == path and viterbi(band, src, 4.0).forward is None


def test_a_skip_that_is_not_a_whole_number_ramps_as_numpy_did():
    """``skip * k`` and ``-cumsum`` differ in the last bit for such a skip: each path keeps its own."""
    band = full_band(9, 11)
    src = _Random(band, [(1, 1), (1, 2), (2, 1)], 3, steps=False)
    path, F, total, _ = ref_viterbi(band, src, 0.37, with_forward=True)
    got = viterbi(band, src, 0.37, with_forward=True)
    assert (got.path, got.total) == (path, total) and np.array_equal(got.forward, F)
    assert np.array_equal(backward(band, src, 0.37), ref_backward(band, src, 0.37))


def test_a_band_without_a_path_is_an_error_not_a_wrong_path():
    band = Band(np.array([1, 1]), np.array([2, 3]))  # (0, 0) is not in the band: every path dead-ends
    src = _Random(band, [(1, 1)], 0, steps=False)
    with pytest.raises(RuntimeError, match="no path"):
        viterbi(band, src, 4.0)


def _vecs(n, d=16, seed=0):
    return normalise_rows(np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("block_rows", [64, 5])
@pytest.mark.parametrize("kind", ["full", "narrow"])
def test_the_compiled_bead_scores_equal_the_numpy_formula_bit_for_bit(seed, block_rows, kind):
    rng = np.random.default_rng(seed)
    n, m = 40 + seed, 37
    x, y = centre(_vecs(n, seed=seed)), centre(_vecs(m, seed=seed + 10))
    ls, lt = rng.uniform(5, 120, n), rng.uniform(5, 120, m)
    starts_s = np.r_[True, rng.random(n - 1) < 0.3, True]
    starts_t = np.r_[True, rng.random(m - 1) < 0.3, True]
    src = Side(x, ls, counts=rng.integers(1, 3, n), starts=starts_s, orphans=rng.random(n) < 0.2)
    tgt = Side(y, lt, counts=rng.integers(1, 3, m), starts=starts_t, orphans=rng.random(m) < 0.2)
    toks = [f"n:{k}" for k in range(12)]
    anchors = Anchors(
        tuple({t: 1.0 / (1 + k % 3) for k, t in enumerate(toks) if rng.random() < 0.15} for _ in range(n)),
        tuple({t: 1.0 / (1 + k % 3) for k, t in enumerate(toks) if rng.random() < 0.15} for _ in range(m)),
    )
    wins = WindowVectors(
        src={(s, k): _vecs(1, seed=100 + s)[0] for s in range(0, n - 3, 4) for k in (2, 3)},
        tgt={(s, k): _vecs(1, seed=200 + s)[0] for s in range(1, m - 3, 5) for k in (2, 3)},
    )
    band = _band(n, m, seed, kind)
    p = AlignParams()
    for windows in (None, wins):
        for tail in (1.0, 0.0):
            sc = WindowScorer(src, tgt, band, AlignParams(len_tail=tail), anchors=anchors, windows=windows)
            sc.block_rows = block_rows
            for r0 in range(0, n + 1, block_rows):
                r1 = min(n + 1, r0 + block_rows)
                assert np.array_equal(sc._block(r0, r1), ref_block(sc, r0, r1)), (r0, windows is None, tail)
    plain = WindowScorer(Side(x, ls), Side(y, lt), band, p)
    assert np.array_equal(plain._block(0, 30), ref_block(plain, 0, 30))
    assert member_cost(member_gain((0, 2), wins.src, x, y[:1]), 0.5, p).shape == (1,)


@pytest.mark.parametrize("threads", ["1", "3"])
def test_bead_scores_split_among_threads_are_those_of_one_call(monkeypatch, threads):
    """Each thread fills its own rows of a block (``common.cores.in_parts``): the same bits as the formula."""
    monkeypatch.setenv("OMP_NUM_THREADS", threads)
    cores.reset_helpers()  # made again with the thread count just set
    monkeypatch.setattr(scores, "_MIN_PART_ROWS", 2)  # parts of a few rows: every block is shared
    rng = np.random.default_rng(7)
    n, m = 61, 58
    x, y = centre(_vecs(n, seed=5)), centre(_vecs(m, seed=6))
    src = Side(x, rng.uniform(5, 120, n), counts=rng.integers(1, 3, n), orphans=rng.random(n) < 0.2)
    tgt = Side(y, rng.uniform(5, 120, m), counts=rng.integers(1, 3, m), orphans=rng.random(m) < 0.2)
    band = _band(n, m, 3, "narrow")
    sc = WindowScorer(src, tgt, band, AlignParams())
    sc.block_rows = 20
    for r0 in range(0, n + 1, 20):
        r1 = min(n + 1, r0 + 20)
        assert np.array_equal(sc._block(r0, r1), ref_block(sc, r0, r1)), r0
    cores.reset_helpers()


def test_rows_of_the_scorer_are_its_rows_one_by_one():
    """``rows(r0, r1)`` (what the kernels read) across block edges equals ``row(i)`` for each row."""
    n, m = 30, 28
    rng = np.random.default_rng(4)
    x, y = centre(_vecs(n, seed=1)), centre(_vecs(m, seed=2))
    band = _band(n, m, 4, "narrow")
    sc = WindowScorer(Side(x, rng.uniform(5, 90, n), orphans=rng.random(n) < 0.3),
                      Side(y, rng.uniform(5, 90, m), orphans=rng.random(m) < 0.3), band, AlignParams())
    sc.block_rows = 7
    S, dele, ins = sc.rows(5, 19)
    for q, i in enumerate(range(5, 19)):
        s, d, w = sc.row(i)
        L = s.shape[1]
        assert np.array_equal(S[:, q, :L], s) and np.array_equal(dele[q, :L], d)
        assert np.array_equal(ins[q, 1:L], w[1:])  # ins[0] of a row is never read


def test_the_search_reads_bead_scores_a_block_at_a_time_not_a_row_at_a_time(monkeypatch):
    """The DP, the backward sums and the posteriors take whole blocks (``rows``), never ``row(i)``."""

    def refuse(self, i):
        raise AssertionError("row-by-row access")

    monkeypatch.setattr(WindowScorer, "row", refuse)
    n, m = 150, 140
    x = centre(_vecs(n, seed=8))
    y = centre(np.vstack([x[:m]]) + 0.05 * _vecs(m, seed=9))
    found = search(Side(x, np.full(n, 50.0)), Side(normalise_rows(y), np.full(m, 50.0)), AlignParams(max_cells=5000))
    assert found.width < m and sum(a for a, _ in found.path) == n and len(found.probs) == len(found.path)


def test_logaddexp_is_numpys_bit_for_bit_at_the_edges():
    """The C ``logaddexp`` takes numpy's branches: equal arguments, infinities, NaN, huge and tiny gaps, signed zeros."""
    rng = np.random.default_rng(3)
    edge = np.array([0.0, -0.0, 1e-300, -1e-300, 1.0, -1.0, 1e30, -1e30, NEG, np.inf, -np.inf, np.nan, 700.0, -745.0])
    xs = np.concatenate([edge, rng.normal(scale=30.0, size=200), rng.normal(size=200) * 1e-12])
    got = np.array([[kernels.logaddexp(float(x), float(y)) for y in xs] for x in xs])
    with np.errstate(invalid="ignore"):  # inf - inf: NaN, as the kernel gives
        want = np.logaddexp(xs[:, None], xs[None, :])
    assert np.array_equal(got, want, equal_nan=True)
    assert np.array_equal(np.signbit(got), np.signbit(want))


def test_the_kernels_read_read_only_arrays():
    """Inputs are read through ``const`` views: arrays numpy marks read-only (memory maps, shared scores) work."""
    rng = np.random.default_rng(0)
    values = rng.normal(size=(6, 4)).astype(np.float32)
    start = np.arange(6, dtype=np.int64)
    end = start + 4
    for a in (values, start, end):
        a.flags.writeable = False
    assert np.array_equal(kernels.column_max(values, start, end, 9), kernels.column_max(values.copy(), start.copy(), end.copy(), 9))
    assert kernels.integral_image(values, start, end, (0, 6, 0, 9))[-1, -1] == pytest.approx(float(values.astype(np.float64).sum()))


@pytest.mark.parametrize("seed", range(4))
def test_column_max_is_the_band_matrix_column_maximum(seed):
    """``column_max`` (used by the skip estimate and the mutual length ratio) equals a scatter-maximum, bit for bit."""
    rng = np.random.default_rng(seed)
    n, m = 40, 37
    band = band_around([(0, 0), (10, 14), (25, 20), (n, m)], n, m, 3)
    start, end = band.lo[:n].copy(), band.hi[1:].copy() - 1
    width = int(np.max(end - start))
    values = rng.normal(size=(n, width)).astype(np.float32)
    expect = np.full(m, -np.inf)
    for r in range(n):
        for c in range(start[r], end[r]):
            expect[c] = max(expect[c], float(values[r, c - start[r]]))
    got = kernels.column_max(values, start, end, m)
    assert np.array_equal(got, expect)
    assert np.isneginf(kernels.column_max(values[:0], start[:0], end[:0], m)).all()  # no rows: no column holds a value


def test_a_back_pointer_that_leaves_the_band_is_a_dead_end_not_a_read_outside_it():
    """Scores that were NaN can leave a back-pointer to a cell outside the band: the trace stops there."""
    lo = np.array([0, 2, 2], dtype=np.int64)
    back = np.zeros((3, 1), dtype=np.int8)  # every cell says (1, 1); row 1 holds column 2 only
    sizes = np.array([[1, 1], [1, 0], [0, 1]], dtype=np.int64)
    steps, i, j = kernels.trace_back(back, lo, sizes, 2, 2)
    assert len(steps) == 0 and (i, j) == (1, 1)  # (1, 1) lies left of row 1's band


def test_a_zero_length_ratio_raises_rather_than_scoring_nan():
    """A length model with ``c == 0`` (only possible from empty texts) divides by zero: an error, as in Python."""
    n = 12
    x = normalise_rows(np.random.default_rng(0).normal(size=(n, 8)).astype(np.float32))
    side = Side(x, np.full(n, 30.0))
    band = full_band(n, n)
    sc = WindowScorer(side, side, band, AlignParams())
    broken = scores.DocModel(sc.model.sim, scores.LengthModel(0.0, 1.0, sc.model.length.tail), sc.model.skip)
    with pytest.raises(ZeroDivisionError):
        WindowScorer(side, side, band, AlignParams(), model=broken)._block(0, n + 1)


def test_a_strided_paragraph_start_array_is_read_as_any_other():
    """``Side.starts`` may be a view with a stride (a slice of a longer array): copied where the kernel needs it."""
    n = 20
    x = normalise_rows(np.random.default_rng(1).normal(size=(n, 8)).astype(np.float32))
    starts = np.zeros(2 * (n + 1), dtype=bool)
    starts[::8] = True
    strided = Side(x, np.full(n, 30.0), starts=starts[::2])
    plain = Side(x, np.full(n, 30.0), starts=starts[::2].copy())
    assert search(strided, strided, AlignParams()).path == search(plain, plain, AlignParams()).path
