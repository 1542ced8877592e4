"""The alignment search on hand-made cases, with the fake HashEncoder (no model).

HashEncoder embeds a text as a hashed bag of its (diacritic-folded) words after
mapping them through a lexicon, so a "translation" below is the same sentence
with every word mapped: the two get the same vector, as a good multilingual
model would give, and unrelated sentences share few words.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import tracemalloc

import numpy as np
import pytest
from documents import make_doc

import align.core.aligner as aligner
import align.core.find as find
import align.core.paragraphs as paragraphs
from align.common.errors import UsageError
from align.common.model import Alignment, Document
from align.core import AlignParams, align_documents, align_segments, prepare_vectors, score_matrix, signature
from align.core.find import search
from align.core.lexical import find_anchors, orphans
from align.core.scores import WindowScorer, refine_model
from align.core.search import (
    backward,
    band_around,
    bead_posteriors,
    full_band,
    path_to_spans,
    viterbi,
)
from align.core.side import Side, lengths
from align.core.vectors import centre, normalise_rows
from align.embedding import HashEncoder

VOCAB = 400


def _lexicon() -> dict[str, str]:
    return {f"w{k}": f"v{k}" for k in range(VOCAB)}


def _sentences(n: int, seed: int = 0, lo: int = 6, hi: int = 14) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(f"w{rng.randrange(VOCAB)}" for _ in range(rng.randint(lo, hi))) for _ in range(n)]


def _tr(s: str) -> str:
    """The "translation": every word mapped through the lexicon."""
    return " ".join("v" + w[1:] if w.startswith("w") else w for w in s.split())


def _encoder() -> HashEncoder:
    return HashEncoder(dim=512, lexicon=_lexicon())


def _pairs(beads) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(b.src, b.tgt) for b in beads]


def _check_cover(beads, n: int, m: int) -> None:
    """Beads in order, every index exactly once, scores in [0, 1]."""
    src = [i for b in beads for i in b.src]
    tgt = [j for b in beads for j in b.tgt]
    assert src == list(range(n))
    assert tgt == list(range(m))
    assert all(0.0 <= b.score <= 1.0 for b in beads)
    assert all(b.src or b.tgt for b in beads)


def test_one_to_one():
    src = _sentences(12)
    tgt = [_tr(s) for s in src]
    beads = align_segments(src, tgt, _encoder())
    _check_cover(beads, 12, 12)
    assert _pairs(beads) == [((k,), (k,)) for k in range(12)]
    assert min(b.score for b in beads) > 0.9


def test_two_to_one_merge_beats_one_to_one_plus_insertion():
    src = _sentences(10, seed=1)
    tgt = [_tr(s) for s in src[:4]] + [_tr(src[4]) + " " + _tr(src[5])] + [_tr(s) for s in src[6:]]
    beads = align_segments(src, tgt, _encoder())
    _check_cover(beads, 10, 9)
    assert ((4, 5), (4,)) in _pairs(beads)
    assert ((3,), (3,)) in _pairs(beads) and ((6,), (5,)) in _pairs(beads)


def test_one_to_two_split():
    src = _sentences(10, seed=2)
    words = _tr(src[3]).split()
    half = len(words) // 2
    tgt = [_tr(s) for s in src[:3]] + [" ".join(words[:half]), " ".join(words[half:])] + [_tr(s) for s in src[4:]]
    beads = align_segments(src, tgt, _encoder())
    _check_cover(beads, 10, 11)
    assert ((3,), (3, 4)) in _pairs(beads)


def test_deletion_is_found_without_shredding_neighbours():
    src = _sentences(12, seed=3)
    tgt = [_tr(s) for k, s in enumerate(src) if k != 6]
    beads = align_segments(src, tgt, _encoder())
    _check_cover(beads, 12, 11)
    pairs = _pairs(beads)
    assert ((6,), ()) in pairs
    assert sum(1 for s, t in pairs if s and t) == 11  # every other sentence stays 1-1


def _drop_next_to_a_merge(seed: int = 3) -> tuple[list[str], list[str]]:
    """Source 3 is left out, 4 and 5 are merged; 3 repeats half the words of 4 (a related sentence)."""
    src = _sentences(12, seed=seed)
    w3, w4 = src[3].split(), src[4].split()
    k = len(w3) // 2
    src[3] = " ".join(w4[:k] + w3[k:])
    tgt = [_tr(s) for s in src[:3]] + [_tr(src[4]) + " " + _tr(src[5])] + [_tr(s) for s in src[6:]]
    return src, tgt


# The fake vocabulary's words carry numbers (w17 -> v17), so a left-out sentence's words are
# "numbers the translation lacks": tests of other evidence switch that evidence off.
NO_ORPHANS = AlignParams(orphan_skip=0.0, orphan_merge=0.0)


def test_a_drop_next_to_a_merge_is_not_absorbed_into_a_three_to_one_bead():
    src, tgt = _drop_next_to_a_merge()
    flat = _pairs(align_segments(src, tgt, _encoder(), params=AlignParams(merge_big=0.0, orphan_skip=0.0, orphan_merge=0.0)))
    assert ((3, 4, 5), (3,)) in flat  # a per-segment merge cost alone absorbs the related sentence
    beads = align_segments(src, tgt, _encoder(), params=NO_ORPHANS)
    _check_cover(beads, 12, 10)
    assert ((3,), ()) in _pairs(beads) and ((4, 5), (3,)) in _pairs(beads)


def _closely_related_drop(period: bool) -> tuple[list[str], list[str]]:
    """As above, but 3 repeats 70% of 4's words; with ``period`` every line is a sentence ending in '.'."""
    src = _sentences(12, seed=5)
    w3, w4 = src[3].split(), src[4].split()
    k = int(len(w3) * 0.7)
    src[3] = " ".join(w4[:k] + w3[k:])
    if period:
        src = [s + "." for s in src]
    tgt = [_tr(s) for s in src[:3]] + [_tr(src[4]) + " " + _tr(src[5])] + [_tr(s) for s in src[6:]]
    return src, tgt


