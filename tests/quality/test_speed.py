"""The flags in linear time: the moved check by blocks of rows, folding without a test per character."""

from __future__ import annotations

import random
import unicodedata

import numpy as np
import pytest

from align.common.model import Alignment, Bead, Document, Segment
from align.common.products import products
from align.quality import flags, mismatch
from align.quality.flags import QualityParams, _Cosines, _moved_issues, _row_best


def _old_moved(alignment: Alignment, sim: np.ndarray, p: QualityParams) -> dict[int, str]:
    """The check as it was: one matrix-vector product per unaligned segment and direction."""
    tu_sims = [float(sim[np.ix_(b.src, b.tgt)].max()) for b in alignment.beads if not b.is_null]
    bar = float(np.quantile(tu_sims, p.moved_quantile))
    out = {}
    for k, b in enumerate(alignment.beads):
        if not b.is_null:
            continue
        mutual = []
        for i in b.src:
            r = sim[i]
            j = int(r.argmax())
            if int(sim[:, j].argmax()) == i:
                mutual.append((float(r[j]), i, j))
        for j in b.tgt:
            c = sim[:, j]
            i = int(c.argmax())
            if int(sim[i].argmax()) == j:
                mutual.append((float(c[i]), i, j))
        if mutual and max(mutual)[0] >= bar:
            best, i, j = max(mutual)
            other = f"target segment {j + 1}" if b.src else f"source segment {i + 1}"
            out[k] = f"best match is {other} (cosine {best:.2f}; typical pairs {bar:.2f} or more)"
    return out


def _alignment(n: int, m: int, beads: list[Bead]) -> Alignment:
    src = tuple(Segment(f"s{i}", "sentence", i, i) for i in range(n))
    tgt = tuple(Segment(f"t{j}", "sentence", j, j) for j in range(m))
    doc_s = Document(path="s.txt", lang="vi", text="", segments=src)
    doc_t = Document(path="t.txt", lang="id", text="", segments=tgt)
    return Alignment(source=doc_s, target=doc_t, src=src, tgt=tgt, beads=tuple(beads), model_id="x", params={},
                     signature="x")


def test_the_moved_check_by_blocks_of_rows_flags_what_one_product_per_segment_flagged():
    rng = np.random.default_rng(0)
    n = m = 700
    x = rng.normal(size=(n, 24))
    y = x[rng.permutation(n)] + rng.normal(scale=0.8, size=(m, 24))  # a translation, scrambled
    beads, k = [], 0
    while k < n:
        if rng.random() < 0.3:
            beads += [Bead((k,), (), 1.0), Bead((), (k,), 1.0)]
        else:
            beads.append(Bead((k,), (k,), 0.9))
        k += 1
    al = _alignment(n, m, beads)
    p = QualityParams()
    full = x @ y.T
    want = _old_moved(al, full, p)
    assert len(want) > 20  # the scrambled pairs are found as moved
    assert _moved_issues(al, _Cosines(None, None, full), p) == want
    assert _moved_issues(al, _Cosines(x, y), p) == _old_moved(al, x.astype(np.float32) @ y.astype(np.float32).T, p)
    exact = _Cosines(None, None, full)
    for by_row in (True, False):  # a block of 7 rows or of 256: the same best matches
        assert exact._best(list(range(n)), by_row=by_row, chunk=7) == exact._best(list(range(n)), by_row=by_row)


def _texts() -> list[str]:
    rng = random.Random(1)
    out = ["Lương Tam Quang", "Hà Nội", "ĐÀ NẴNG", "Straße", "İstanbul", "ﬁnance ½ Ⅻ", "Ǆemal", "naïve café"]
    for _ in range(500):
        out.append("".join(chr(rng.randrange(0x20, 0x2FFF)) for _ in range(30)))
    return out


def test_folding_drops_exactly_the_combining_characters_and_compact_keeps_exactly_isalnum():
    for text in _texts():
        t = unicodedata.normalize("NFKD", text.lower()).replace("đ", "d").replace("ı", "i")
        assert mismatch.fold(text) == "".join(c for c in t if not unicodedata.combining(c))
        assert mismatch._compact(text) == "".join(c for c in mismatch.fold(text) if c.isalnum())


def test_a_bead_without_names_is_not_indexed():
    """The name check prepares a bead's text only when a name is looked up in it."""
    assert mismatch.name_issue("một hai ba.", "satu dua tiga.", mismatch.TextIndex(""), mismatch.TextIndex("")) is None
    index = mismatch.TextIndex("Ông Lương Tam Quang")
    assert "compact" not in vars(index) and "words" not in vars(index)
    assert index.compact == "ongluongtamquang" and index.words == {"ong", "luong", "tam", "quang"}


