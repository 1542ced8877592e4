"""Paragraph beads from sentence beads: the score's weighted mean is numpy's, bit for bit, without arrays."""

from __future__ import annotations

import numpy as np

from align.core.paragraphs import _weighted_mean


def test_weighted_mean_equals_numpy_for_short_and_long_groups():
    rng = np.random.default_rng(3)
    for _ in range(5000):
        n = int(rng.integers(1, 14))
        w = [float(x) for x in rng.integers(0, 300, n) * (rng.random() < 0.9)]  # sometimes all weights 0
        v = [round(float(x), 4) for x in rng.random(n)]
        wa, va = np.array(w), np.array(v)
        expect = float((wa * va).sum() / wa.sum()) if wa.sum() > 0 else float(va.mean())
        assert _weighted_mean(w, v) == expect