def test_a_line_holding_two_sentences_is_evidence_for_the_merge_it_belongs_to():
    src, tgt = _closely_related_drop(period=True)
    no_count = AlignParams(count_bonus=0.0, orphan_skip=0.0, orphan_merge=0.0)
    assert ((3, 4, 5), (3,)) in _pairs(align_segments(src, tgt, _encoder(), params=no_count))
    beads = align_segments(src, tgt, _encoder(), params=NO_ORPHANS, src_lang="en", tgt_lang="en")
    _check_cover(beads, 12, 10)
    assert ((3,), ()) in _pairs(beads) and ((4, 5), (3,)) in _pairs(beads)
    # the same lines without sentence marks: nothing to count, so no bonus and the drop is absorbed
    src, tgt = _closely_related_drop(period=False)
    assert ((3, 4, 5), (3,)) in _pairs(align_segments(src, tgt, _encoder(), params=NO_ORPHANS))


def test_documents_count_the_sentences_of_their_segments_too():
    """A pre-split document's line may hold two sentences: such documents and lines align alike."""
    src, tgt = _closely_related_drop(period=True)
    sdoc, tdoc = (dataclasses.replace(make_doc(f, "en", [lines]), fmt="presplit") for f, lines in (("s", src), ("t", tgt)))
    doc = align_documents(sdoc, tdoc, _encoder(), params=NO_ORPHANS)
    lines = align_segments(src, tgt, _encoder(), params=NO_ORPHANS, src_lang="en", tgt_lang="en")
    assert [(b.src, b.tgt) for b in doc.beads] == _pairs(lines)
    assert ((3,), ()) in _pairs(doc.beads) and ((4, 5), (3,)) in _pairs(doc.beads)
    # the same segments as a text document: the segmenter made them, so each counts one, unsegmented again
    as_text = align_documents(make_doc("s", "en", [src]), make_doc("t", "en", [tgt]), _encoder(), params=NO_ORPHANS)
    assert ((3, 4, 5), (3,)) in _pairs(as_text.beads)


def test_a_number_the_translation_lacks_makes_leaving_its_sentence_out_cheaper():
    src = _sentences(12, seed=3)
    src[3] = src[4] + " 1988"  # 4's words again, with a year
    tgt = [_tr(s) for k, s in enumerate(src) if k != 3]  # left out: 1988 is nowhere in the translation
    assert orphans(src, tgt)[0].tolist() == [k == 3 for k in range(12)]
    assert ((3, 4), (3,)) in _pairs(align_segments(src, tgt, _encoder(), params=NO_ORPHANS))
    beads = align_segments(src, tgt, _encoder())
    _check_cover(beads, 12, 11)
    assert ((3,), ()) in _pairs(beads) and ((4,), (3,)) in _pairs(beads)
    # the same year in the translation (elsewhere) takes the evidence away
    tgt[-1] += " 1988"
    assert ((3, 4), (3,)) in _pairs(align_segments(src, tgt, _encoder()))


def test_an_added_sentence_with_a_number_the_original_lacks_stands_alone():
    """The same evidence on the target side: an insertion, not a 1-2 bead."""
    src = _sentences(12, seed=51)
    tgt = [_tr(s) for s in src]
    tgt.insert(5, tgt[4] + " 2019")  # 4's words again, with a year the original does not have
    assert orphans(src, tgt)[1].tolist() == [j == 5 for j in range(13)]
    assert ((4,), (4, 5)) in _pairs(align_segments(src, tgt, _encoder(), params=NO_ORPHANS))
    beads = align_segments(src, tgt, _encoder())
    _check_cover(beads, 12, 13)
    assert ((), (5,)) in _pairs(beads) and ((4,), (4,)) in _pairs(beads)


def test_a_real_three_to_one_merge_is_still_found():
    src = _sentences(12, seed=5)
    tgt = [_tr(s) for s in src[:3]] + [" ".join(_tr(s) for s in src[3:6])] + [_tr(s) for s in src[6:]]
    beads = align_segments(src, tgt, _encoder())
    _check_cover(beads, 12, 10)
    assert ((3, 4, 5), (3,)) in _pairs(beads)


def test_insertion_is_found():
    src = _sentences(12, seed=4)
    extra = _sentences(1, seed=99)[0]
    tgt = [_tr(s) for s in src[:5]] + [_tr(extra)] + [_tr(s) for s in src[5:]]
    beads = align_segments(src, tgt, _encoder())
    _check_cover(beads, 12, 13)
    assert ((), (5,)) in _pairs(beads)
    assert ((5,), (6,)) in _pairs(beads)


