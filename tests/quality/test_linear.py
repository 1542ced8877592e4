"""The text checks in linear time: each segment's text analysed once, for every bead and the document index.

Counting the analyses (``mismatch._scan``) rather than timing them: the checks
as they were analysed a bead's joined text per bead and the whole document
again for its name index, so a segment held by three beads was read four times.
The counts must not come at the cost of a different answer, so the same
beads are also checked against a fresh analysis of their joined texts,
including the edges where joining changes what is found (a name running on
into the next segment, a sentence-initial word that is not initial any more,
a month name read from the digits of the segment before).
"""

from __future__ import annotations

import dataclasses
import random
import sys
import unicodedata

import numpy as np
import pytest

from align.common.model import Alignment, Bead, Document, Segment
from align.quality import flags, mismatch
from align.quality.mismatch import SegmentTexts, TextIndex, name_issue_of, number_issue_of

NAMES = ["Lương Tam Quang", "Ghada Waly", "Hà Nội", "UNODC", "Jakarta", "Warren", "Donald Trump", "PBB"]


def _texts(n: int) -> list[str]:
    rng = random.Random(7)
    out = []
    for i in range(n):
        name = rng.choice(NAMES)
        out.append(f"Hôm {i} tháng {i % 12 + 1}, {name} gặp đoàn số {i * 7} tại {rng.choice(NAMES)}.")
    return out


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts that ``_scan`` analyses, in order."""
    seen: list[str] = []
    scan = mismatch._scan

    def counting(text: str) -> mismatch._Scan:
        seen.append(text)
        return scan(text)

    monkeypatch.setattr(mismatch, "_scan", counting)
    return seen


def test_each_segment_is_analysed_once_however_many_beads_hold_it(scans: list[str]) -> None:
    texts = _texts(200)
    side = SegmentTexts(texts)
    other = SegmentTexts(["Bapak Luong Tam Quang dan Ibu Ghada Waly di Jakarta pada 25 Oktober."])
    for width in (1, 2, 3):  # every segment in three candidate beads of each width
        for i in range(len(texts) - width + 1):
            bead = side.side(range(i, i + width))
            number_issue_of(bead, other.segment(0))
            name_issue_of(bead, other.segment(0), side, other)
    assert side.grams  # the document index, from the same analyses
    assert sorted(scans) == sorted([*texts, other.segment(0).text])


def test_flagging_an_alignment_analyses_each_distinct_text_once(scans: list[str]) -> None:
    src, tgt = _texts(120), [t.replace("gặp", "bertemu") for t in _texts(120)]
    src[50] = src[10]  # a repeated line is analysed once too
    tgt[::10] = [f"Pertemuan {i} selesai." for i in range(0, 120, 10)]  # names on one side: the document index is read
    beads = [Bead((i, i + 1), (i, i + 1), 0.9) for i in range(0, 120, 2)]
    found = flags.check_beads(_alignment(src, tgt, beads))
    assert any("name-mismatch" in d for d in found)
    assert sorted(scans) == sorted({*src} | {*tgt})


def _alignment(src: list[str], tgt: list[str], beads: list[Bead]) -> Alignment:
    def doc(texts: list[str], path: str) -> Document:
        segs = tuple(Segment(t, "sentence", i, 0) for i, t in enumerate(texts))
        return Document(path=path, lang="vi", text="", segments=segs)

    s, t = doc(src, "s.txt"), doc(tgt, "t.txt")
    return Alignment(source=s, target=t, src=s.segments, tgt=t.segments, beads=tuple(beads), model_id="x", params={},
                     signature="x")


# Segments whose edges matter when joined: a name running on, a heading without a full stop,
# "May" dated by the segment before, numbers in words running on, short and blank texts.
EDGES = [
    "Bộ trưởng Lương", "Tam Quang phát biểu.", "Ngày 5", "May tới, UNODC họp.", "Hội nghị Hà", "Nội kết thúc",
    "mười", "hai người đến.", "Ba", "(", "  ", "Ông Trump nói", "Ghada Waly cảm ơn.", "Mac", "25 Oktober",
    "Pada 5", "Mei 2026 Menteri Luong", "Tam Quang berbicara.", "lima puluh", "delapan orang.", "Kota Hanoi", "USD 5",
    "Σ ΟΔΟΣ", "đô", "la Mỹ.", "İstanbul Ǆemal", "𝐀𝐁 𝐂𝐝", "Jean-Luc O'Brien", "x", "12", ".",
]


def test_a_bead_side_from_its_segments_is_the_analysis_of_its_joined_text() -> None:
    rng = random.Random(3)
    texts = [rng.choice(EDGES) for _ in range(300)]
    side, other = SegmentTexts(texts), SegmentTexts(texts[::-1])
    whole_src = TextIndex("\n".join(texts), ngrams=mismatch.DOCUMENT_NGRAMS)
    whole_tgt = TextIndex("\n".join(texts[::-1]), ngrams=mismatch.DOCUMENT_NGRAMS)
    assert side.grams == whole_src.grams and other.grams == whole_tgt.grams
    for _ in range(400):
        i, j = rng.randrange(296), rng.randrange(297)
        a, b = side.side(range(i, i + rng.randint(1, 4))), other.side(range(j, j + rng.randint(1, 3)))
        fresh_a, fresh_b = TextIndex(a.text), TextIndex(b.text)
        assert a.numbers == fresh_a.numbers and a.names == fresh_a.names, a.text
        assert a.number_words == fresh_a.number_words and a.title_case == fresh_a.title_case, a.text
        assert (a.compact, a.words, a.acronyms, a.lower) == (fresh_a.compact, fresh_a.words, fresh_a.acronyms,
                                                             fresh_a.lower), a.text
        assert number_issue_of(a, b) == number_issue_of(fresh_a, fresh_b)
        assert name_issue_of(a, b, side, other) == name_issue_of(fresh_a, fresh_b, whole_src, whole_tgt)


def test_the_character_classes_hold_every_upper_case_letter_and_combining_mark() -> None:
    """``_runs`` and ``_marks`` list characters below U+20000 only: the running Python's tables have none above."""
    assert not any(chr(c).isupper() or unicodedata.combining(chr(c)) for c in range(0x20000, sys.maxunicode + 1))
    for c in map(chr, range(0x20000)):  # no combining mark is alphanumeric: _compact drops them with punctuation
        assert not (unicodedata.combining(c) and (c.isalnum() or c == "_"))


