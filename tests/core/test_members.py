"""The merge-member check (align.core.members): real window embeddings decide whether a merged segment belongs."""

from __future__ import annotations

import numpy as np
import pytest
from test_aligner import _FixedEncoder, _lexicon, _pairs, _sentences, _tr

import align.core.aligner as al
from align.common.errors import UsageError
from align.core import AlignParams, align_segments
from align.core.members import (
    WindowVectors,
    band_member_costs,
    bead_member_cost,
    embed_windows,
    join_window,
    member_cost,
    member_gain,
    merge_windows,
)
from align.core.scores import WindowScorer
from align.core.search import band_around, full_band
from align.core.side import Side
from align.core.vectors import centre, normalise_rows
from align.embedding import HashEncoder, load_encoder


def test_merge_windows_take_the_many_side_of_one_to_many_beads_and_every_sub_window():
    spans = [
        (range(1), range(1)),  # 1-1: nothing
        (range(1, 4), range(1, 2)),  # 3-1: source windows (1,3), (1,2), (2,2)
        (range(4, 5), range(2, 4)),  # 1-2: target window (2,2)
        (range(5, 7), range(4, 6)),  # 2-2: not one-to-many
        (range(7, 8), range(6, 6)),  # omission
        (range(8, 9), range(6, 10)),  # 1-4: (6,4), (6,3), (7,3), (6,2), (7,2), (8,2)
    ]
    src, tgt = merge_windows(spans)
    assert src == {(1, 3), (1, 2), (2, 2)}
    assert tgt == {(2, 2), (6, 4), (6, 3), (7, 3), (6, 2), (7, 2), (8, 2)}


def test_embed_windows_embeds_each_new_window_once_joined_and_centred_like_the_segments():
    texts = _sentences(5, seed=3)
    enc = HashEncoder(dim=64)
    raw = enc.encode(texts)
    mean = normalise_rows(raw).mean(axis=0)
    into: dict = {}
    before = len(enc.calls)
    assert embed_windows(enc, [(texts, {(1, 2), (0, 3)}, mean, into)]) == 2
    sent = sorted(t for call in enc.calls[before:] for t in call)
    assert sent == sorted([" ".join(texts[0:3]), " ".join(texts[1:3])])  # members joined by a space
    expect = normalise_rows(enc.encode([" ".join(texts[1:3])]))[0] - mean
    assert np.allclose(into[(1, 2)], expect / np.linalg.norm(expect), atol=1e-6)
    # a window holding one segment's text lands where centre() puts that segment
    one: dict = {}
    embed_windows(enc, [(texts, {(2, 1)}, mean, one)])
    assert np.allclose(one[(2, 1)], centre(normalise_rows(raw))[2], atol=1e-6)
    calls = len(enc.calls)
    assert embed_windows(enc, [(texts, {(1, 2), (0, 3)}, mean, into)]) == 0
    assert len(enc.calls) == calls  # nothing new, no call
    # both sides in one call, each centred with its own mean (None: left as embedded)
    other = _sentences(3, seed=9)
    a: dict = {}
    b: dict = {}
    assert embed_windows(enc, [(texts, {(3, 2)}, mean, a), (other, {(0, 2)}, None, b)]) == 2
    assert len(enc.calls) == calls + 1
    assert np.allclose(b[(0, 2)], normalise_rows(enc.encode([" ".join(other[:2])]))[0], atol=1e-6)
    assert not np.allclose(a[(3, 2)], normalise_rows(enc.encode([" ".join(texts[3:5])]))[0], atol=1e-3)


def test_windows_embedded_together_are_those_embedded_one_by_one():
    # a side's windows are centred in one call: each row must be what it would be alone, to the last bit
    texts = _sentences(40, seed=8)
    enc = HashEncoder(dim=384)
    mean = normalise_rows(enc.encode(texts)).mean(axis=0)
    windows = {(k, size) for k in range(0, 36, 3) for size in (2, 3, 4)}
    together: dict = {}
    other: dict = {}
    embed_windows(enc, [(texts, windows, mean, together), (texts[::-1], {(0, 2), (5, 3)}, None, other)])
    for w in sorted(windows):
        alone: dict = {}
        embed_windows(HashEncoder(dim=384), [(texts, {w}, mean, alone)])
        assert np.array_equal(alone[w], together[w])
    assert np.array_equal(other[(0, 2)], normalise_rows(enc.encode([" ".join(texts[::-1][0:2])]))[0])  # not centred