def test_empty_sides():
    enc = _encoder()
    assert align_segments([], [], enc) == []
    beads = align_segments(["w1 w2"], [], enc)
    assert _pairs(beads) == [((0,), ())]
    beads = align_segments([], ["v1", "v2"], enc)
    assert _pairs(beads) == [((), (0,)), ((), (1,))]


def test_blank_lines_are_one_sided_beads_in_reading_order_and_change_nothing_else():
    """A pre-split file's empty lines translate nothing: each stands alone, the rest aligns as without them."""
    src = _sentences(8, seed=6)
    tgt = [_tr(s) for s in src]
    plain = _pairs(align_segments(src, tgt, _encoder()))
    src_b = ["", *src[:3], "   ", *src[3:], ""]  # blanks at 0, 4 and 10
    tgt_b = [*tgt[:5], "", "", *tgt[5:]]  # blanks at 5 and 6
    enc = _encoder()
    beads = align_segments(src_b, tgt_b, enc)
    _check_cover(beads, len(src_b), len(tgt_b))
    assert not any(t.strip() == "" for call in enc.calls for t in call)  # never embedded
    blank = {((0,), ()), ((4,), ()), ((10,), ()), ((), (5,)), ((), (6,))}
    assert blank <= set(_pairs(beads)) and all(b.score == 1.0 for b in beads if (b.src, b.tgt) in blank)
    s_map = [k for k, t in enumerate(src_b) if t.strip()]
    t_map = [k for k, t in enumerate(tgt_b) if t.strip()]
    expect = [(tuple(s_map[i] for i in s), tuple(t_map[j] for j in t)) for s, t in plain]
    assert [p for p in _pairs(beads) if p not in blank] == expect
    # vectors passed in are subset the same way
    vecs = align_segments(src_b, tgt_b, _encoder(), src_vecs=enc.encode(src_b), tgt_vecs=enc.encode(tgt_b))
    assert _pairs(vecs) == _pairs(beads)


def test_a_merge_across_a_blank_line_takes_the_blank_in():
    """Sentences 4 and 5 merged by the translator, an empty line between them on the source side."""
    src = _sentences(10, seed=1)
    tgt = [_tr(s) for s in src[:4]] + [_tr(src[4]) + " " + _tr(src[5])] + [_tr(s) for s in src[6:]]
    src_b = [*src[:5], "", *src[5:]]
    beads = align_segments(src_b, tgt, _encoder())
    _check_cover(beads, len(src_b), len(tgt))
    assert ((4, 5, 6), (4,)) in _pairs(beads) and ((5,), ()) not in _pairs(beads)


def test_a_side_of_blank_lines_only():
    beads = align_segments(["", " "], ["v1 v2", ""], _encoder())
    _check_cover(beads, 2, 2)
    assert sorted(_pairs(beads)) == sorted([((0,), ()), ((1,), ()), ((), (0,)), ((), (1,))])


def test_every_segment_is_embedded_exactly_once():
    src = _sentences(15, seed=5)
    tgt = [_tr(s) for s in src]
    enc = _encoder()
    align_segments(src, tgt, enc)
    embedded = [t for call in enc.calls for t in call]
    assert sorted(embedded) == sorted(set(src) | set(tgt))
    # vectors passed in: nothing embedded at all
    enc2 = _encoder()
    align_segments(src, tgt, enc2, src_vecs=enc.encode(src), tgt_vecs=enc.encode(tgt))
    assert enc2.calls == []


def test_deterministic():
    src = _sentences(30, seed=6)
    tgt = [_tr(s) for k, s in enumerate(src) if k % 7 != 3]
    tgt[5] = tgt[5] + " " + tgt[6]
    del tgt[6]
    a = align_segments(src, tgt, _encoder())
    b = align_segments(src, tgt, _encoder())
    assert a == b


class _FixedEncoder(HashEncoder):
    """HashEncoder, except for texts given an explicit vector (to control similarity exactly)."""

    def __init__(self, fixed: dict[str, np.ndarray], **kw):
        super().__init__(**kw)
        self.fixed = fixed

    def _embed(self, texts):
        out = super()._embed(texts)
        for k, t in enumerate(texts):
            if t in self.fixed:
                v = np.zeros(self.dim, dtype=np.float32)
                v[: len(self.fixed[t])] = self.fixed[t]
                out[k] = v / np.linalg.norm(v)
        return out


