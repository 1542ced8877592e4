"""``align score`` on large memories (issue 19, case 5): near-linear work, bounded memory, the same faults caught.

The exact comparison of every unit with every other is kept for small
memories (``TmScoreParams.exact_max``); these tests lower that bar (and the
window) so that a memory of a few thousand units takes the large-memory path:
a window of exact comparisons around each unit and an inverted file beyond.
"""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
from test_tmscore import COPIES, PAIRS, SWAPS, TRUNCATED, hash_encoder, planted, tmx_of, truncate

import align.tools.tmscore as tmscore
from align.core.params import AlignParams
from align.core.vectors import prepare_vectors
from align.embedding import HashEncoder
from align.quality.flags import QualityParams, check_beads
from align.tools.nearest import Search, best_others
from align.tools.tmscore import TmScoreParams, score_tmx

# --------------------------------------------------------------------------- a synthetic memory

VI = ("nhà mới đường sông núi trường học bệnh viện chợ cầu cảng sân bay nông dân công nhân giáo viên bác sĩ "
      "kinh tế xã hội văn hóa thể thao du lịch giá gạo cà phê lúa mưa bão lũ nắng gió biển đảo rừng").split()
ID = ("rumah baru jalan sungai gunung sekolah rumahsakit pasar jembatan pelabuhan bandara petani buruh guru dokter "
      "ekonomi sosial budaya olahraga wisata harga beras kopi padi hujan badai banjir cerah angin laut pulau "
      "hutan").split()


def synthetic(n: int, seed: int = 5) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """``n`` vi-id pairs of random words with a one-to-one lexicon (the hash encoder's), names and numbers shared."""
    rng = random.Random(seed)
    vocab = [(f"{v}{k}", f"{i}{k}") for k in range(60) for v, i in zip(VI, ID, strict=False)]
    lexicon = {i: v for v, i in vocab}
    pairs = []
    for _ in range(n):
        words = rng.sample(vocab, rng.randint(6, 16))
        num = str(rng.randint(2, 99999))
        pairs.append((" ".join([v for v, _ in words] + [num]) + ".", " ".join([i for _, i in words] + [num]) + "."))
    return pairs, lexicon


def big_planted(n: int, window: int) -> tuple[list[tuple[str, str]], dict[int, str], dict[str, str]]:
    """The test memory's 42 units with their planted faults at the start, then ``n - 42`` synthetic units
    with swaps and copies between units more than ``window`` apart and truncated targets."""
    head, faults = planted()
    tail, lexicon = synthetic(n - len(head))
    pairs = [*head, *tail]
    rng = random.Random(11)
    spots = rng.sample(range(len(head), n), 40)
    pairs = [list(p) for p in pairs]
    for a, b in zip(spots[0:20:2], spots[1:20:2], strict=True):  # far swaps
        if abs(a - b) <= window:
            continue
        pairs[a][1], pairs[b][1] = pairs[b][1], pairs[a][1]
        faults[a] = faults[b] = "swapped"
    for a, b in zip(spots[20:30], spots[30:40], strict=True):  # a far unit's target copied
        if abs(a - b) <= window or a in faults or b in faults:
            continue
        pairs[a][1] = pairs[b][1]
        faults[a] = "copied"
    return [tuple(p) for p in pairs], faults, lexicon  # type: ignore[misc]


def encoder_for(lexicon: dict[str, str]) -> HashEncoder:
    enc = hash_encoder()
    return HashEncoder(lexicon={**enc.lexicon, **lexicon})


# --------------------------------------------------------------------------- case 5


def test_score_of_a_large_memory_compares_a_near_linear_number_of_pairs(tmp_path):
    """Issue 19, case 5: `align score` compared every unit with every other (quadratic).

    Now a memory above ``exact_max`` units compares each unit with a window
    of neighbours and an inverted file's few cells: the pairs compared grow
    about as n * sqrt(n), far below n^2, and the planted faults are still caught.
    """
    n, window = 6000, 100
    pairs, faults, lexicon = big_planted(n, window)
    params = TmScoreParams(exact_max=1000, window=window)
    result = score_tmx(tmx_of(pairs, tmp_path / "big.tmx"), encoder_for(lexicon), params=params)
    compared = result.stats["pairs_compared"]
    assert compared < 0.25 * n * n, f"{compared:.3g} of {n * n:.3g} pairs compared"
    assert any("compared exactly with the 100 units either side" in w for w in result.warnings)
    flagged = {u.position for u in result.units if u.flags}
    missed = {k: v for k, v in faults.items() if k not in flagged}
    assert not missed, f"planted faults not flagged: {missed}"
    misplaced = {u.position for u in result.units if "misplaced" in u.flags}
    assert {k for k, v in faults.items() if v in ("swapped", "copied")} <= misplaced
    good_flagged = len(flagged - set(faults))
    assert good_flagged < 0.02 * (n - len(faults))


def test_the_planted_faults_of_the_small_memory_are_caught_the_same_way_on_the_large_path(tmp_path):
    """The 42-unit memory of ``test_tmscore`` scored by the large-memory path (window 5, an inverted file)
    flags the same units as the exact comparison, misplaced ones naming the same partner."""
    pairs, faults = planted()
    path = tmx_of(pairs, tmp_path / "planted.tmx")
    exact = score_tmx(path, hash_encoder())
    approx = score_tmx(path, hash_encoder(), params=TmScoreParams(exact_max=10, window=5, probes=4))
    assert [u.flags for u in approx.units] == [u.flags for u in exact.units]
    for a, b in SWAPS + COPIES:
        assert f"unit {exact.units[b].tu.tuid}" in approx.units[a].issues["misplaced"]
    assert all(approx.units[a].score < 0.5 for a in TRUNCATED)


