"""Window cosines, statistics and the length model against direct computation."""

from __future__ import annotations

import numpy as np
import pytest

from align.core.aligner import align_segments
from align.core.params import AlignParams
from align.core.scores import (
    BandMatrix,
    LengthModel,
    SimStats,
    WindowScorer,
    background_stats,
    estimate_model,
    length_ratio,
    mutual_length_ratio,
    refine_model,
    weighted_median,
    window_sq_norms,
)
from align.core.search import NEG, band_around, full_band, segment_columns
from align.core.side import Side
from align.core.vectors import block_sums, block_vectors, centre, normalise_rows, prepare, prepare_vectors
from align.embedding.hashing import HashEncoder


def _vecs(n, d=16, seed=0):
    return normalise_rows(np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32))


def test_window_sq_norms_match_direct_sums():
    v = _vecs(9)
    out = window_sq_norms(v, 4)
    for k in range(1, 5):
        for i in range(k, 10):
            assert out[k, i] == pytest.approx(float(np.sum(v[i - k : i].sum(axis=0) ** 2)), rel=1e-5)



def test_window_sq_norms_allow_windows_longer_than_the_side():
    """Windows of up to six segments on a three-segment side: a slice counted from the end crashed."""
    v = _vecs(3)
    out = window_sq_norms(v, 6)
    assert out[1, 1:].tolist() == pytest.approx([1.0, 1.0, 1.0], abs=1e-6)
    assert out[3, 3] == pytest.approx(float(np.sum((v[0] + v[1] + v[2]) ** 2)), abs=1e-6)
    assert (out[4:, :] == 1.0).all()  # no window of four or more fits


def test_wide_beads_align_a_tiny_pair():
    p = AlignParams(max_src=5, max_tgt=5, max_total=6)
    src, tgt = ["Một câu.", "Hai câu."], ["Satu kalimat.", "Dua.", "Tiga."]
    beads = align_segments(src, tgt, HashEncoder(), params=p)
    assert sorted(k for b in beads for k in b.src) == [0, 1] and sorted(k for b in beads for k in b.tgt) == [0, 1, 2]

def test_centre_removes_the_mean_but_leaves_a_single_segment_alone():
    v = _vecs(6) + 3.0  # a strong common direction
    c = centre(normalise_rows(v))
    assert np.allclose(np.linalg.norm(c, axis=1), 1.0, atol=1e-5)
    assert abs(float((c @ c.T)[np.triu_indices(6, 1)].mean())) < 0.3
    one = _vecs(1)
    assert np.allclose(centre(one), one)


def test_prepare_centres_unit_vectors_and_keeps_the_mean_it_removed():
    v = _vecs(5) * 3.0 + 1.0
    x, mean = prepare(v, AlignParams())
    unit = normalise_rows(v)
    assert np.allclose(mean, unit.mean(axis=0)) and np.array_equal(x, centre(unit, mean))
    assert np.array_equal(prepare_vectors(v, AlignParams()), x)
    plain, none = prepare(v, AlignParams(centre=False))
    assert none is None and np.array_equal(plain, unit)
    single, none = prepare(v[:1], AlignParams())
    assert none is None and np.array_equal(single, unit[:1])  # one segment: nothing to centre on


def test_blocks_sum_consecutive_rows_and_pad_the_last_block():
    v = _vecs(5)
    b = block_vectors(v, 2)
    assert b.shape == (3, 16)
    assert np.allclose(b[1], normalise_rows((v[2] + v[3])[None, :])[0]) and np.allclose(b[2], v[4])
    assert block_sums(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 2).tolist() == [3.0, 7.0, 5.0]


def test_background_stats_are_the_median_of_random_pairs_and_deterministic():
    x, y = _vecs(300, seed=1), _vecs(300, seed=2)
    a, b = background_stats(x, y), background_stats(x, y)
    assert a == b
    assert abs(a[0] - float(np.median(x @ y.T))) < 0.02


def test_sim_stats_put_noise_at_zero_and_a_typical_match_at_one():
    s = SimStats(mu0=0.8, sd0=0.03, mu1=0.9)
    assert s.normalise(np.array([0.8, 0.9]))[0] == pytest.approx(0.0)
    assert s.normalise(np.array([0.8, 0.9]))[1] == pytest.approx(1.0)


def test_length_model_prefers_the_expected_ratio_and_forgives_outliers_with_tails():
    lm = LengthModel(c=1.2, s2=4.0, tail=1.0)
    assert lm.loglik(np.array([100.0]), np.array([120.0]))[0] == pytest.approx(0.0)
    near, far = lm.loglik(np.array([100.0, 100.0]), np.array([130.0, 300.0]))
    assert far < near < 0
    gauss = LengthModel(c=1.2, s2=4.0, tail=0.0)
    assert gauss.loglik(np.array([100.0]), np.array([300.0]))[0] < far  # Gaussian tails are harsher