def test_chapter_number_alone_does_not_make_a_bead():
    """ "Chapter 1" / "Libro 1": the shared number is a bonus on top of similarity, never the sole signal.

    The translator added a heading "Libro 1" (Book 1) before "Capítulo uno"; only
    the number links "Chapter 1" to "Libro 1", and the model sees no similarity.
    """
    body = _sentences(6, seed=7)
    src = ["Chapter 1", *body]
    tgt = ["Libro 1", "Capítulo uno", *[_tr(s) for s in body]]
    e = np.eye(8, dtype=np.float32)
    fixed = {"Chapter 1": e[0] + e[1], "Capítulo uno": e[0] + e[1], "Libro 1": e[2] + e[3],
             # the two lines read together, as a model would embed them (roughly both meanings)
             "Libro 1 Capítulo uno": e[0] + e[1] + e[2] + e[3]}
    results = []
    for w in (0.0, 1.0, 5.0):
        enc = _FixedEncoder(fixed, dim=512, lexicon=_lexicon())
        pairs = _pairs(align_segments(src, tgt, enc, params=AlignParams(lex_weight=w)))
        head = next(t for s, t in pairs if s == (0,))
        assert 1 in head, (w, pairs)  # "Chapter 1" goes with "Capítulo uno", never with "Libro 1" alone
        # the heading the translator added is merged into the chapter's bead or left out (the per-document skip
        # is lower here, where a heading in eight lines has no counterpart); the body stays 1-1
        assert [p for p in pairs if p[0] and p[0] != (0,)] == [((k,), (k + 1,)) for k in range(1, 7)]
        results.append(pairs)
    # the shared "1" never pairs "Chapter 1" with "Libro 1" alone; it may decide whether the added heading
    # joins the chapter's bead or stays out, once leaving it out is as cheap as this pair makes it
    assert all(((0,), (0,)) not in r for r in results)


def test_lexical_bonus_is_zero_without_similarity():
    x = np.eye(4, dtype=np.float32)[:2]
    y = np.eye(4, dtype=np.float32)[2:]  # orthogonal: similarity at background
    src, tgt = ["Vụ việc năm 1992 tại UNODC", "w1"], ["Kejadian 1992 di UNODC", "v1"]
    anchors = find_anchors(src, tgt)
    assert anchors.src[0] and anchors.tgt[0]
    ls, lt = np.array([26.0, 2.0]), np.array([22.0, 2.0])
    band = full_band(2, 2)
    types = AlignParams().bead_types()
    src, tgt = Side(x, ls), Side(y, lt)
    on = WindowScorer(src, tgt, band, AlignParams(lex_weight=5.0), types=types, anchors=anchors)
    off = WindowScorer(src, tgt, band, AlignParams(lex_weight=0.0), types=types, anchors=anchors, model=on.model)
    s_on, _, _ = on.row(1)
    s_off, _, _ = off.row(1)
    k = types.index((1, 1))
    assert s_on[k, 1] <= s_off[k, 1] + 1e-9


def _paragraph_doc(paras: list[list[str]], lang: str) -> Document:
    return make_doc(f"{lang}.txt", lang, paras)


def test_paragraph_first_with_a_dropped_paragraph():
    rng = random.Random(8)
    paras = [_sentences(rng.randint(2, 4), seed=10 + p) for p in range(6)]
    tparas = [[_tr(s) for s in p] for k, p in enumerate(paras) if k != 3]
    source, target = _paragraph_doc(paras, "vi"), _paragraph_doc(tparas, "id")
    al = align_documents(source, target, _encoder())
    assert isinstance(al, Alignment)
    n, m = len(source.content), len(target.content)
    _check_cover(al.beads, n, m)
    dropped = {i for i, s in enumerate(source.content) if s.para == 3}
    for b in al.beads:
        if set(b.src) & dropped:
            assert not b.tgt and len(b.src) == 1
        else:
            assert len(b.src) == 1 and len(b.tgt) == 1
    # paragraph beads: every paragraph in exactly one, the dropped one alone
    assert sorted(p for pb in al.para_beads for p in pb.src) == list(range(6))
    assert sorted(p for pb in al.para_beads for p in pb.tgt) == list(range(5))
    assert any(pb.src == (3,) and pb.tgt == () for pb in al.para_beads)
    # no sentence bead crosses a paragraph bead
    owner_s = {p: k for k, pb in enumerate(al.para_beads) for p in pb.src}
    owner_t = {p: k for k, pb in enumerate(al.para_beads) for p in pb.tgt}
    for b in al.beads:
        groups = {owner_s[al.src[i].para] for i in b.src} | {owner_t[al.tgt[j].para] for j in b.tgt}
        assert len(groups) == 1
    assert al.signature.startswith("align:") and "|model:hash-512|params:default" in al.signature
    assert al.params == AlignParams().as_dict()


def test_paragraph_first_repairs_a_paragraph_split_by_the_translator():
    paras = [_sentences(3, seed=20 + p) for p in range(5)]
    t = [[_tr(s) for s in p] for p in paras]
    tparas = t[:2] + [t[2][:1], t[2][1:]] + t[3:]  # paragraph 2 split in two
    al = align_documents(_paragraph_doc(paras, "vi"), _paragraph_doc(tparas, "id"), _encoder())
    assert all(len(b.src) == 1 and len(b.tgt) == 1 for b in al.beads)
    assert any(pb.src == (2,) and pb.tgt == (2, 3) for pb in al.para_beads)


def test_paragraph_pass_counts_each_paragraphs_sentences(monkeypatch):
    """The paragraph search sees a paragraph's sentence count (the sum over its segments)."""
    seen = []
    real = find.search

    def spy(src, tgt, params, **kw):
        seen.append((src.counts, tgt.counts))
        return real(src, tgt, params, **kw)

    monkeypatch.setattr(paragraphs, "search", spy)
    monkeypatch.setattr(aligner, "search", spy)
    paras = [_sentences(3, seed=20 + p) for p in range(5)]
    t = [[_tr(s) for s in p] for p in paras]
    tparas = t[:2] + [t[2][:1], t[2][1:]] + t[3:]
    align_documents(_paragraph_doc(paras, "vi"), _paragraph_doc(tparas, "id"), _encoder())
    src_counts, tgt_counts = seen[0]  # the paragraph pass comes first
    assert src_counts.tolist() == [3, 3, 3, 3, 3] and tgt_counts.tolist() == [3, 3, 1, 2, 3, 3]
    assert len(seen[-1][0]) == 15  # then the sentence pass, one count per sentence


