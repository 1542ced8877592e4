"""Pairs out of document order (align.core.reorder): a sentence or caption the translation moved."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from documents import make_doc
from test_aligner import _FixedEncoder, _pairs, _tr
from test_aligner import _lexicon as _numbered_lexicon
from test_aligner import _sentences as _numbered_sentences
from test_members import _ID, _VI, _absorbing_pair

from align.common.errors import UsageError
from align.common.model import Bead
from align.core import AlignParams, align_documents, align_segments
from align.core.aligner import _span, _with_blanks, _with_moved
from align.core.lexical import candidate_tokens
from align.core.paragraphs import para_beads_from
from align.core.reorder import crossing_pairs, on_names_alone
from align.core.scores import SimStats
from align.core.side import Segments
from align.embedding import load_encoder
from align.embedding.hashing import HashEncoder
from align.formats.tmx import read_tmx, write_tmx
from align.quality.flags import flag_beads
from align.quality.invariants import check_alignment


def _lettered(text: str) -> str:
    """``w123`` as ``wbcd``: the test words without digits, which the lexical evidence would read as shared numbers.

    Sentences of numbers share numbers and little else with their translations:
    ``on_names_alone`` would rightly refuse to pair them by embedding alone.
    """
    return re.sub(r"\d", lambda m: chr(ord("a") + int(m.group())), text)


def _lexicon() -> dict[str, str]:
    return {_lettered(w): _lettered(v) for w, v in _numbered_lexicon().items()}


def _sentences(n: int, seed: int = 0) -> list[str]:
    return [_lettered(t) for t in _numbered_sentences(n, seed=seed)]


def _encoder() -> HashEncoder:
    return HashEncoder(dim=512, lexicon=_lexicon())


SIM = SimStats(mu0=0.0, sd0=0.1, mu1=1.0)  # normalised similarity = cosine
KW = {"window": 12, "min_sim": 0.8, "margin": 0.5}


def _side(paras, texts=None):
    """A document side with these paragraph ids (texts only matter for the lengths)."""
    texts = texts or ["x"] * len(paras)
    return Segments.build(texts, np.ones((len(texts), 2), dtype=np.float32), AlignParams(), paras=paras)


def _unit(v):
    return np.asarray(v, dtype=np.float32) / np.linalg.norm(v)


def _basis(dim: int = 16) -> np.ndarray:
    return np.eye(dim, dtype=np.float32)


def _spans(beads):
    out, i, j = [], 0, 0
    for a, b in beads:
        out.append((range(i, i + a), range(j, j + b)))
        i, j = i + a, j + b
    return out


def _moved_two():
    """Six sentences; the translation moved sentence 2 two places later (target order 0 1 3 4 2 5)."""
    e = _basis()
    x = e[:6]
    y = e[[0, 1, 3, 4, 2, 5]]
    return x, y


def test_a_sentence_left_out_on_both_sides_is_paired():
    x, y = _moved_two()
    path = [(1, 1), (1, 1), (1, 0), (1, 1), (1, 1), (0, 1), (1, 1)]  # 2 left out, target 4 added
    assert crossing_pairs(_spans(path), x, y, SIM, **KW) == [(2, 4, 1.0)]


def test_a_sentence_absorbed_into_merges_is_paired_and_scored_by_its_margin():
    x, y = _moved_two()
    x = x.copy()
    x[2] = _unit(x[2] + 0.2 * x[3])  # a little like its neighbour 3, the source of target 2 it was merged with
    path = [(1, 1), (1, 1), (2, 1), (1, 2), (1, 1)]  # [2,3]:[2], [4]:[3,4], [5]:[5]
    pairs = crossing_pairs(_spans(path), x, y, SIM, **KW)
    assert [(i, j) for i, j, _ in pairs] == [(2, 4)]
    cos = float(x[2] @ y[4])
    fit = float(x[2] @ y[2])  # the merge's target side is target 2 alone
    assert pairs[0][2] == pytest.approx(min(1.0, cos - fit), abs=1e-4)


def test_segments_the_path_trusted_are_not_moved():
    """A wrong 1-1 bead is not a suspect: only null beads and the many side of merges are looked at."""
    x, y = _moved_two()
    path = [(1, 1)] * 6
    assert crossing_pairs(_spans(path), x, y, SIM, **KW) == []


def test_the_match_must_be_mutual_over_every_segment_nearby():
    x, y = _moved_two()
    x = x.copy()
    x[2] = _unit(0.9 * x[2] + 0.436 * _basis()[9])
    x[5] = _unit(x[2] * 0.0 + _basis()[2] + 0.05 * _basis()[5])  # source 5 is closer to target 4 than source 2 is
    path = [(1, 1), (1, 1), (1, 0), (1, 1), (1, 1), (0, 1), (1, 1)]
    assert crossing_pairs(_spans(path), x, y, SIM, **KW) == []


def test_the_pair_must_be_as_similar_as_a_translation():
    x, y = _moved_two()
    x = x.copy()
    x[2] = _unit(0.7 * x[2] + 0.714 * _basis()[9])  # cosine 0.7 with target 4
    path = [(1, 1), (1, 1), (1, 0), (1, 1), (1, 1), (0, 1), (1, 1)]
    assert crossing_pairs(_spans(path), x, y, SIM, **KW) == []
    assert [(i, j) for i, j, _ in crossing_pairs(_spans(path), x, y, SIM, **{**KW, "min_sim": 0.6})] == [(2, 4)]


def test_the_pair_must_fit_clearly_better_than_the_bead_it_leaves():
    x, y = _moved_two()
    x = x.copy()
    x[2] = _unit(x[2] + 0.9 * x[3])  # nearly as close to target 2 (its merge) as to target 4
    path = [(1, 1), (1, 1), (2, 1), (1, 2), (1, 1)]
    gap = float(x[2] @ y[4] - x[2] @ y[2])
    assert 0 < gap < 0.5
    assert crossing_pairs(_spans(path), x, y, SIM, **{**KW, "min_sim": 0.5}) == []
    assert len(crossing_pairs(_spans(path), x, y, SIM, **{**KW, "min_sim": 0.5, "margin": gap - 1e-3})) == 1


def test_only_within_the_window_and_off_at_zero():
    e = _basis(40)
    x = e[:30]
    order = list(range(30))
    order.remove(3)
    order.insert(20, 3)  # moved 17 places
    y = e[order]
    path = [(1, 1)] * 3 + [(1, 0)] + [(1, 1)] * 17 + [(0, 1)] + [(1, 1)] * 9  # target 19 is source 20's
    spans = _spans(path)
    assert crossing_pairs(spans, x, y, SIM, **KW) == []
    assert crossing_pairs(spans, x, y, SIM, **{**KW, "window": 20}) == [(3, 20, 1.0)]
    assert crossing_pairs(spans, x, y, SIM, **{**KW, "window": 0}) == []


def _names_alone(src, tgt, own=20):
    pairs = [(k, k, 0.9) for k in range(len(src))]
    tokens = ([candidate_tokens(t) for t in src], [candidate_tokens(t) for t in tgt])
    return on_names_alone(pairs, (src, tgt), tokens, own=own)


def test_a_pair_sharing_names_and_saying_little_else_is_set_apart():
    src = ["(Ảnh: Thu Trang/TTXVN)", "Ảnh: Thu Trang",
           "Bà Thu Trang cho biết công ty sẽ mở thêm ba nhà máy", "Mưa to kéo dài suốt đêm qua"]
    tgt = ["Oleh Thu Trang, 6/12/2025", "Foto: Thu Trang",
           "Thu Trang mengatakan perusahaan akan membuka tiga pabrik lagi", "Hujan"]
    kept, apart = _names_alone(src, tgt)
    # a credit and a byline, two credits: their similarity is their name's; a sentence naming her says more
    assert [i for i, _, _ in apart] == [0, 1]
    # a short line sharing nothing owes its similarity to no name: not judged here
    assert [i for i, _, _ in kept] == [2, 3]
    assert _names_alone(src, tgt, own=0) == ([(k, k, 0.9) for k in range(4)], [])


def test_a_shared_number_counts_as_a_name():
    kept, apart = _names_alone(["Năm 2019"], ["Tahun 2019"])
    assert (kept, [i for i, _, _ in apart]) == ([], [0])


def test_params_reject_negative_reorder_settings():
    with pytest.raises(UsageError, match="reorder_window"):
        AlignParams(reorder_window=-1)
    with pytest.raises(UsageError, match="reorder_margin"):
        AlignParams(reorder_margin=-0.1)
    with pytest.raises(UsageError, match="reorder_own"):
        AlignParams(reorder_own=-1)


# --- in the aligner -----------------------------------------------------------------------


def _moved_story(n: int = 14, frm: int = 9, to: int = 3, seed: int = 5):
    src = _sentences(n, seed=seed)
    order = list(range(n))
    order.remove(frm)
    order.insert(to, frm)
    return src, [_tr(src[k]) for k in order], order


def _cover_ok(beads, n, m):
    for side, size in (("src", n), ("tgt", m)):
        idx = [k for b in beads for k in getattr(b, side)]
        assert sorted(idx) == list(range(size))
        inorder = [k for b in beads if not b.moved for k in getattr(b, side)]
        assert inorder == sorted(inorder)


def test_the_aligner_pairs_a_moved_sentence_and_aligns_the_rest_one_to_one():
    src, tgt, order = _moved_story()
    beads = align_segments(src, tgt, _encoder())
    _cover_ok(beads, len(src), len(tgt))
    want = {((k,), (order.index(k),)) for k in range(len(src))}
    assert set(_pairs(beads)) == want
    moved = [b for b in beads if b.moved]
    assert _pairs(moved) == [((9,), (3,))]
    assert 0.5 <= moved[0].score <= 1.0
    # placed before the first bead holding a later source segment
    k = beads.index(moved[0])
    assert beads[k - 1].src == (8,) and beads[k + 1].src == (10,)
    off = align_segments(src, tgt, _encoder(), params=AlignParams(reorder_window=0))
    assert not any(b.moved for b in off)
    assert ((9,), (3,)) not in _pairs(off)
    assert ((9,), ()) in _pairs(off) and ((), (3,)) in _pairs(off)  # the monotone path leaves both out


def test_lines_matched_on_a_shared_name_alone_are_left_unaligned_where_they_stand():
    """A photo credit and a byline of one person, moved apart: each other's nearest line, but no translation.

    Both get the same vector (as a short line's embedding is mostly its name):
    with ``reorder_own`` off they become a moved pair; with it, each is a
    one-sided bead in reading order, and the rest is aligned one to one as if
    they were not there.
    """
    src, tgt, order = _moved_story()
    src[9], tgt[3] = "Ảnh: Thu Trang", "Oleh Thu Trang, 6/12/2025"
    enc = _FixedEncoder({src[9]: np.ones(4), tgt[3]: np.ones(4)}, dim=512, lexicon=_lexicon())
    paired = align_segments(src, tgt, enc, params=AlignParams(reorder_own=0))
    assert _pairs([b for b in paired if b.moved]) == [((9,), (3,))]
    beads = align_segments(src, tgt, enc)
    _cover_ok(beads, len(src), len(tgt))
    assert not any(b.moved for b in beads)
    want = {((k,), (order.index(k),)) for k in range(len(src)) if k != 9} | {((9,), ()), ((), (3,))}
    assert set(_pairs(beads)) == want
    lone = [b for b in beads if not (b.src and b.tgt)]
    assert [b.score for b in lone] == [0.5, 0.5]  # no search weighed them: unsure, for a reviewer to look at


def test_a_line_set_apart_inside_a_merge_of_the_rest_joins_that_merge():
    """Sources 8 and 10 are one target line: the rest merges them across source 9 (set apart), which goes in with them.

    Left one-sided, its bead would read after (8, 10): out of document order (found by a reviewer).
    """
    src, tgt, order = _moved_story()
    src[9] = "Ảnh: Thu Trang"
    tgt = [_tr(src[k]) for k in order]
    tgt[3] = "Oleh Thu Trang, 6/12/2025"
    i8, i10 = tgt.index(_tr(src[8])), tgt.index(_tr(src[10]))
    tgt[i8] = tgt[i8] + " " + tgt[i10]
    del tgt[i10]
    enc = _FixedEncoder({src[9]: np.ones(4), tgt[3]: np.ones(4)}, dim=512, lexicon=_lexicon())
    beads = align_segments(src, tgt, enc)
    _cover_ok(beads, len(src), len(tgt))
    assert ((8, 9, 10), (i8,)) in _pairs(beads) and ((), (3,)) in _pairs(beads)
    al = align_documents(make_doc("s.txt", "vi", [src]), make_doc("t.txt", "id", [tgt]), enc)
    check_alignment(al)  # what the pipeline checks before it writes anything
    assert ((8, 9, 10), (i8,)) in _pairs(al.beads)


def test_two_lines_that_read_the_same_are_paired_however_short():
    kept, apart = _names_alone(["NATO", "2019", "Ảnh: Thu Trang"], ["nato", "2019", "Foto: Thu Trang"])
    assert [i for i, _, _ in kept] == [0, 1] and [i for i, _, _ in apart] == [2]


def test_a_pair_the_path_could_have_made_in_order_is_an_ordinary_bead():
    b = [Bead((0,), (0,), 1.0), Bead((1,), (), 0.9), Bead((3,), (2,), 1.0)]
    out = _with_moved(b, [Bead((2,), (1,), 0.8, moved=True)])
    assert [(x.src, x.tgt, x.moved) for x in out] == [
        ((0,), (0,), False), ((1,), (), False), ((2,), (1,), False), ((3,), (2,), False)
    ]
    crossing = _with_moved(b[:1] + [Bead((1,), (1,), 0.9), Bead((3,), (3,), 1.0)], [Bead((2,), (2,), 0.8, moved=True)])
    assert [x.moved for x in crossing] == [False, False, False, False]
    swapped = _with_moved([Bead((0,), (0,), 1.0), Bead((3,), (3,), 1.0)],
                          [Bead((1,), (2,), 0.8, moved=True), Bead((2,), (1,), 0.8, moved=True)])
    assert [(x.src, x.moved) for x in swapped] == [((0,), False), ((1,), False), ((2,), True), ((3,), False)]


def test_moved_pairs_keep_blank_lines_in_place():
    src, tgt, _ = _moved_story()
    src_b = src[:5] + ["  "] + src[5:]
    tgt_b = tgt[:6] + [""] + tgt[6:]
    beads = align_segments(src_b, tgt_b, _encoder())
    _cover_ok(beads, len(src_b), len(tgt_b))
    moved = [b for b in beads if b.moved]
    assert _pairs(moved) == [((10,), (3,))]
    assert ((5,), ()) in _pairs(beads) and ((), (6,)) in _pairs(beads)


def test_paragraph_beads_are_cut_only_where_everything_before_is_seen():
    beads = [Bead((0,), (0,), 1.0), Bead((1,), (2,), 1.0, moved=True), Bead((2,), (1,), 1.0), Bead((3,), (3,), 1.0)]
    paras_s, paras_t = [0, 1, 1, 2], [0, 1, 1, 2]
    out = para_beads_from(beads, _side(paras_s), _side(paras_t))
    assert [(b.src, b.tgt) for b in out] == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
    late = [Bead((0,), (1,), 1.0, moved=True), Bead((1,), (0,), 1.0, moved=True), Bead((2,), (2,), 1.0),
            Bead((3,), (3,), 1.0)]
    out = para_beads_from(late, _side([0, 1, 2, 3]), _side([0, 1, 2, 3]))
    assert [(b.src, b.tgt) for b in out] == [((0, 1), (0, 1)), ((2,), (2,)), ((3,), (3,))]


def test_paragraph_bead_scores_are_weighted_by_characters_and_need_ids_on_both_sides():
    beads = [Bead((0,), (0,), 1.0), Bead((1,), (1,), 0.5)]
    src, tgt = _side([0, 0], ["a" * 30, "b" * 10]), _side([0, 0], ["c" * 30, "d" * 30])
    assert para_beads_from(beads, src, tgt) == [Bead((0,), (0,), round((60 * 1.0 + 40 * 0.5) / 100, 4))]
    no_ids = Segments.build(["a", "b"], np.ones((2, 2), dtype=np.float32), AlignParams())
    assert para_beads_from(beads, src, no_ids) == []


def test_documents_with_a_moved_sentence_pass_the_invariants_and_reach_the_tmx(tmp_path):
    src, tgt, _ = _moved_story()
    s = make_doc("s.txt", "vi", [src[:7], src[7:]])
    t = make_doc("t.txt", "id", [tgt[:7], tgt[7:]])
    al = align_documents(s, t, _encoder())
    check_alignment(al)
    moved = [b for b in al.beads if b.moved]
    assert _pairs(moved) == [((9,), (3,))]
    covered = sorted(k for b in al.para_beads for k in b.src), sorted(k for b in al.para_beads for k in b.tgt)
    assert covered == ([0, 1], [0, 1])  # each paragraph in one paragraph bead
    flagged = flag_beads(al)
    assert "reordered" in next(b for b in flagged.beads if b.moved).flags
    assert all("reordered" not in b.flags for b in flagged.beads if not b.moved)
    path = tmp_path / "out.tmx"
    write_tmx(flagged, str(path))
    units = read_tmx(str(path)).tus
    assert (src[9], tgt[3]) in {(u.src, u.tgt) for u in units}
    assert len(units) == len(src)


def test_the_rest_is_aligned_from_the_same_vectors_without_new_segment_embeddings():
    src, tgt, _ = _moved_story()
    enc = _encoder()
    before = len(enc.calls)
    align_segments(src, tgt, enc)
    texts = [t for call in enc.calls[before:] for t in call]
    assert sorted(t for t in texts if t in src) == sorted(src)  # each segment embedded once
    assert sorted(t for t in texts if t in tgt) == sorted(tgt)


def test_deterministic():
    src, tgt, _ = _moved_story(seed=8)
    a = align_segments(src, tgt, _encoder())
    b = align_segments(src, tgt, _encoder())
    assert [dataclasses.astuple(x) for x in a] == [dataclasses.astuple(x) for x in b]


def test_a_merge_across_a_blank_line_keeps_the_blank_but_not_a_moved_segment():
    assert _span([2, 5], {3}) == (2, 3, 5)  # 4 was moved out: not part of this bead
    assert _span([2, 3], set()) == (2, 3)
    assert _span([4], {3, 5}) == (4,)
    assert _span([], {1}) == ()


@pytest.mark.model
@pytest.mark.parametrize(("frm", "to"), [(7, 2), (6, 3)])
def test_the_bundled_model_pairs_a_sentence_the_translation_moved(frm, to):
    """The Vietnamese/Indonesian story of test_members with one Indonesian sentence moved: the pair is kept,
    as a moved bead, and every other sentence is aligned one to one."""
    order = list(range(len(_ID)))
    order.remove(frm)
    order.insert(to, frm)
    tgt = [_ID[k] for k in order]
    beads = align_segments(_VI, tgt, load_encoder("e5-small"))
    assert set(_pairs(beads)) == {((k,), (order.index(k),)) for k in range(len(_VI))}
    assert _pairs([b for b in beads if b.moved]) == [((frm,), (to,))]


def test_a_pair_inside_a_re_aligned_bead_on_the_source_side_stays_moved():
    """Target side in order is not enough: the bead (0, 2) holds source segments on both sides of the pair's."""
    out = _with_moved([Bead((0, 2), (0,), 0.9), Bead((3,), (2,), 1.0)], [Bead((1,), (1,), 0.8, moved=True)])
    assert [(b.src, b.tgt, b.moved) for b in out] == [
        ((0, 2), (0,), False), ((1,), (1,), True), ((3,), (2,), False)
    ]
    _cover_ok(out, 4, 3)


def test_a_blank_line_before_a_moved_pair_stays_before_it():
    beads = [Bead((0,), (0,), 1.0), Bead((1,), (1,), 1.0), Bead((3,), (4,), 1.0, moved=True),
             Bead((4,), (2,), 1.0), Bead((5,), (3,), 1.0)]
    out = _with_blanks(beads, [2], [])
    assert [(b.src, b.tgt) for b in out] == [
        ((0,), (0,)), ((1,), (1,)), ((2,), ()), ((3,), (4,)), ((4,), (2,)), ((5,), (3,))
    ]


def test_paragraph_beads_list_their_paragraphs_in_document_order(tmp_path):
    """A moved pair first in its paragraph group must not put paragraph 1 before paragraph 0 in the TMX."""
    src = _sentences(14, seed=5)
    order = list(range(14))
    order.remove(0)
    order.insert(9, 0)  # the first source sentence moved into the second target paragraph
    tgt = [_tr(src[k]) for k in order]
    al = align_documents(make_doc("s.txt", "vi", [src[:7], src[7:]]), make_doc("t.txt", "id", [tgt[:7], tgt[7:]]),
                         _encoder())
    check_alignment(al)
    assert _pairs([b for b in al.beads if b.moved]) == [((0,), (9,))]
    assert all(list(b.src) == sorted(b.src) and list(b.tgt) == sorted(b.tgt) for b in al.para_beads)
    path = tmp_path / "p.tmx"
    write_tmx(al, str(path), level="paragraph")
    units = read_tmx(str(path)).tus
    assert units[0].tgt.startswith(tgt[0])


def test_two_dropped_sentences_around_a_kept_one_pass_the_invariants():
    src = _sentences(4, seed=10_520)
    tgt = [_tr(src[0]), _tr(src[2])]
    _cover_ok(align_segments(src, tgt, _encoder()), 4, 2)
    al = align_documents(make_doc("s.txt", "vi", [src[:2], src[2:]]), make_doc("t.txt", "id", [tgt[:1], tgt[1:]]),
                         _encoder())
    check_alignment(al)


def test_a_pair_score_is_capped_at_one():
    e = np.eye(16, dtype=np.float32)
    x, y = e[:6], e[[0, 1, 3, 4, 2, 5]]
    path = [(1, 1), (1, 1), (1, 0), (1, 1), (1, 1), (0, 1), (1, 1)]
    strong = SimStats(mu0=0.0, sd0=0.1, mu1=0.5)  # the pair is twice as similar as a typical translation
    assert crossing_pairs(_spans(path), x, y, strong, **KW) == [(2, 4, 1.0)]


def test_two_segments_of_one_bead_are_not_paired_out_of_it():
    e = np.eye(16, dtype=np.float32)
    x, y = e[:4], e[[0, 2, 1, 3]]
    path = [(1, 1), (2, 2), (1, 1)]  # [1, 2]:[1, 2] already holds both translations, crossed
    assert crossing_pairs(_spans(path), x, y, SIM, **{**KW, "margin": 0.2}) == []


def test_the_window_counts_from_where_the_merge_starts():
    e = np.eye(40, dtype=np.float32)
    order = list(range(30))
    order.remove(20)
    order.insert(8, 20)  # source 20 moved 12 places earlier, to target 8
    x, y = e[:30], e[order]
    path = [(1, 1)] * 8 + [(0, 1)] + [(1, 1)] * 11 + [(2, 1)] + [(1, 1)] * 9  # [19, 20]:[20], target 8 left out
    assert crossing_pairs(_spans(path), x, y, SIM, **KW) == [(20, 8, 1.0)]  # exactly the window away


def test_a_blank_line_after_a_sentence_moved_later_stays_in_target_order():
    src, tgt, _ = _moved_story(frm=3, to=9)
    tgt_b = tgt[:6] + [""] + tgt[6:]
    beads = align_segments(src, tgt_b, _encoder())
    _cover_ok(beads, len(src), len(tgt_b))
    assert [(b.src, b.tgt) for b in beads if b.moved] == [((3,), (10,))]


def _without(seq, drop):
    return [s for k, s in enumerate(seq) if k not in drop]


def test_the_rest_is_aligned_as_if_the_pairs_were_never_there():
    """The beads not moved are the alignment of the remaining segments alone (paragraphs, counts, scores), mapped
    back to the full indices: the rest is searched in the first paragraph band less the pairs (not a paragraph pass
    of its own), a band that holds this alignment here."""
    src, tgt, _ = _moved_story(n=16, frm=11, to=2, seed=3)
    src = [s + "." for s in src]
    src[5] = src[5] + " " + src[6]  # a two-sentence line: the counts matter
    del src[6]
    tgt = [t + "." for t in tgt]
    tgt[8] = tgt[8] + " " + tgt[9]  # a merge and a drop, so that paragraphs and counts change the scores
    del tgt[9]
    del tgt[13]
    sp = [k // 4 for k in range(len(src))]
    tp = [k // 4 for k in range(len(tgt))]
    beads = align_segments(src, tgt, _encoder(), src_paras=sp, tgt_paras=tp)
    moved = [b for b in beads if b.moved]
    assert len(moved) == 1
    ds, dt = {moved[0].src[0]}, {moved[0].tgt[0]}
    ks = [k for k in range(len(src)) if k not in ds]
    kt = [k for k in range(len(tgt)) if k not in dt]
    alone = align_segments(_without(src, ds), _without(tgt, dt), _encoder(),
                           src_paras=_without(sp, ds), tgt_paras=_without(tp, dt))
    want = [(tuple(ks[k] for k in b.src), tuple(kt[k] for k in b.tgt), b.score) for b in alone]
    assert [(b.src, b.tgt, b.score) for b in beads if not b.moved] == want


def test_the_rest_gets_the_member_check_too():
    """A left-out sentence that summed vectors absorb (test_members._absorbing_pair) stays out after a move."""
    src, tgt, fixed = _absorbing_pair()
    src, tgt = [_lettered(t) for t in src], [_lettered(t) for t in tgt]
    fixed = {_lettered(t): v for t, v in fixed.items()}
    tgt.insert(1, tgt.pop(8))  # the last target line (source 10) moved to second place
    beads = align_segments(src, tgt, _FixedEncoder(fixed, dim=512, lexicon=_lexicon()))
    pairs = [(x.src, x.tgt) for x in beads]
    assert [(x.src, x.tgt) for x in beads if x.moved] == [((10,), (1,))]
    assert ((4,), (5,)) in pairs and ((5,), ()) in pairs


def test_paragraph_cuts_wait_for_a_source_hole_inside_a_bead():
    """(1, 3):(1,) leaves source 2 (a moved pair's) unseen: no cut before it, whatever the target side says."""
    beads = [Bead((0,), (0,), 1.0), Bead((1, 3), (1,), 1.0), Bead((2,), (3,), 1.0, moved=True), Bead((4,), (2,), 1.0)]
    out = para_beads_from(beads, _side([0, 0, 0, 1, 1]), _side([0, 0, 1, 1]))
    for side in ("src", "tgt"):
        ids = [p for b in out for p in getattr(b, side)]
        assert sorted(ids) == [0, 1] and len(ids) == len(set(ids))


def test_mutual_means_no_source_near_the_target_fits_it_better():
    e = np.eye(40, dtype=np.float32)
    order = list(range(30))
    order.remove(3)
    order.insert(20, 3)
    x, y = e[:30].copy(), e[order]
    x[3] = (e[3] + 0.3 * e[35]) / np.linalg.norm(e[3] + 0.3 * e[35])
    x[27] = (e[3] + 0.1 * e[27]) / np.linalg.norm(e[3] + 0.1 * e[27])  # near target 20, closer to it than source 3
    path = [(1, 1)] * 3 + [(1, 0)] + [(1, 1)] * 17 + [(0, 1)] + [(1, 1)] * 9
    assert crossing_pairs(_spans(path), x, y, SIM, **{**KW, "window": 20}) == []
    x[27] = e[27]
    assert [(i, j) for i, j, _ in crossing_pairs(_spans(path), x, y, SIM, **{**KW, "window": 20})] == [(3, 20)]


def test_the_first_rounds_vectors_are_let_go_before_the_rest_is_aligned(monkeypatch):
    """Memory at scale: while the rest is aligned, nothing holds the first round's vectors (200 MB at 50k a side)."""
    import gc
    import weakref

    from align.core import aligner

    src, tgt, _ = _moved_story(n=16, frm=11, to=2, seed=3)
    seen = []
    real = aligner._align_vectors

    def spy(s, t, *args, **kwargs):
        if seen:  # the second round: the first round's prepared vectors must be gone
            gc.collect()
            assert [ref() is None for ref in seen] == [True, True]
        else:
            seen.extend([weakref.ref(s.vecs), weakref.ref(t.vecs)])
        return real(s, t, *args, **kwargs)

    monkeypatch.setattr(aligner, "_align_vectors", spy)
    beads = align_segments(src, tgt, _encoder())
    assert len(seen) == 2 and any(b.moved for b in beads)
    side = Segments.build(src, _encoder().encode(src), AlignParams(), paras=[k // 4 for k in range(len(src))])
    light = side.without_vectors()
    assert len(light) == len(side) and light.runs == side.runs and light.vecs.shape == (len(src), 0)
    assert np.array_equal(light.lengths, side.lengths) and light.texts == side.texts


def test_a_long_documents_coarse_passes_run_once_and_the_rest_is_searched_in_the_first_band(monkeypatch):
    """Beyond ``max_cells`` the band comes from the coarse passes: the reorder round maps it instead of coarsening again."""
    from align.core import aligner, find

    src, tgt, _ = _moved_story(n=40, frm=30, to=24, seed=3)
    coarse, bands = [], []
    real_coarse, real_align = find._coarse_band, aligner._align_vectors

    def count(*a, **k):
        coarse.append(1)
        return real_coarse(*a, **k)

    def spy(s, t, *args, band=None, **kwargs):
        before = len(coarse)
        out = real_align(s, t, *args, band=band, **kwargs)
        bands.append((band, out.band, len(coarse) - before))
        return out

    monkeypatch.setattr(find, "_coarse_band", count)
    monkeypatch.setattr(aligner, "_align_vectors", spy)
    params = AlignParams(max_cells=400)  # 41 x 41 cells: coarse-to-fine
    beads = align_segments(src, tgt, _encoder(), params=params)
    assert [(b.src, b.tgt) for b in beads if b.moved] == [((30,), (24,))]
    (given1, used1, coarse1), (given2, used2, coarse2) = bands
    assert given1 is None and used1.cells < 41 * 41 and coarse1 > 0  # the first round coarsened for its band
    assert given2 is not None and given2.n == 39 and given2.cells < used1.cells  # the second searched it, less the pair
    assert np.array_equal(used2.lo, given2.lo) and np.array_equal(used2.hi, given2.hi) and coarse2 == 0


def test_the_paragraph_pass_runs_once_and_the_rest_is_searched_in_its_band_less_the_pairs(monkeypatch):
    """The reorder round does not align the paragraphs again: it gets the first band, mapped onto the kept segments."""
    from align.core import aligner

    src, tgt, _ = _moved_story(n=16, frm=11, to=2, seed=3)
    sp = [k // 4 for k in range(len(src))]
    tp = [k // 4 for k in range(len(tgt))]
    passes, bands = [], []
    real_band, real_align = aligner.paragraph_band, aligner._align_vectors
    monkeypatch.setattr(aligner, "paragraph_band", lambda *a, **k: passes.append(1) or real_band(*a, **k))

    def spy(s, t, *args, band=None, **kwargs):
        bands.append((len(s), band))
        return real_align(s, t, *args, band=band, **kwargs)

    monkeypatch.setattr(aligner, "_align_vectors", spy)
    beads = align_segments(src, tgt, _encoder(), src_paras=sp, tgt_paras=tp)
    assert any(b.moved for b in beads) and passes == [1] and len(bands) == 2
    (n1, first), (n2, second) = bands
    assert first is not None and second is not None and n2 == n1 - 1
    assert second.n == n2 and second.cells < first.cells


def test_the_first_rounds_posteriors_are_taken_only_where_its_path_stays(monkeypatch):
    """With a pair out of order the rest is aligned again and the first path's beads go: no forward and backward
    pass is spent on their posteriors. Without one, the first path stays and its posteriors are taken once."""
    from align.core import find

    passes = []
    real = find.backward

    def counting(*args, **kwargs):
        passes.append(len(args[0].lo))
        return real(*args, **kwargs)

    monkeypatch.setattr(find, "backward", counting)
    src, tgt, order = _moved_story()
    beads = align_segments(src, tgt, _encoder())
    assert any(b.moved for b in beads)
    assert passes == [len(src)]  # one backward pass: the second round's (the rest, less the moved pair) only
    passes.clear()
    in_order = align_segments(src, [tgt[order.index(k)] for k in range(len(src))], _encoder())
    assert not any(b.moved for b in in_order)
    assert passes == [len(src) + 1]  # the first path stays: its posteriors, once
    assert [b.score for b in in_order] == [b.score for b in align_segments(
        src, [tgt[order.index(k)] for k in range(len(src))], _encoder(), params=AlignParams(reorder_window=0))]