def test_member_gain_takes_the_better_of_the_two_edges():
    e = np.eye(4, dtype=np.float32)
    single = np.stack([e[0], e[1], e[2]])
    window = normalise_rows((e[0] + e[1] + e[2])[None])[0]
    vecs = {(0, 3): window, (1, 2): e[1], (0, 2): e[0]}  # without the first member: e1; without the last: e0
    others = np.stack([e[1], e[0]])
    gain = member_gain((0, 3), vecs, single, others)
    assert np.allclose(gain, [window @ e[1] - 1.0, window @ e[0] - 1.0])  # each row against the edge that wins for it


def test_member_gain_compares_the_window_with_the_window_minus_either_edge_member():
    e = np.eye(4, dtype=np.float32)
    single = np.stack([e[0], e[1], e[2]])
    vecs = {(0, 2): normalise_rows((e[0] + e[1])[None])[0], (0, 3): e[3]}
    others = np.stack([e[0], e[1] * 0.5 + e[0] * 0.5])
    gain = member_gain((0, 2), vecs, single, others)
    w = vecs[(0, 2)]
    assert np.allclose(gain, others @ w - np.maximum(others @ e[1], others @ e[0]))
    assert gain[0] < 0  # against e0 alone, the window is worse than its first member
    assert member_gain((0, 3), vecs, single, others) is None  # sub-window (1, 2) not embedded
    assert member_gain((1, 2), vecs, single, others) is None  # the window itself not embedded


def test_a_rows_member_gain_does_not_depend_on_the_rows_beside_it():
    # the search charges a window against a run of rows at once, the check of its chosen bead against one row:
    # both must see the same gain, to the last bit (float32 products summed in an order the BLAS picks would not)
    rng = np.random.default_rng(3)
    single = normalise_rows(rng.normal(size=(5, 384)).astype(np.float32))
    vecs = {w: normalise_rows(rng.normal(size=(1, 384)).astype(np.float32))[0] for w in [(0, 3), (1, 2), (0, 2)]}
    others = normalise_rows(rng.normal(size=(37, 384)).astype(np.float32))
    together = member_gain((0, 3), vecs, single, others)
    assert together is not None and together.dtype == np.float32
    for k in range(len(others)):
        alone = member_gain((0, 3), vecs, single, others[k : k + 1])
        assert alone is not None and alone[0] == together[k]
        assert member_gain((0, 3), vecs, single, others[k:])[0] == together[k]


def test_member_cost_is_free_up_to_the_allowed_drop_then_linear():
    p = AlignParams(member_drop=0.25, member_weight=50.0)
    gain = np.array([0.3, 0.0, -0.1, -0.125, -0.2])
    cost = member_cost(gain, 0.5, p)  # normalised drops: -0.6, 0, 0.2, 0.25, 0.4
    assert np.allclose(cost, [0.0, 0.0, 0.0, 0.0, 50.0 * 0.15])
    assert np.all(member_cost(gain, 0.5, AlignParams(member_weight=0.0)) == 0)


def test_bead_member_cost_charges_one_to_many_beads_over_an_embedded_window_only():
    e = np.eye(4, dtype=np.float32)
    x, y = np.stack([e[0], e[1], e[2]]), np.stack([e[0], e[3]])
    wins = WindowVectors(src={(0, 2): e[2]})  # the window "0 1" embeds far from target 0, its first member's match
    p = AlignParams()
    cost = bead_member_cost(range(0, 2), range(0, 1), wins, x, y, scale=0.5, params=p)
    gain = member_gain((0, 2), wins.src, x, y[0:1])
    assert cost == pytest.approx(float(member_cost(gain, 0.5, p)[0])) and cost > 0
    assert bead_member_cost(range(0, 1), range(0, 1), wins, x, y, scale=0.5, params=p) == 0.0  # 1-1
    assert bead_member_cost(range(1, 3), range(0, 1), wins, x, y, scale=0.5, params=p) == 0.0  # not embedded
    assert bead_member_cost(range(0, 1), range(0, 2), wins, x, y, scale=0.5, params=p) == 0.0  # target window: none