def test_one_segment_per_paragraph_degrades_to_plain_sentence_alignment():
    src = _sentences(10, seed=9)
    tgt = [_tr(s) for s in src]
    tgt[4] = tgt[4] + " " + tgt[5]
    del tgt[5]
    plain = align_segments(src, tgt, _encoder())
    paras = align_segments(src, tgt, _encoder(), src_paras=list(range(10)), tgt_paras=list(range(9)))
    assert plain == paras


def test_signature_names_changed_settings():
    assert signature("m") .endswith("|model:m|params:default")
    sig = signature("m", AlignParams(skip=2.0))
    assert "skip=2.0" in sig and sig.startswith("align:")


def test_score_matrix_is_the_cosine_matrix():
    enc = _encoder()
    a, b = enc.encode(["w1 w2", "w3"]), enc.encode(["v1 v2", "v3", "v9"])
    m = score_matrix(a, b)
    assert m.shape == (2, 3)
    assert m[0, 0] == pytest.approx(1.0, abs=1e-5) and m[1, 1] == pytest.approx(1.0, abs=1e-5)
    assert score_matrix(a[:0], b).shape == (0, 3)


class _TableSource:
    """A RowSource with arbitrary fixed bead scores, for checking the search against brute force."""

    def __init__(self, n, m, types, seed):
        rng = np.random.default_rng(seed)
        self.types = types
        self.band = full_band(n, m)
        self.S = {(i, j, t): rng.normal() for i in range(n + 1) for j in range(m + 1) for t in types}

    def row(self, i):
        L = int(self.band.hi[i] - self.band.lo[i])
        S = np.full((len(self.types), L), -1e30)
        for k, (a, b) in enumerate(self.types):
            for j in range(L):
                if i >= a and j >= b:
                    S[k, j] = self.S[(i, j, (a, b))]
        return S, None, None


def _all_paths(n, m, types):
    steps = list(types) + [(1, 0), (0, 1)]

    def rec(i, j):
        if (i, j) == (n, m):
            yield []
            return
        for a, b in steps:
            if i + a <= n and j + b <= m:
                for rest in rec(i + a, j + b):
                    yield [(a, b), *rest]

    return list(rec(0, 0))


def test_search_and_posteriors_match_brute_force():
    n, m, skip = 3, 3, 0.7
    types = [(1, 1), (1, 2), (2, 1)]
    src = _TableSource(n, m, types, seed=1)

    def total(path):
        i = j = 0
        t = 0.0
        for a, b in path:
            i, j = i + a, j + b
            t += -skip * (a + b) if not (a and b) else src.S[(i, j, (a, b))]
        return t

    paths = _all_paths(n, m, types)
    scores = np.array([total(p) for p in paths])
    res = viterbi(src.band, src, skip, with_forward=True)
    assert total(res.path) == pytest.approx(scores.max())
    B = backward(src.band, src, skip)
    z = np.log(np.exp(scores).sum())
    assert res.forward[n, m] == pytest.approx(z)
    assert B[0, 0] == pytest.approx(z)
    probs = bead_posteriors(res.path, src.band, res.forward, B, src, skip)
    # brute-force posterior of each bead of the best path
    def keys(path):  # empty ranges compare equal whatever their start: key beads by starts and sizes
        return [(s.start, t.start, len(s), len(t)) for s, t in path_to_spans(path)]

    for key, p in zip(keys(res.path), probs):
        mass = sum(np.exp(sc) for path, sc in zip(paths, scores) if key in keys(path))
        assert p == pytest.approx(mass / np.exp(scores).sum(), rel=1e-6)