def test_tu_cosines_by_stacked_products_are_those_of_one_product_per_bead() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(300, 48)).astype(np.float32), rng.normal(size=(280, 48)).astype(np.float32)
    beads, i, j = [], 0, 0
    while i < 297 and j < 277:
        a, b = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        beads.append(Bead(tuple(range(i, i + a)), tuple(range(j, j + b)), 0.9))
        i, j = i + a, j + b
    for cos in (flags._Cosines(x, y), flags._Cosines(None, None, x.astype(np.float64) @ y.T.astype(np.float64))):
        want = [float(cos.block(b.src, b.tgt).max()) for b in beads]
        assert cos.bead_max(beads).tolist() == want


def test_the_report_reuses_the_text_checks_of_the_alignment_just_flagged(scans: list[str]) -> None:
    """The pipeline copies the flagged alignment (``document_id``) before the report asks for the details."""
    src, tgt = _texts(40), [f"Pertemuan {i} selesai." for i in range(40)]
    al = flags.flag_beads(_alignment(src, tgt, [Bead((i,), (i,), 0.3) for i in range(40)]))
    copy = dataclasses.replace(al, document_id="x")
    analysed = len(scans)
    details = flags.flag_details(copy)
    assert len(scans) == analysed  # nothing read again
    flags._TEXT_CHECKS.clear()
    assert flags.flag_details(copy) == details and any("name-mismatch" in d for d in details)