def test_refine_model_uses_aligned_beads_not_the_whole_text():
    # target is 1.5x the source wherever aligned; one long source segment has no translation
    ls = np.array([100.0, 100.0, 1000.0, 100.0])
    lt = np.array([150.0, 150.0, 150.0])
    src, tgt = Side(_vecs(4), ls), Side(_vecs(3, seed=3), lt)
    base = estimate_model(src, tgt, BandMatrix.cosines(src.vecs, tgt.vecs, *segment_columns(full_band(4, 3), 3, 1, 1)), 1.0)
    assert base.length.c == pytest.approx(450 / 1300)
    spans = [(range(1), range(1)), (range(1, 2), range(1, 2)), (range(2, 3), range(2, 2)), (range(3, 4), range(2, 3))]
    assert refine_model(base, spans, src, tgt).length.c == pytest.approx(1.5)


def test_weighted_median_follows_the_weight_not_the_count():
    assert weighted_median(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0])) == 2.0
    assert weighted_median(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 10.0])) == 3.0
    assert weighted_median(np.array([5.0]), np.array([2.0])) == 5.0


def _translated(n, omit, merge, ratio=1.5, seed=7):
    """Source vectors, target vectors and lengths: target k translates source k (ratio 1.5),
    except that source ``omit`` has no translation and target ``merge`` also carries the next source."""
    rng = np.random.default_rng(seed)
    x = _vecs(n, d=64, seed=seed)
    ls = rng.integers(40, 200, n).astype(float)
    ys, lt = [], []
    k = 0
    while k < n:
        if k == omit:
            k += 1
            continue
        if k == merge:
            ys.append(x[k] + x[k + 1])
            lt.append(ratio * (ls[k] + ls[k + 1]))
            k += 2
            continue
        ys.append(x[k] + 0.3 * rng.normal(size=64) / 8)
        lt.append(ratio * ls[k])
        k += 1
    return x, normalise_rows(np.array(ys, dtype=np.float32)), ls, np.array(lt)


def test_mutual_length_ratio_ignores_an_omission_that_biases_the_whole_text_ratio():
    x, y, ls, lt = _translated(12, omit=4, merge=8)
    ls[4] = 900.0  # a long paragraph left untranslated
    band = BandMatrix.cosines(x, y, *segment_columns(full_band(len(x), len(y)), len(y), 1, 1))
    assert length_ratio(ls, lt) < 1.2  # the whole-text ratio is far off
    assert mutual_length_ratio(band, ls, lt, threshold=0.5, default=-1.0) == pytest.approx(1.5)
    model = estimate_model(Side(x, ls), Side(y, lt), band, 1.0)
    assert model.length.c == pytest.approx(1.5)


def test_mutual_length_ratio_falls_back_without_enough_sure_pairs():
    x, y = _vecs(5, seed=1), _vecs(5, seed=2)  # unrelated texts
    band = BandMatrix.cosines(x, y, *segment_columns(full_band(5, 5), 5, 1, 1))
    assert mutual_length_ratio(band, np.full(5, 100.0), np.full(5, 90.0), threshold=0.9, default=0.9) == 0.9


def test_band_matrix_integral_image_matches_dense_sums():
    x, y = _vecs(7, seed=4), _vecs(9, seed=5)
    start = np.array([0, 0, 1, 2, 3, 4, 5])
    end = np.array([3, 4, 5, 6, 7, 8, 9])
    bm = BandMatrix.cosines(x, y, start, end)
    dense = np.zeros((7, 9))
    for r in range(7):
        dense[r, start[r] : end[r]] = x[r] @ y[start[r] : end[r]].T
    integral = bm.integral(1, 6, 2, 8)
    sub = dense[1:6, 2:8]
    assert integral[-1, -1] == pytest.approx(sub.sum(), abs=1e-5)
    assert integral[3, 4] == pytest.approx(sub[:3, :4].sum(), abs=1e-5)