@pytest.mark.parametrize(("n", "m", "narrow"), [(1, 1, False), (3, 2, False), (4, 4, False), (6, 5, True)])
def test_search_with_per_segment_skips_matches_brute_force(n, m, narrow):
    """Viterbi, forward, backward and posteriors agree with enumerating every path in the band
    when one-sided steps cost per segment (orphans) and counts add bonuses."""
    rng = np.random.default_rng(n * 10 + m)
    x = centre(normalise_rows(rng.normal(size=(n, 16)).astype(np.float32)))
    y = centre(normalise_rows(rng.normal(size=(m, 16)).astype(np.float32)))
    ls, lt = rng.integers(10, 80, n).astype(float), rng.integers(10, 80, m).astype(float)
    os_, ot = rng.random(n) < 0.5, rng.random(m) < 0.5
    p = AlignParams(lex_weight=0.0, skip=1.0, orphan_skip=0.6, skip_slope=0.0)  # the DP's skips, not their calibration
    band = band_around([(0, 0), (3, 2), (n, m)], n, m, 1) if narrow else full_band(n, m)
    sc = WindowScorer(Side(x, ls, counts=rng.integers(1, 3, n), orphans=os_),
                      Side(y, lt, counts=rng.integers(1, 3, m), orphans=ot), band, p)

    def step(i, j, a, b):  # the step ending at (i, j)
        if a and b:
            return sc.bead_score(i, j, a, b)
        return -(p.skip - p.orphan_skip * (os_[i - 1] if b == 0 else ot[j - 1]))

    def paths(i, j):
        if (i, j) == (n, m):
            yield [], 0.0
            return
        for a, b in [*sc.types, (1, 0), (0, 1)]:
            i2, j2 = i + a, j + b
            if i2 <= n and j2 <= m and band.lo[i2] <= j2 < band.hi[i2] and step(i2, j2, a, b) > -1e20:
                for rest, t in paths(i2, j2):
                    yield [(a, b), *rest], step(i2, j2, a, b) + t

    every = list(paths(0, 0))
    totals = np.array([t for _, t in every])
    z = np.logaddexp.reduce(totals)
    res = viterbi(band, sc, p.skip, with_forward=True)
    assert res.total == pytest.approx(totals.max())
    assert res.forward[n, m - band.lo[n]] == pytest.approx(z)
    B = backward(band, sc, p.skip)
    assert B[0, 0] == pytest.approx(z)
    probs = bead_posteriors(res.path, band, res.forward, B, sc, p.skip)
    def keys(path):  # empty ranges compare equal whatever their start: key beads by starts and sizes
        return [(s.start, t.start, len(s), len(t)) for s, t in path_to_spans(path)]

    for key, prob in zip(keys(res.path), probs):
        mass = [t for path, t in every if key in keys(path)]
        assert prob == pytest.approx(np.exp(np.logaddexp.reduce(mass) - z), abs=1e-6)


def _long_pair(n: int, seed: int = 0):
    rng = random.Random(seed)
    src = _sentences(n, seed=seed, lo=4, hi=12)
    tgt, gold = [], []
    i = 0
    while i < n:
        r = rng.random()
        if r < 0.05 and i + 1 < n:
            tgt.append(_tr(src[i]) + " " + _tr(src[i + 1]))
            gold.append(((i, i + 1), (len(tgt) - 1,)))
            i += 2
        elif r < 0.07:
            gold.append(((i,), ()))
            i += 1
        else:
            tgt.append(_tr(src[i]))
            gold.append(((i,), (len(tgt) - 1,)))
            i += 1
    return src, tgt, gold


def _sides(src, tgt, p=None):
    """Both sides as a search reads them (prepared vectors, lengths), no other evidence."""
    enc = HashEncoder(dim=128, lexicon=_lexicon())
    p = p or AlignParams()
    return (Side(prepare_vectors(enc.encode(src), p), lengths(src)),
            Side(prepare_vectors(enc.encode(tgt), p), lengths(tgt)))


def _search_long(src, tgt, posteriors=True):
    return search(*_sides(src, tgt), AlignParams(), posteriors=posteriors)


def test_long_documents_use_linear_memory():
    """2k and 10k segments a side: a band around a coarse path, never an n x m matrix."""
    found = {}
    for n in (2000, 10000):
        src, tgt, gold = _long_pair(n)
        f = _search_long(src, tgt)
        spans = path_to_spans(f.path)
        pairs = {(tuple(s), tuple(t)) for s, t in spans}
        assert len(pairs & set(gold)) / len(gold) > 0.97
        assert sum(len(s) for s, _ in spans) == len(src) and sum(len(t) for _, t in spans) == len(tgt)
        found[n] = f
    big, small = found[10000], found[2000]
    # five times the segments: about five times the memory, far from the 25 times of a full matrix
    assert big.largest / small.largest < 8
    # the largest array is the bead scores of every band cell, kept for the passes that read them: one row of
    # (types x band width) per segment, a twentieth of the full matrix's cells at 10,000 a side
    assert big.largest < 10000 * 10000 / 20
    assert big.width < 100 and big.cells < 100 * 10001


@pytest.mark.parametrize("kept", [True, False])
@pytest.mark.parametrize("n", [300, 1200])  # the whole matrix; a band around the coarse levels' path
def test_the_rows_a_block_of_scores_holds_change_no_bead_and_no_score(monkeypatch, kept, n):
    """Bead scores are made a block of rows at a time (a round trip through Python each, so blocks are large): how
    many rows a block holds changes no bead and no posterior, with every block's scores kept or made again per pass."""
    import align.core.scores as scores

    src, tgt, _ = _long_pair(n, seed=3)
    if not kept:
        monkeypatch.setattr(scores, "_SCORES_KEPT", 0)
    enc = _encoder()
    got = []
    for rows in (WindowScorer.block_rows, 64, 7):
        monkeypatch.setattr(WindowScorer, "block_rows", rows)
        got.append([(b.src, b.tgt, b.score) for b in align_segments(src, tgt, enc)])
    assert got[1] == got[0] and got[2] == got[0]


def test_tracemalloc_peak_grows_linearly():
    """The same check with the real allocations, on smaller documents (tracemalloc is slow)."""
    peaks = {}
    for n in (600, 3000):
        src, tgt, _ = _long_pair(n, seed=2)
        tracemalloc.start()
        _search_long(src, tgt, posteriors=False)
        peaks[n] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peaks[3000] / peaks[600] < 8