def test_params_refuse_negative_member_settings():
    with pytest.raises(UsageError, match="member_drop"):
        AlignParams(member_drop=-0.1)
    with pytest.raises(UsageError, match="member_weight"):
        AlignParams(member_weight=-1.0)


def _vecs(n, d=16, seed=0):
    rng = np.random.default_rng(seed)
    return normalise_rows(rng.normal(size=(n, d)).astype(np.float32))


@pytest.mark.parametrize("shape", ["narrow", "full"])
def test_band_member_costs_lists_each_paying_cell_once_with_the_gain_of_that_cell_alone(shape):
    # hundreds of windows, so that the stacked products span several runs: in a narrow band that starts late in its
    # rows (each window's own rows gathered) and in a full band (every window meets every row: one span a run);
    # windows at both ends of a side, and some whose sub-window was not embedded (they pay nothing)
    n = m = 400 if shape == "narrow" else 120
    x, y = _vecs(n, d=24, seed=4), _vecs(m, d=24, seed=5)
    rng = np.random.default_rng(6)
    band = band_around([(0, 0), (200, 170), (n, m)], n, m, 4) if shape == "narrow" else full_band(n, m)

    def windows(count):
        def vec():
            return normalise_rows(rng.normal(size=(1, 24)).astype(np.float32))[0]
        out = {}
        for start in sorted(rng.choice(count - 3, size=count // 3, replace=False).tolist()):
            for size in (2, 3):
                out[(start, size)] = vec()
            if start % 5:  # else the 3-window's first cut is missing: it cannot be checked
                out[(start + 1, 2)] = vec()
        out.update({(0, 2): vec(), (count - 2, 2): vec(), (count - 3, 3): vec(), (count - 3, 2): vec()})
        return out

    wins = WindowVectors(src=windows(n), tgt=windows(m))
    p = AlignParams(member_drop=0.0)
    types = p.bead_types()
    assert {(2, 1), (3, 1), (1, 2), (1, 3)} <= set(types)
    got = band_member_costs(types, wins, (x, y), (band.lo, band.hi), scale=0.4, params=p)
    for t, (a, b) in enumerate(types):
        if (a == 1) == (b == 1):
            assert t not in got
            continue
        expect = {}
        for i in range(1, n + 1):
            for j in range(int(band.lo[i]), int(band.hi[i])):
                own, window, other = (x, (i - a, a), y[j - 1]) if a > 1 else (y, (j - b, b), x[i - 1])
                if min(window) < 0 or j < b:
                    continue
                gain = member_gain(window, wins.src if a > 1 else wins.tgt, own, other[None])
                cost = 0.0 if gain is None else float(member_cost(gain, 0.4, p)[0])
                if cost:
                    expect[(i, j - int(band.lo[i]))] = cost
        assert (t in got) == bool(expect)
        rows, offs, costs = got.get(t, (np.zeros(0), np.zeros(0), np.zeros(0)))
        assert list(zip(rows.tolist(), offs.tolist())) == sorted(expect)  # each once, by row then column
        assert costs.tolist() == [expect[k] for k in sorted(expect)]  # bit for bit
    assert all(types.index(k) in got for k in [(2, 1), (3, 1), (1, 2), (1, 3)])  # every kind pays somewhere


@pytest.mark.parametrize("side", ["src", "tgt"])
@pytest.mark.parametrize("shape", ["full", "narrow"])
@pytest.mark.parametrize("block_rows", [64, 3])
def test_window_scorer_charges_exactly_the_cells_of_embedded_windows(side, shape, block_rows):
    n, m = 12, 11
    x, y = _vecs(n, seed=1), _vecs(m, seed=2)
    ls, lt = np.full(n, 40.0), np.full(m, 40.0)
    p = AlignParams(lex_weight=0.0)
    types = p.bead_types()
    # a narrow band (as around a coarse path or a paragraph alignment): rows start after column 0
    band = full_band(n, m) if shape == "full" else band_around([(0, 0), (4, 3), (8, 8), (12, 11)], n, m, 1)
    assert shape == "full" or band.lo[8] > 0
    rng = np.random.default_rng(5)
    own = x if side == "src" else y
    wins = {w: normalise_rows(rng.normal(size=(1, 16)).astype(np.float32))[0]
            for w in [(2, 2), (1, 3), (1, 2), (6, 3), (6, 2), (7, 2), (8, 2)]}
    wv = WindowVectors(src=wins) if side == "src" else WindowVectors(tgt=wins)
    plain = WindowScorer(Side(x, ls), Side(y, lt), band, p, types=types)
    checked = WindowScorer(Side(x, ls), Side(y, lt), band, p, types=types, windows=wv)
    plain.block_rows = checked.block_rows = block_rows
    scale = plain.model.sim.mu1 - plain.model.sim.mu0
    charged = 0
    for i in range(n + 1):
        S0, S1 = plain.row(i)[0], checked.row(i)[0]
        lo = int(band.lo[i])
        for t, (a, b) in enumerate(types):
            for c in range(S0.shape[1]):
                j = lo + c
                if S0[t, c] <= -1e20:
                    assert S1[t, c] == S0[t, c]
                    continue
                k, start, other = (a, i - a, y[j - 1]) if side == "src" else (b, j - b, x[i - 1])
                if (a == 1) != (b == 1) and k > 1 and (start, k) in wins:
                    expect = float(member_cost(member_gain((start, k), wins, own, other[None])[0:1], scale, p)[0])
                    assert S1[t, c] == S0[t, c] - expect  # the gain of that one cell, bit for bit (``products``)
                    charged += expect > 0
                else:
                    assert S1[t, c] == S0[t, c]
    assert charged > 0  # random window vectors lose similarity somewhere
    # the member check's second search reuses the first scorer's scores: the same cells, bit for bit
    reused = plain.with_windows(wv)
    for i in range(n + 1):
        assert np.array_equal(reused.row(i)[0], checked.row(i)[0])
    # not every block kept yet: each block of the first scorer copied, less the costs, in every pass
    unread = WindowScorer(Side(x, ls), Side(y, lt), band, p, types=types)
    unread.block_rows = block_rows
    copied = unread.with_windows(wv)
    assert not unread.complete and copied._base is unread
    for i in range(n + 1):
        assert np.array_equal(copied.row(i)[0], checked.row(i)[0])
    # taken over: every block kept, the costs subtracted in place once; the giver recomputes what it is asked again
    giver = WindowScorer(Side(x, ls), Side(y, lt), band, p, types=types)
    giver.block_rows = block_rows
    before = [giver.row(i)[0].copy() for i in range(n + 1)]  # computes and keeps every block
    assert giver.complete
    taken = giver.with_windows(wv)
    assert taken.complete and not giver.complete
    for i in range(n + 1):
        assert np.array_equal(taken.row(i)[0], checked.row(i)[0])
        assert np.array_equal(giver.row(i)[0], before[i])


def _absorbing_pair():
    """Ten sentences; the translation leaves out an added sentence B that reuses most of A's words.

    Summed vectors make ``A B`` look like A, so the search absorbs B into A's
    bead; the embedding of the text ``A B`` (given explicitly, as a model that
    reads the whole window would give it) is far from A's translation. Source
    sentences 8 and 9 are genuinely merged into target line 7.
    """
    body = _sentences(10, seed=11)
    a = body[4]
    b = " ".join(a.split()[:-2] + ["w398", "w399"])
    src = body[:5] + [b] + body[5:]
    tgt = [_tr(s) for s in body]
    tgt[7] = tgt[7] + " " + tgt[8]
    del tgt[8]
    fixed = {a + " " + b: np.eye(8, dtype=np.float32)[3]}
    return src, tgt, fixed


def test_a_left_out_sentence_absorbed_by_summed_vectors_stands_alone_after_the_check():
    src, tgt, fixed = _absorbing_pair()
    off = _pairs(align_segments(src, tgt, _FixedEncoder(fixed, dim=512, lexicon=_lexicon()),
                                params=AlignParams(member_weight=0.0)))
    assert ((4, 5), (4,)) in off  # without the check: absorbed
    enc = _FixedEncoder(fixed, dim=512, lexicon=_lexicon())
    on = _pairs(align_segments(src, tgt, enc))
    assert ((4,), (4,)) in on and ((5,), ()) in on
    assert ((8, 9), (7,)) in on  # a real merge: its embedded window is closer to the translation, so it stays
    # the segments once each, then only the windows the first pass merged (both source windows in one call)
    assert [len(c) for c in enc.calls] == [len(src), len(tgt), 2]
    assert sorted(enc.calls[2]) == sorted([src[4] + " " + src[5], src[8] + " " + src[9]])


def test_the_second_search_reuses_band_model_and_evidence_and_runs_only_when_a_chosen_bead_pays(monkeypatch):
    calls = []
    real_search = al.search

    def spy(*args, **kw):
        found = real_search(*args, **kw)
        calls.append((args, kw, found))
        return found

    monkeypatch.setattr(al, "search", spy)
    posteriors_taken = []
    real_posteriors = al.with_posteriors

    def taken(found):
        posteriors_taken.append(found)
        return real_posteriors(found)

    monkeypatch.setattr(al, "with_posteriors", taken)
    src, tgt, fixed = _absorbing_pair()
    align_segments(src, tgt, _FixedEncoder(fixed, dim=512, lexicon=_lexicon()))
    assert len(calls) == 2
    (args1, kw1, first), (args2, kw2, second) = calls
    # the first search's band, model and bead scores are reused (``first``), with the windows' member costs
    assert kw2["first"] is first and len(kw2["windows"]) > 0
    assert second.band is first.band and second.model is first.model
    assert args2[0] is args1[0] and args2[1] is args1[1] and args2[2] is args1[2]  # the same sides and params
    assert args1[0].orphans is not None and args1[0].counts is not None  # with their evidence
    assert {k: v for k, v in kw2.items() if k not in ("first", "windows")} == {
        k: v for k, v in kw1.items() if k not in ("band", "windows")}
    # the first path is replaced: its posteriors are never taken; the second search's are taken once it is known
    # to stay (no pairs out of order to take out and align the rest again without)
    assert kw1["posteriors"] is False and kw2["posteriors"] is False and posteriors_taken == [second]
    calls.clear()
    posteriors_taken.clear()
    # the same pair whose window "A B" embeds as its members' sum: nothing pays, one search, its posteriors once
    align_segments(src, tgt, _FixedEncoder({}, dim=512, lexicon=_lexicon()))
    assert len(calls) == 1 and posteriors_taken == [calls[0][2]]


def test_windows_are_centred_with_the_mean_the_segments_lost(monkeypatch):
    means = []
    real_embed = al.embed_windows

    def spy(encoder, sides):
        means.extend((list(texts), mean) for texts, _, mean, _ in sides)
        return real_embed(encoder, sides)

    monkeypatch.setattr(al, "embed_windows", spy)
    src, tgt, fixed = _absorbing_pair()
    enc = _FixedEncoder(fixed, dim=512, lexicon=_lexicon())
    align_segments(src, tgt, enc)
    assert [t for t, _ in means[:2]] == [src, tgt]
    for texts, mean in means[:2]:
        assert np.allclose(mean, normalise_rows(enc.encode(texts)).mean(axis=0))
    means.clear()
    align_segments(src, tgt, _FixedEncoder(fixed, dim=512, lexicon=_lexicon()), params=AlignParams(centre=False))
    assert all(mean is None for _, mean in means)


def test_nothing_is_embedded_beyond_the_segments_when_nothing_is_merged():
    body = _sentences(8, seed=4)
    enc = _FixedEncoder({}, dim=512, lexicon=_lexicon())
    beads = align_segments(body, [_tr(s) for s in body], enc)
    assert _pairs(beads) == [((k,), (k,)) for k in range(8)]
    assert [len(c) for c in enc.calls] == [8, 8]


def test_vectors_passed_in_are_not_checked_against_windows_of_another_model():
    src, tgt, fixed = _absorbing_pair()
    enc = _FixedEncoder(fixed, dim=512, lexicon=_lexicon())
    sv, tv = enc.encode(src), enc.encode(tgt)
    beads = align_segments(src, tgt, None, src_vecs=sv, tgt_vecs=tv)  # no encoder: windows cannot be embedded
    assert ((4, 5), (4,)) in _pairs(beads)
    calls = len(enc.calls)
    beads = align_segments(src, tgt, enc, src_vecs=sv, tgt_vecs=tv)  # the vectors may come from another model
    assert ((4, 5), (4,)) in _pairs(beads) and len(enc.calls) == calls


# A short news story, written for this test (Vietnamese and its Indonesian translation).
_VI = [
    "Sáng nay, mưa lớn kéo dài đã gây ngập nhiều tuyến phố ở trung tâm Hà Nội.",
    "Nhiều người đi xe máy phải dắt bộ qua những đoạn đường nước ngập sâu.",
    "Công ty thoát nước thành phố đã huy động hàng trăm công nhân để khơi thông cống rãnh.",
    "Theo trung tâm dự báo, mưa sẽ còn tiếp diễn trong hai ngày tới.",
    "Các trường học ở một số quận đã cho học sinh nghỉ buổi chiều.",
    "Giá rau xanh tại các chợ dân sinh tăng mạnh do nguồn cung bị gián đoạn.",
    "Chính quyền khuyến cáo người dân hạn chế ra đường khi không cần thiết.",
    "Một cây cổ thụ bị bật gốc trên phố Phan Đình Phùng nhưng không ai bị thương.",
    "Lực lượng cứu hộ đã dọn dẹp hiện trường trong vòng một giờ.",
]
_ID = [
    "Pagi ini, hujan lebat yang berkepanjangan menyebabkan banjir di banyak jalan di pusat kota Hanoi.",
    "Banyak pengendara sepeda motor terpaksa menuntun kendaraannya melewati ruas jalan yang tergenang dalam.",
    "Perusahaan drainase kota mengerahkan ratusan pekerja untuk membersihkan saluran pembuangan.",
    "Menurut pusat prakiraan cuaca, hujan akan terus berlanjut dalam dua hari ke depan.",
    "Sekolah-sekolah di beberapa distrik meliburkan siswa pada sore hari.",
    "Harga sayuran di pasar-pasar tradisional naik tajam karena pasokan terganggu.",
    "Pemerintah mengimbau warga untuk membatasi bepergian jika tidak perlu.",
    "Sebuah pohon tua tumbang di Jalan Phan Dinh Phung, tetapi tidak ada yang terluka.",
    "Tim penyelamat membersihkan lokasi dalam waktu satu jam.",
]


@pytest.mark.model
def test_the_bundled_model_leaves_a_dropped_sentence_out_instead_of_merging_it():
    """Sentence 2 (the drainage workers) is missing from the translation: summed vectors absorb it into
    sentence 1's bead; the embedded window "1 2" is further from sentence 1's translation than sentence 1 alone."""
    enc = load_encoder("e5-small")
    tgt = _ID[:2] + _ID[3:]
    off = _pairs(align_segments(_VI, tgt, enc, params=AlignParams(member_weight=0.0)))
    assert ((1, 2), (1,)) in off or ((2, 3), (2,)) in off
    on = _pairs(align_segments(_VI, tgt, enc))
    assert ((2,), ()) in on
    assert on == [((k,), (k,)) for k in range(2)] + [((2,), ())] + [((k,), (k - 1,)) for k in range(3, 9)]


def test_window_members_are_joined_by_a_space_except_between_cjk_characters():
    assert join_window(["Chợ rất đông.", "Mưa to."]) == "Chợ rất đông. Mưa to."
    assert join_window(["今天下雨。", "市场很挤。"]) == "今天下雨。市场很挤。"  # no space a Chinese text never has
    assert join_window(["今日は雨です。 ", " 市場は混んでいる。"]) == "今日は雨です。市場は混んでいる。"
    assert join_window(["ฝนตกหนัก", "ตลาดคนเยอะ"]) == "ฝนตกหนัก ตลาดคนเยอะ"  # Thai separates sentences by a space
    assert join_window(["비가 온다", "시장이 붐빈다"]) == "비가 온다 시장이 붐빈다"  # so does Korean
    assert join_window(["He said 你好。", "Then left."]) == "He said 你好。 Then left."
    assert join_window(["one"]) == "one"
    assert join_window(["a ", "b"]) == "a  b"  # as " ".join otherwise: the same texts, the same cache keys