@pytest.mark.parametrize("counted", [False, True])
def test_window_scorer_scores_equal_the_formula(counted):
    x, y = centre(_vecs(6, seed=6)), centre(_vecs(5, seed=7))
    ls = np.array([30.0, 40.0, 50.0, 20.0, 35.0, 45.0])
    lt = np.array([35.0, 45.0, 60.0, 30.0, 50.0])
    ns, nt = np.array([1, 1, 2, 1, 1, 3]), np.array([2, 1, 1, 3, 1])  # sentences per segment
    p = AlignParams(lex_weight=0.0)
    types = p.bead_types()
    band = full_band(6, 5)
    src = Side(x, ls, counts=ns if counted else None)
    tgt = Side(y, lt, counts=nt if counted else None)
    sc = WindowScorer(src, tgt, band, p, types=types)
    m = sc.model
    bonuses = 0
    for i in range(1, 7):
        S, dele, ins = sc.row(i)
        assert dele is None and ins is None
        for t, (a, b) in enumerate(types):
            for j in range(6):
                if a > i or b > j:
                    assert S[t, j] == NEG
                    continue
                u, v = x[i - a : i].sum(axis=0), y[j - b : j].sum(axis=0)
                s = m.sim.normalise(u @ v / np.linalg.norm(u) / np.linalg.norm(v))
                want = (
                    p.sim_weight * (s - p.sim_offset)
                    + p.len_weight * m.length.loglik(np.array([ls[i - a : i].sum()]), np.array([lt[j - b : j].sum()]))[0]
                    - p.merge * (a + b - 2)
                    - p.merge_big * max(a + b - 3, 0)
                    - p.low_weight * max(p.low_sim - s, 0.0) ** 2  # far below a translation: quadratic
                )
                lone = (a == 1) != (b == 1)  # one side a single segment, the other several
                if counted and lone and ns[i - a : i].sum() == nt[j - b : j].sum():
                    want += p.count_bonus
                    bonuses += 1
                assert S[t, j] == pytest.approx(want, abs=1e-4)  # float32 dot products
    assert (bonuses > 0) == counted


def test_a_merge_pays_for_each_member_holding_an_orphan_number():
    """A byline with its date glued onto a pair: its number is nowhere in the other text, so the merge costs more.

    ``orphan_merge`` per orphan on a many side (both sides of a 2-2); a 1-1
    bead pays nothing (a number may be written as a word), nor does the lone
    side of a 1-2.
    """
    n, m = 6, 6
    x, y = centre(_vecs(n, seed=3)), centre(_vecs(m, seed=4))
    ls, lt = np.full(n, 40.0), np.full(m, 40.0)
    os_ = np.array([0, 1, 0, 0, 1, 1], dtype=bool)
    ot = np.array([1, 1, 0, 0, 0, 1], dtype=bool)
    p = AlignParams(lex_weight=0.0)
    band = full_band(n, m)
    plain = WindowScorer(Side(x, ls), Side(y, lt), band, p)
    with_orphans = WindowScorer(Side(x, ls, orphans=os_), Side(y, lt, orphans=ot), band, p, model=plain.model)
    checked = 0
    for i in range(1, n + 1):
        S0, S1 = plain.row(i)[0], with_orphans.row(i)[0]
        for t, (a, b) in enumerate(p.bead_types()):
            for j in range(b, m + 1):
                if a > i:
                    continue
                held = (os_[i - a : i].sum() if a > 1 else 0) + (ot[j - b : j].sum() if b > 1 else 0)
                assert S0[t, j] - S1[t, j] == pytest.approx(p.orphan_merge * held, abs=1e-9), (i, j, a, b)
                checked += held > 0
    assert checked > 0
    off = WindowScorer(Side(x, ls, orphans=os_), Side(y, lt, orphans=ot), band, AlignParams(lex_weight=0.0,
                       orphan_merge=0.0), model=plain.model)
    assert all(np.array_equal(off.row(i)[0], plain.row(i)[0]) for i in range(1, n + 1))


def test_window_scorer_leaves_out_a_segment_with_an_orphan_number_for_less():
    """Per-cell one-sided steps: a deletion ending at (i, j) leaves out source i-1, an insertion target j-1."""
    n, m = 9, 8
    x, y = centre(_vecs(n, seed=1)), centre(_vecs(m, seed=2))
    ls, lt = np.full(n, 40.0), np.full(m, 40.0)
    os_ = np.array([0, 1, 0, 0, 1, 0, 0, 0, 1], dtype=bool)
    ot = np.array([1, 0, 0, 1, 0, 0, 0, 1], dtype=bool)
    p = AlignParams(lex_weight=0.0, skip_slope=0.0)  # the fixed skip: per-cell steps, not their calibration
    band = band_around([(0, 0), (3, 3), (6, 5), (9, 8)], n, m, 1)
    assert band.lo[5] > 0  # rows that do not start at column 0
    sc = WindowScorer(Side(x, ls, orphans=os_), Side(y, lt, orphans=ot), band, p)
    for i in range(n + 1):
        _, dele, ins = sc.row(i)
        lo, hi = int(band.lo[i]), int(band.hi[i])
        if i > 0:
            assert dele.tolist() == [-(p.skip - p.orphan_skip * os_[i - 1])] * (hi - lo)
        for k, j in enumerate(range(lo, hi)):
            if j > 0 and k > 0:  # ins[0] is never used: no insertion step ends at a row's first column
                assert ins[k] == -(p.skip - p.orphan_skip * ot[j - 1])
    plain = WindowScorer(Side(x, ls), Side(y, lt), band, p)
    assert plain.row(4)[1] is None and plain.row(4)[2] is None  # without the flags: the constant skip
    one_sided = WindowScorer(Side(x, ls, orphans=os_), Side(y, lt), band, p)
    assert one_sided.row(4)[1] is None  # the flags of one side only: the constant skip too