# --------------------------------------------------------------------------- the search


def _brute(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = x @ y.T
    np.fill_diagonal(c, -np.inf)
    return c.max(axis=1), c.max(axis=0)


def _vectors(n: int, d: int = 32, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    y = x + 0.6 * rng.normal(size=(n, d)).astype(np.float32)  # translations: close to their source
    return prepare_vectors(x, AlignParams()), prepare_vectors(y, AlignParams())


def test_exact_search_is_the_brute_force_answer():
    x, y = _vectors(700)
    best = best_others(x, y, Search(block=128))
    row, col = _brute(x, y)
    np.testing.assert_allclose(best.row, row, rtol=0, atol=1e-6)
    np.testing.assert_allclose(best.col, col, rtol=0, atol=1e-6)
    assert np.all(best.row_arg != np.arange(700)) and np.all(best.col_arg != np.arange(700))
    np.testing.assert_allclose(np.einsum("ij,ij->i", x, y[best.row_arg]), best.row, atol=1e-6)
    np.testing.assert_allclose(np.einsum("ij,ij->i", x[best.col_arg], y), best.col, atol=1e-6)
    assert best.compared == 700 * 700


def test_window_and_inverted_file_find_planted_partners_far_apart():
    """Swapped targets 1,000+ units apart are found by the inverted file; what it finds is measured exactly."""
    x, y = _vectors(4000, d=48)
    rng = np.random.default_rng(1)
    a, b = rng.choice(4000, 60, replace=False).reshape(2, 30)
    y[a], y[b] = y[b].copy(), y[a].copy()
    best = best_others(x, y, Search(exact_max=100, window=20))
    assert np.all(best.row_arg[a] == b) and np.all(best.row_arg[b] == a)
    assert np.all(best.col_arg[a] == b) and np.all(best.col_arg[b] == a)
    np.testing.assert_allclose(np.einsum("ij,ij->i", x, y[best.row_arg]), best.row, atol=1e-6)
    row, col = _brute(x, y)
    assert np.all(best.row <= row + 1e-6) and np.mean(np.abs(best.row - row) < 1e-6) > 0.75
    assert best.compared < 0.3 * 4000 * 4000


# --------------------------------------------------------------------------- the same checks, split


def test_text_and_score_checks_together_are_check_beads(tmp_path):
    """The texts-only checks (run in a second process on a large memory) and the score-only ones
    give exactly what ``check_beads`` gives on the units."""
    pairs, _ = planted()
    pairs = [*pairs, ("Giá 12% và 500 km.", "Harga 13% dan 500 km."), ("Ông Nguyễn Văn An nói.", "Dia berkata."),
             ("", "Kosong."), ("Ngắn.", truncate("Sangat panjang sekali kalimat ini tidak ada habisnya " * 5))]
    path = tmx_of(pairs, tmp_path / "m.tmx")
    tmx = tmscore.read_tmx(path)
    src, tgt = [tu.src for tu in tmx.tus], [tu.tgt for tu in tmx.tus]
    scores = np.random.default_rng(2).uniform(0, 1, len(src))
    scores[[3, 4, 5, 9, 10]] = 0.1  # a drift run
    qp = QualityParams(low_score=0.5)
    whole = check_beads(tmscore._tm_alignment(tmx, src, tgt, scores), params=qp)
    text = tmscore._text_checks(tmx.path, (tmx.src_lang, tmx.tgt_lang), src, tgt, qp)
    split = []
    for k, d in enumerate(tmscore._score_checks(scores, qp)):
        merged = {**d, **text.get(k, {})}
        split.append({c: merged[c] for c in tmscore.FLAGS if c in merged})
    assert split == whole
    assert any("drift" in d for d in whole) and any("number-mismatch" in d for d in whole)


def test_the_second_process_gives_the_same_result(tmp_path):
    pairs, _ = planted()
    path = tmx_of(pairs, tmp_path / "planted.tmx")
    here = score_tmx(path, hash_encoder())
    apart = score_tmx(path, hash_encoder(), params=TmScoreParams(parallel_min=1))
    assert tmscore._parallel(len(pairs), TmScoreParams(parallel_min=1)) or pytest.skip("one core")
    assert [(u.score, u.issues) for u in apart.units] == [(u.score, u.issues) for u in here.units]


def test_chunked_embedding_embeds_each_text_once_and_gives_the_same_vectors():
    texts = [p[0] for p in PAIRS] * 3  # duplicates across chunks
    enc = hash_encoder()
    whole = tmscore._encode(hash_encoder(), texts, chunk=10_000)
    chunked = tmscore._encode(enc, texts, chunk=10)
    np.testing.assert_array_equal(chunked, whole)
    assert sum(len(c) for c in enc.calls) == len(PAIRS)  # each distinct text once
    prepared = tmscore._prepare_in_place(chunked.copy(), AlignParams(), chunk=10)
    np.testing.assert_allclose(prepared, prepare_vectors(whole, AlignParams()), rtol=0, atol=1e-6)


def test_params_show_in_the_signature_only_for_the_large_path(tmp_path):
    pairs, _ = planted()
    path = tmx_of(pairs, tmp_path / "planted.tmx")
    assert "search=" not in score_tmx(path, hash_encoder()).signature
    big = score_tmx(path, hash_encoder(), params=dataclasses.replace(TmScoreParams(), exact_max=10, window=5))
    assert "search=window=5,ivf(" in big.signature