@pytest.mark.parametrize("tile", [2048, 64, 31, 7])
def test_the_fast_best_of_each_row_is_that_of_the_whole_float64_product(monkeypatch, tile):
    """``_row_best`` screens with a float32 product: the same columns and values as ``products``, ties included.

    With small tiles the best column of a row often comes after a tile whose candidates no longer count, and
    equal columns (10 and 20; with tiles of 31, also the pair a rounding apart, 30 and 31) lie in different tiles.
    """
    monkeypatch.setattr(flags, "_TILE_COLS", tile)
    rng = np.random.default_rng(3)
    y = rng.normal(size=(3000, 64)).astype(np.float32)
    x = rng.normal(size=(300, 64)).astype(np.float32)
    y[20] = y[10]
    x[0] = y[10]  # two equal columns: the first is the best
    y[31] = y[30] + np.float32(1e-7) * rng.normal(size=64).astype(np.float32)
    x[1] = 3 * y[30]  # two columns a rounding apart, and a long row
    x[2] = 0.0  # every column ties at 0
    full = products(x, y.T)
    want = [(int(b), float(full[r, b])) for r, b in enumerate(full.argmax(axis=1))]
    assert _row_best(x, y) == want
    assert want[0][0] == 10 and want[2] == (0, 0.0)


@pytest.mark.parametrize("pairs", [1, 3, 1024])
def test_exact_products_by_blocks_are_those_of_one_einsum_over_every_pair(monkeypatch, pairs):
    """The candidates' float64 sums, a block of pairs at a time: the values of one product over them all."""
    monkeypatch.setattr(flags, "_EXACT_PAIRS", pairs)
    rng = np.random.default_rng(5)
    for d in (1, 7, 256, 768):
        a = rng.normal(size=(50, d)).astype(np.float32)
        b = rng.normal(size=(80, d)).astype(np.float32)
        ai, bi = rng.integers(0, 50, 2500), rng.integers(0, 80, 2500)
        whole = np.einsum("ij,ij->i", a[ai].astype(np.float64), b[bi].astype(np.float64)).astype(np.float32)
        assert np.array_equal(flags._exact_products(a, ai, b, bi), whole)
        assert np.array_equal(flags._exact_products(a, ai[:1], b, bi[:1]), products(a[ai[:1]], b[bi[:1]].T)[0])


def test_first_row_maxima_are_argmax_of_each_run_ties_and_nans_included():
    rng = np.random.default_rng(6)
    for _ in range(200):
        ri = np.sort(rng.integers(0, 12, rng.integers(1, 60)))
        values = rng.integers(-3, 4, len(ri)).astype(np.float32)  # many ties
        values[rng.random(len(ri)) < 0.05] = np.nan
        values[rng.random(len(ri)) < 0.05] = -np.inf
        starts = np.flatnonzero(np.r_[True, ri[1:] != ri[:-1]])
        want = [a + int(np.argmax(values[a:b])) for a, b in zip(starts, [*starts[1:], len(ri)], strict=True)]
        assert flags._first_row_maxima(ri, values).tolist() == want
    assert flags._first_row_maxima(np.empty(0, np.int64), np.empty(0, np.float32)).tolist() == []


def test_the_row_best_with_the_other_sides_largest_norm_given_is_that_without():
    rng = np.random.default_rng(7)
    y = rng.normal(size=(500, 32)).astype(np.float32)
    x = rng.normal(size=(40, 32)).astype(np.float32)
    assert _row_best(x, y, flags._largest_norm(y)) == _row_best(x, y)
    assert flags._largest_norm(y[:0]) == 0.0


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_the_best_matches_by_blocks_on_every_thread_are_those_of_the_whole_float64_product(monkeypatch, threads):
    """Blocks of rows shared among the threads (even empty ones): each row's column and value of ``products``."""
    from align.common import cores

    # the helper threads that run the blocks, made again with this count (flags reads it for the block count)
    monkeypatch.setenv("OMP_NUM_THREADS", str(threads))
    cores.reset_helpers()
    assert cores.shared_by() == threads
    rng = np.random.default_rng(8)
    x = rng.normal(size=(400, 48)).astype(np.float32)
    y = rng.normal(size=(300, 48)).astype(np.float32)
    y[7] = y[3]  # a tie in every row: the first column is the best
    x[5] = x[2]
    fast, exact = _Cosines(x, y), _Cosines(None, None, products(x, y.T))
    for ids in ([], [4], [9, 1, 9], list(range(0, 300, 7)), list(range(300))):
        for by_row in (True, False):
            want = exact._best(ids, by_row=by_row)
            for chunk in (1, 7, 512):
                assert fast._best(ids, by_row=by_row, chunk=chunk) == want
    cores.reset_helpers()


def test_side_lengths_are_the_python_sums_of_each_sides_segments():
    rng = random.Random(9)
    segments = [Segment("x" * rng.randrange(0, 300), "sentence", i, i) for i in range(60)]
    sides = [tuple(rng.sample(range(60), rng.randrange(1, 4))) for _ in range(200)]
    want = np.array([sum(len(segments[i].text) for i in side) for side in sides], float)
    got = flags._side_lengths(segments, sides)
    assert got.dtype == want.dtype and np.array_equal(got, want)
