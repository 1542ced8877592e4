"""Bands and the banded DP (the exhaustive check against brute force is in test_aligner)."""

from __future__ import annotations

import numpy as np

from align.core.search import (
    Band,
    band_around,
    band_of_kept,
    full_band,
    path_to_spans,
    segment_columns,
    viterbi,
)


def test_full_band_has_every_cell():
    b = full_band(3, 4)
    assert b.n == 3 and b.width == 5 and b.cells == 4 * 5


def test_band_around_contains_the_path_and_is_monotone():
    nodes = [(2, 1), (4, 5), (8, 6), (10, 10)]
    b = band_around(nodes, 10, 10, radius=1)
    assert np.all(np.diff(b.lo) >= 0) and np.all(np.diff(b.hi) >= 0)
    assert b.lo[0] == 0 and b.hi[10] == 11
    for i, j in [(0, 0), *nodes]:
        assert b.lo[i] <= j < b.hi[i]
    assert b.width <= 7


def test_a_band_less_some_segments_keeps_every_path_that_skips_them():
    """``band_of_kept``: each old band path, with the taken-out segments skipped, lies in the new band."""
    rng = np.random.default_rng(5)
    for _ in range(200):
        n, m = int(rng.integers(2, 30)), int(rng.integers(2, 30))
        nodes = sorted({(int(rng.integers(0, n + 1)), int(rng.integers(0, m + 1))) for _ in range(3)})
        nodes = [(i, j) for k, (i, j) in enumerate(nodes) if all(j >= q for _, q in nodes[:k])]
        old = band_around(nodes, n, m, int(rng.integers(0, 4)))
        keep_s = sorted(int(k) for k in rng.choice(n, int(rng.integers(1, n + 1)), replace=False))
        keep_t = sorted(int(k) for k in rng.choice(m, int(rng.integers(1, m + 1)), replace=False))
        new = band_of_kept(old, keep_s, keep_t, m)
        assert new.n == len(keep_s) and new.lo[0] == 0 and new.hi[-1] == len(keep_t) + 1
        assert np.all(np.diff(new.lo) >= 0) and np.all(np.diff(new.hi) >= 0) and np.all(new.lo < new.hi)
        cs = np.searchsorted(keep_s, np.arange(n + 1))  # kept segments before old row i
        ct = np.searchsorted(keep_t, np.arange(m + 1))
        for i in range(n + 1):
            for j in range(int(old.lo[i]), int(old.hi[i])):
                assert new.lo[cs[i]] <= ct[j] < new.hi[cs[i]]
        if np.all(old.lo[1:] <= old.hi[:-1] - 1):  # a connected band: never more cells than the band it comes from
            assert new.cells <= old.cells
        same = band_of_kept(old, range(n), range(m), m)  # nothing taken out: the same band
        assert np.array_equal(same.lo, old.lo) and np.array_equal(same.hi, old.hi)
    full = band_of_kept(full_band(9, 7), [0, 2, 3, 8], [1, 2, 6], 7)
    assert np.array_equal(full.lo, full_band(4, 3).lo) and np.array_equal(full.hi, full_band(4, 3).hi)


def test_segment_columns_cover_every_window_a_bead_can_use():
    b = band_around([(5, 5), (10, 12)], 10, 12, radius=1)
    start, end = segment_columns(b, 12, 2, 3)
    for i in range(1, 11):
        for j in range(int(b.lo[i]), int(b.hi[i])):
            for a in (1, 2):
                for bb in (1, 2, 3):
                    if i - a < 0 or j - bb < 0:
                        continue
                    for r in range(i - a, i):
                        for c in range(j - bb, j):  # the target segments of the window
                            assert start[r] <= c < end[r], (i, j, a, bb, r, c)


class _Diagonal:
    """Rewards 1-1 beads on the diagonal only."""

    def __init__(self, band: Band):
        self.band = band
        self.types = [(1, 1), (1, 2), (2, 1)]

    def row(self, i):
        lo, hi = int(self.band.lo[i]), int(self.band.hi[i])
        S = np.full((3, hi - lo), -5.0)
        for k, j in enumerate(range(lo, hi)):
            if j == i:
                S[0, k] = 1.0
        return S, None, None


def test_viterbi_follows_the_diagonal_inside_a_band_and_is_deterministic():
    band = band_around([(k, k) for k in range(0, 21, 5)], 20, 20, radius=2)
    src = _Diagonal(band)
    a = viterbi(band, src, skip=3.0)
    b = viterbi(band, src, skip=3.0)
    assert a.path == b.path == [(1, 1)] * 20
    assert a.total == 20.0
    assert path_to_spans([(1, 1), (0, 1), (2, 1)]) == [(range(1), range(1)), (range(1, 1), range(1, 2)), (range(1, 3), range(2, 3))]


def test_nulls_win_when_nothing_matches():
    band = full_band(2, 2)

    class _Nothing:
        def __init__(self):
            self.types = [(1, 1)]

        def row(self, i):
            return np.full((1, 3), -10.0), None, None

    res = viterbi(band, _Nothing(), skip=1.0)
    assert sorted(res.path) == [(0, 1), (0, 1), (1, 0), (1, 0)]