def test_viterbi_training_stops_at_a_fixed_point():
    """After the search, re-estimating the length model from its own path changes nothing."""
    text_s, text_t, _ = _long_pair(120, seed=5)
    p = AlignParams()
    src, tgt = _sides(text_s, text_t, p)
    found = search(src, tgt, p, posteriors=False)
    again = refine_model(found.model, path_to_spans(found.path), src, tgt)
    band = full_band(len(src), len(tgt))
    scorer = WindowScorer(src, tgt, band, p, model=again)
    assert viterbi(band, scorer, p.skip).path == found.path
    # with no re-estimate at all the length model is the first guess
    first = search(src, tgt, AlignParams(refine=False), posteriors=False)
    assert first.model.length.s2 != found.model.length.s2


def test_viterbi_training_runs_until_the_path_settles(monkeypatch):
    """The length model is re-estimated again only while the path keeps changing, at most refine_steps times."""
    text_s, text_t, _ = _long_pair(60, seed=2)
    src, tgt = _sides(text_s, text_t)
    calls = []
    real = find.refine_model

    def counted(model, spans, a, b):
        calls.append(1)
        return real(model, spans, a, b)

    monkeypatch.setattr(find, "refine_model", counted)
    search(src, tgt, AlignParams(refine_steps=5), posteriors=False)
    assert 1 <= len(calls) < 5  # settles on clean data

    def flipping(model, spans, a, b):  # a length model that never settles
        calls.append(1)
        c = 0.2 if len(calls) % 2 else 5.0
        return dataclasses.replace(model, length=dataclasses.replace(model.length, c=c, s2=0.05))

    calls.clear()
    monkeypatch.setattr(find, "refine_model", flipping)
    search(src, tgt, AlignParams(refine_steps=4), posteriors=False)
    assert len(calls) == 4


def test_viterbi_training_spends_no_pass_it_can_do_without(monkeypatch):
    """A re-estimate equal to the model in use ends the training at once (that pass would find the same path);
    the last pass allowed sums the forward scores itself, with no pass after it for them."""
    text_s, text_t, _ = _long_pair(40, seed=4)
    src, tgt = _sides(text_s, text_t)
    passes: list[bool] = []
    real = find.viterbi

    def counted(band, scorer, skip, *, with_forward=False):
        passes.append(with_forward)
        return real(band, scorer, skip, with_forward=with_forward)

    monkeypatch.setattr(find, "viterbi", counted)
    monkeypatch.setattr(find, "refine_model", lambda model, spans, a, b: model)
    search(src, tgt, AlignParams(refine_steps=3))
    assert passes == [False, True]  # the first pass, then the forward sums: no pass for an unchanged model

    flips = [0]

    def flipping(model, spans, a, b):  # never settles
        flips[0] += 1
        c = 0.9 if flips[0] % 2 else 1.1
        return dataclasses.replace(model, length=dataclasses.replace(model.length, c=c))

    passes.clear()
    monkeypatch.setattr(find, "refine_model", flipping)
    found = search(src, tgt, AlignParams(refine_steps=2))
    assert passes == [False, False, True] and len(found.probs) == len(found.path)


def test_the_backward_sums_run_beside_the_forward_pass_only_over_kept_scores(monkeypatch):
    """Scores made again per pass (too many to keep) must not be filled by two threads into one cache: the
    backward pass then runs after the forward pass, on the caller's thread; kept scores are only read."""
    from align.common import cores
    from align.core import scores

    text_s, text_t, _ = _long_pair(40, seed=5)
    src, tgt = _sides(text_s, text_t)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    cores.reset_helpers()  # made again with the thread count just set
    monkeypatch.setattr(find, "refine_model", lambda model, spans, a, b: model)  # forward sums still to take
    computed_on: set[str] = set()
    real = WindowScorer._block

    def block(self, r0, r1, out=None):
        computed_on.add(threading.current_thread().name)
        return real(self, r0, r1, out)

    monkeypatch.setattr(WindowScorer, "_block", block)
    backward_on: list[str] = []
    real_backward = find.backward

    def backward(*a, **k):
        backward_on.append(threading.current_thread().name)
        return real_backward(*a, **k)

    monkeypatch.setattr(find, "backward", backward)
    kept = search(src, tgt, AlignParams())
    assert backward_on[-1].startswith("align-helper") and computed_on == {threading.current_thread().name}
    monkeypatch.setattr(scores, "_SCORES_KEPT", 0)
    computed_on.clear()
    again = search(src, tgt, AlignParams())
    assert backward_on[-1] == threading.current_thread().name and computed_on == {threading.current_thread().name}
    assert again.path == kept.path and again.probs == kept.probs
    cores.reset_helpers()


@pytest.mark.parametrize("kept", [True, False])
@pytest.mark.parametrize("steps", [0, 1, 3])
def test_posteriors_taken_after_the_search_are_the_searchs_own(monkeypatch, kept, steps):
    """``with_posteriors`` of a search made without them gives, bit for bit, the posteriors the search gives:
    scores kept or made again per pass, the training settled early or stopped at its last allowed pass."""
    from align.core import scores

    text_s, text_t, _ = _long_pair(60, seed=7)
    src, tgt = _sides(text_s, text_t)
    if not kept:
        monkeypatch.setattr(scores, "_SCORES_KEPT", 0)
    p = AlignParams(refine_steps=steps)
    own = search(src, tgt, p)
    first = search(src, tgt, p, posteriors=False)
    later = find.with_posteriors(first)
    assert later.path == own.path and later.probs == own.probs and later.model == own.model
    assert len(set(own.probs)) > 3  # posteriors, not the ones a search without them leaves in place
    assert later.spans is first.spans and later.spans == own.spans  # the same path's spans, made once


