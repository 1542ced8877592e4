"""The report's plots: what they show, that they are PNGs of the size the page shows, and cheap.

A corpus writes two plots per pair, so their cost is part of every pair's cost:
these tests hold the drawing to a budget far below what matplotlib's layout took.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest

from align.formats.report.plots import (
    DOT_BOX,
    HIST_BOX,
    dot_plot,
    downsample,
    encode_matrix,
    png_bytes,
    score_colour,
    score_histogram,
)

PIL = pytest.importorskip("PIL.Image")


def picture(b64: str) -> np.ndarray:
    raw = base64.b64decode(b64)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    img = PIL.open(io.BytesIO(raw))
    img.load()
    assert img.mode == "RGB"
    return np.asarray(img).astype(int)


def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[k : k + 2], 16) for k in (1, 3, 5)])


def near(img: np.ndarray, colour: str, tol: int = 40) -> int:
    """Pixels within ``tol`` (sum of channel differences) of ``colour``."""
    return int((np.abs(img - rgb(colour)).sum(axis=2) <= tol).sum())


def cell_centre(i: int, j: int, n_src: int, n_tgt: int) -> tuple[int, int]:
    """Pixel (row, column) of segment cell (i, j) in the dot plot's axes."""
    x0, y0, x1, y1 = DOT_BOX
    return (round(y0 + (i + 0.5) / n_src * (y1 - y0)), round(x0 + (j + 0.5) / n_tgt * (x1 - x0)))


def diagonal_beads(n: int, flagged: set[int] = frozenset()) -> list[dict]:
    return [{"src": [k], "tgt": [k], "flags": ["low-score"] if k in flagged else []} for k in range(n)]


def matrix_with(n: int, bright: list[tuple[int, int]]) -> dict:
    sim = np.full((n, n), 0.05, dtype=np.float32)
    for i, j in bright:
        sim[i, j] = 0.9
    reduced, block = downsample(sim)
    return encode_matrix(reduced, sim.shape, block)


def test_plots_are_pngs_of_the_size_the_report_shows():
    assert picture(dot_plot(diagonal_beads(10), 10, 10, matrix_with(10, []))).shape == (620, 620, 3)
    assert picture(dot_plot(diagonal_beads(10), 10, 10, None)).shape == (620, 620, 3)
    assert picture(score_histogram([0.2, 0.9], 0.5)).shape == (290, 620, 3)
    assert picture(score_histogram([], None)).shape == (290, 620, 3)


def test_plots_are_deterministic():
    beads, m = diagonal_beads(12, {3}), matrix_with(12, [(2, 9)])
    assert dot_plot(beads, 12, 12, m) == dot_plot(beads, 12, 12, m)
    assert score_histogram([0.3, 0.7, 0.7], 0.5) == score_histogram([0.3, 0.7, 0.7], 0.5)


def test_dot_plot_shows_the_similar_cells_where_they_are():
    n = 10
    img = picture(dot_plot(diagonal_beads(n), n, n, matrix_with(n, [(2, 7)])))
    dark = img[cell_centre(2, 7, n, n)]
    light = img[cell_centre(7, 2, n, n)]
    assert dark.sum() < 250 and dark[2] > dark[0], dark  # dark blue: the similar pair
    assert light.sum() > 700, light  # near white: the dissimilar one
    assert near(img, "#f28e2b") > 300  # the orange alignment path


def test_dot_plot_marks_flags_omissions_and_additions_only_when_there_are_some():
    n = 8
    plain = picture(dot_plot(diagonal_beads(n), n, n, None))
    beads = diagonal_beads(n, flagged={2})
    beads[5] = {"src": [5], "tgt": [], "flags": ["omission"]}
    beads.insert(6, {"src": [], "tgt": [5], "flags": ["addition"]})
    marked = picture(dot_plot(beads, n, n, None))
    for colour in ("#c0143c", "#d62728", "#9467bd"):  # flagged circle, omission x, addition +
        assert near(plain, colour, 30) == 0, colour
        assert near(marked, colour, 30) > 3, colour


def test_a_reordered_pair_is_a_flag_mark_off_the_path_not_a_detour_of_it():
    """The path joins the beads in order; a pair out of order (Bead.moved) would drag it across the plot."""
    n = 12
    beads = diagonal_beads(n)
    beads[9] = {"src": [9], "tgt": [3], "flags": ["reordered"]}  # source 9 paired with target 3, out of order
    beads[3] = {"src": [3], "tgt": [9], "flags": ["reordered"]}
    img = picture(dot_plot(beads, n, n, None))
    r, c = cell_centre(9, 3, n, n)
    assert near(img[r - 6:r + 7, c - 6:c + 7], "#c0143c", 30) > 3  # the flag mark at the pair
    (r8, c8), (r9, c9) = cell_centre(8, 8, n, n), cell_centre(9, 3, n, n)
    mid_r, mid_c = (r8 + r9) // 2, (c8 + c9) // 2  # halfway from bead 8 to the pair: where a detour would pass
    assert near(img[mid_r - 6:mid_r + 7, mid_c - 6:mid_c + 7], "#f28e2b", 60) == 0
    assert near(img, "#f28e2b") > 300  # the path along the in-order beads


def test_histogram_bars_take_the_table_colours():
    img = picture(score_histogram([0.93] * 4 + [0.12], 0.5))
    x0, _, x1, y1 = HIST_BOX
    high = img[y1 - 20, round(x0 + 0.925 * (x1 - x0))]
    low = img[y1 - 5, round(x0 + 0.125 * (x1 - x0))]
    assert np.abs(high - rgb(score_colour(0.925))).sum() <= 6, high
    assert np.abs(low - rgb(score_colour(0.125))).sum() <= 6, low
    assert img[y1 - 20, round(x0 + 0.625 * (x1 - x0))].sum() == 255 * 3  # no bead there: white


def test_png_bytes_is_lossless():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, size=(37, 53, 3), dtype=np.uint8)
    back = np.asarray(PIL.open(io.BytesIO(png_bytes(a))))
    assert back.shape == a.shape and np.array_equal(back, a)