@pytest.mark.parametrize("coarse_refine", [False, True])
def test_the_coarse_levels_re_estimate_only_when_asked(monkeypatch, coarse_refine):
    """A long document's coarse levels only place the band: one pass each unless ``coarse_refine``."""
    text_s, text_t, _ = _long_pair(120, seed=3)
    src, tgt = _sides(text_s, text_t)
    sizes = []
    real = find.refine_model

    def counted(model, spans, a, b):
        sizes.append(len(a))
        return real(model, spans, a, b)

    monkeypatch.setattr(find, "refine_model", counted)
    found = search(src, tgt, AlignParams(max_cells=2000, coarse_refine=coarse_refine), posteriors=False)
    assert found.width < len(tgt)  # a band from coarse levels, not the full matrix
    assert len(src) in sizes  # the sentence level re-estimates
    assert any(n < len(src) for n in sizes) == coarse_refine


@pytest.mark.parametrize("kw", [{"orphan_skip": 4.0}, {"orphan_skip": -1.0}, {"skip": 1.0}, {"merge_big": -0.5}])
def test_params_that_would_make_a_segment_free_to_drop_are_refused(kw):
    with pytest.raises(UsageError):
        AlignParams(**kw)


def test_document_counts_run_the_segmenter_only_on_lines_and_paragraphs(monkeypatch):
    calls = []
    real = aligner._sentence_counts
    monkeypatch.setattr(aligner, "_sentence_counts", lambda texts, lang: calls.append(lang) or real(texts, lang))
    lines = ["One. Two.", "Three."]
    text = make_doc("t", "en", [lines])  # as if the segmenter had made these
    assert aligner._document_counts(text).tolist() == [1, 1] and calls == []
    pre = dataclasses.replace(text, fmt="presplit")
    assert aligner._document_counts(pre).tolist() == [2, 1] and calls == ["en"]
    paras = dataclasses.replace(text, segments=tuple(dataclasses.replace(x, kind="paragraph") for x in text.segments))
    assert aligner._document_counts(paras).tolist() == [2, 1]


# ------------------------------------------------------------------ lines without a counterpart (issue 20)


def _partial_pair(seed: int = 11) -> tuple[list[str], list[str], set[int]]:
    """Twelve translated lines, a short line without counterpart after every other one on the target side.

    Each added line (a caption, a byline) repeats one word of the line before
    it, as a caption names someone the article does, plus one word of its own.
    """
    body = _sentences(12, seed=seed)
    extra = _sentences(6, seed=seed + 100, lo=1, hi=1)
    tgt, inserted = [], set()
    for k, s in enumerate(body):
        tgt.append(_tr(s))
        if k % 2 == 1:
            inserted.add(len(tgt))
            tgt.append(_tr(s).split()[0] + " " + extra[k // 2])
    return body, tgt, inserted


def test_short_lines_without_a_counterpart_stay_out_of_the_units():
    """A pair where a third of the target's lines have no counterpart: each is its own one-sided bead.

    With the fixed skip cost of before, absorbing a short unrelated line into
    its neighbour's bead (merge cost plus a small loss of similarity) is
    cheaper than leaving it out, so the units glue captions onto true pairs;
    the per-document skip sees how many lines of this pair match nothing and
    leaves them out.
    """
    src, tgt, inserted = _partial_pair()
    beads = align_segments(src, tgt, _encoder())
    _check_cover(beads, len(src), len(tgt))
    pairs = _pairs(beads)
    assert [((), (j,)) in pairs for j in sorted(inserted)] == [True] * len(inserted), pairs
    assert sorted(p for p in pairs if p[0] and p[1]) == sorted(((k,), (j,)) for k, j in _gold_body(tgt, inserted))
    fixed = _pairs(align_segments(src, tgt, _encoder(), params=AlignParams(skip_slope=0.0)))
    assert any(len(t) > 1 and set(t) & inserted for _, t in fixed), fixed  # what the fixed skip did


def _gold_body(tgt: list[str], inserted: set[int]) -> list[tuple[int, int]]:
    body = [j for j in range(len(tgt)) if j not in inserted]
    return list(enumerate(body))


def test_the_skip_stays_fixed_for_a_fully_parallel_pair():
    """Where every line has its translation, the per-document skip is the fixed one: nothing changes there."""
    from align.core.find import search
    from align.core.side import Segments

    src = _sentences(20, seed=5)
    tgt = [_tr(s) for s in src]
    enc, p = _encoder(), AlignParams()
    a = Segments.build(src, enc.encode(src), p).side()
    b = Segments.build(tgt, enc.encode(tgt), p).side()
    found = search(a, b, p)
    assert found.model is not None and found.model.skip == p.skip
    src2, tgt2, _ = _partial_pair()
    found2 = search(
        Segments.build(src2, enc.encode(src2), p).side(), Segments.build(tgt2, enc.encode(tgt2), p).side(), p
    )
    assert found2.model is not None and p.skip_min <= found2.model.skip < p.skip - 1.0
