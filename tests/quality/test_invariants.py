"""The "nothing lost" invariant: the checker itself, and property tests over random document pairs.

Random pairs: a Vietnamese-like source from a small vocabulary, its word-for-word
"translation" (a HashEncoder lexicon makes the two similar), then random splits,
merges and drops of target sentences, random paragraphing, and random noise lines
(image names, source lines, menu words) on both sides. Read, align, and check that
every segment and every character is accounted for, in the beads, the TMX and the
report's unaligned list.
"""

from __future__ import annotations

import dataclasses
import html
import os
import tempfile
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from align.common.model import Bead, Segment
from align.core.aligner import align_documents
from align.embedding import HashEncoder
from align.formats.report.payload import report_payload
from align.formats.tmx import read_tmx, write_tmx
from align.quality.invariants import InvariantError, check_alignment, check_document
from align.reading.read import document_from_text

VOCAB = [
    ("nhà", "rumah"), ("nước", "air"), ("người", "orang"), ("học", "belajar"), ("trường", "sekolah"),
    ("công", "kerja"), ("hợp", "gabung"), ("tác", "karya"), ("quốc", "negara"), ("tế", "dunia"),
    ("bộ", "kementerian"), ("trưởng", "kepala"), ("tiếp", "menerima"), ("đoàn", "rombongan"), ("đại", "besar"),
    ("biểu", "wakil"), ("hội", "rapat"), ("nghị", "usul"), ("phát", "siar"), ("triển", "kembang"),
    ("kinh", "ibu"), ("doanh", "usaha"), ("thành", "kota"), ("phố", "jalan"), ("mới", "baru"),
    ("năm", "tahun"), ("tháng", "bulan"), ("ngày", "hari"), ("luật", "hukum"), ("mạng", "jaringan"),
]
LEXICON = dict(VOCAB)
NOISE_LINES = [
    "inbound6430099935246812354.jpg", "anh-minh-hoa_2025.png", "Sumber: http://example.id/berita/123",
    "Nguồn: https://baomoi.vn/a-b-c.html", "Beranda", "Trang chủ", "Komentar (0)", "Bình luận (0)",
    "Ảnh: TTXVN", "25/10/2025",
]


def encoder() -> HashEncoder:
    return HashEncoder(dim=128, lexicon=LEXICON)


# --- the checker catches what it must ------------------------------------------------

VI = "Bộ trưởng tiếp đoàn đại biểu. Hai bên hợp tác.\n\ninbound1.jpg\n\nNăm mới, luật mới."
ID = "Menteri menerima rombongan wakil.\n\nKedua pihak bekerja sama. Tahun baru, hukum baru."


@pytest.fixture
def alignment():
    src = document_from_text(VI, "vi.txt", "vi", force=True)
    tgt = document_from_text(ID, "id.txt", "id", force=True)
    al = align_documents(src, tgt, encoder())
    check_alignment(al)
    assert src.noise, "the image name is noise"
    return al


def _with_beads(al, beads):
    return dataclasses.replace(al, beads=tuple(beads))


def test_missing_bead_is_caught(alignment):
    with pytest.raises(InvariantError, match="is lost"):
        check_alignment(_with_beads(alignment, alignment.beads[:-1]))


def test_repeated_index_is_caught(alignment):
    b = alignment.beads
    with pytest.raises(InvariantError, match="repeats"):
        check_alignment(_with_beads(alignment, [b[0], b[0], *b[1:]]))


def test_out_of_order_beads_are_caught(alignment):
    b = list(alignment.beads)
    with pytest.raises(InvariantError, match="goes back"):
        check_alignment(_with_beads(alignment, [b[1], b[0], *b[2:]]))


def test_a_moved_pair_may_stand_out_of_order_but_only_one_to_one(alignment):
    """Beads marked moved (``_reorder``) are exempt from the order, not from covering every index once."""
    two = [k for k, b in enumerate(alignment.beads) if len(b.src) == 1 and len(b.tgt) == 1]
    assert len(two) >= 3
    k0, k1 = two[0], two[-1]
    b0, b1 = alignment.beads[k0], alignment.beads[k1]
    crossed = list(alignment.beads)
    crossed[k0] = dataclasses.replace(b0, tgt=b1.tgt, moved=True)  # the first source with the last target
    crossed[k1] = dataclasses.replace(b1, tgt=b0.tgt, moved=True)
    check_alignment(_with_beads(alignment, crossed))
    unmarked = list(crossed)
    unmarked[k1] = dataclasses.replace(crossed[k1], moved=False)
    unmarked[k0] = dataclasses.replace(crossed[k0], moved=False)
    with pytest.raises(InvariantError, match="goes back"):
        check_alignment(_with_beads(alignment, unmarked))
    wide = list(crossed)
    wide[k0] = dataclasses.replace(crossed[k0], src=(), moved=True)
    wide.insert(k0, Bead(b0.src, (), 0.0))
    with pytest.raises(InvariantError, match="one segment with one"):
        check_alignment(_with_beads(alignment, wide))


def test_indices_of_one_bead_must_increase(alignment):
    b = list(alignment.beads)
    k = next(k for k, x in enumerate(b) if len(x.src) == 1 and k + 1 < len(b) and len(b[k + 1].src) == 1)
    merged = [*b[:k], dataclasses.replace(b[k], src=(b[k + 1].src[0], b[k].src[0]), tgt=b[k].tgt + b[k + 1].tgt),
              *b[k + 2:]]
    with pytest.raises(InvariantError, match="must increase"):
        check_alignment(_with_beads(alignment, merged))


def test_empty_bead_is_caught(alignment):
    with pytest.raises(InvariantError, match="empty on both sides"):
        check_alignment(_with_beads(alignment, [*alignment.beads, Bead((), (), 0.0)]))


def test_segment_dropped_from_the_aligned_list_is_caught(alignment):
    """A content segment the aligner never saw is neither aligned nor listed as unaligned."""
    src = alignment.src[:-1]
    beads = []
    for b in alignment.beads:
        s = tuple(i for i in b.src if i < len(src))
        if s or b.tgt:
            beads.append(dataclasses.replace(b, src=s))
    with pytest.raises(InvariantError, match="neither aligned nor listed"):
        check_alignment(dataclasses.replace(alignment, src=src, beads=tuple(beads)))


def test_rewritten_segment_text_is_caught(alignment):
    doc = alignment.source
    segs = list(doc.segments)
    segs[0] = dataclasses.replace(segs[0], text=segs[0].text.replace("Bộ", "Bo"))
    with pytest.raises(InvariantError, match="is not the span's text"):
        check_document(dataclasses.replace(doc, segments=tuple(segs)))


def test_text_outside_every_segment_is_caught(alignment):
    doc = alignment.target
    with pytest.raises(InvariantError, match="is in no segment"):
        check_document(dataclasses.replace(doc, segments=doc.segments[1:]))


def test_span_outside_the_text_and_overlap_are_caught(alignment):
    doc = alignment.source
    last = doc.segments[-1]
    bad = dataclasses.replace(last, span=(last.span[0], len(doc.text) + 5))
    with pytest.raises(InvariantError, match="outside the document text"):
        check_document(dataclasses.replace(doc, segments=(*doc.segments[:-1], bad)))
    overlap = dataclasses.replace(doc.segments[1], span=(doc.segments[0].span[0], doc.segments[1].span[1]))
    with pytest.raises(InvariantError, match="overlaps"):
        check_document(dataclasses.replace(doc, segments=(doc.segments[0], overlap, *doc.segments[2:])))


def test_empty_segment_is_caught(alignment):
    doc = alignment.source
    seg = doc.segments[0]
    empty = Segment("  ", seg.kind, seg.para, seg.index, (seg.span[0], seg.span[0]))
    with pytest.raises(InvariantError, match="empty segment"):
        check_document(dataclasses.replace(doc, segments=(empty, *doc.segments)))


def test_noise_segment_counted_twice_is_caught(alignment):
    """A noise segment that is also the aligned content would be accounted for twice."""
    noise = alignment.source.noise[0]
    src = (*alignment.src, noise)
    beads = (*alignment.beads, Bead((len(src) - 1,), (), 0.0))
    with pytest.raises(InvariantError, match="twice"):
        check_alignment(dataclasses.replace(alignment, src=src, beads=beads))


def test_invariant_error_is_an_assertion_not_a_user_error():
    from align.common.errors import AlignError

    assert issubclass(InvariantError, AssertionError) and not issubclass(InvariantError, AlignError)


def test_pipeline_checks_every_alignment(tmp_path, monkeypatch):
    """align_pair asserts the invariant: a broken aligner is an internal error, never a silent loss."""
    import align.core.aligner
    from align.pipeline.pair import RunOptions, align_pair

    (tmp_path / "vi.txt").write_text(VI, encoding="utf-8")
    (tmp_path / "id.txt").write_text(ID, encoding="utf-8")
    real = align.core.aligner.align_documents

    def lossy(*a, **k):
        al = real(*a, **k)
        return dataclasses.replace(al, beads=al.beads[:-1])

    monkeypatch.setattr(align.core.aligner, "align_documents", lossy)
    with pytest.raises(InvariantError):
        align_pair(str(tmp_path / "vi.txt"), str(tmp_path / "id.txt"), encoder(), RunOptions(force=True),
                   outputs={"tmx": str(tmp_path / "out.tmx")})
    assert not (tmp_path / "out.tmx").exists()


# --- property tests -------------------------------------------------------------------


def _sentence(words: list[int], side: int, end: str) -> str:
    text = " ".join(VOCAB[w][side] for w in words)
    return text[0].upper() + text[1:] + end


@st.composite
def document_pairs(draw):
    """(source text, target text, format) with random edits on the target side and noise on both."""
    paras = draw(st.lists(
        st.lists(st.tuples(st.lists(st.integers(0, len(VOCAB) - 1), min_size=2, max_size=9),
                           st.sampled_from(".!?")), min_size=1, max_size=4),
        min_size=1, max_size=6,
    ))
    src_paras = [[_sentence(w, 0, e) for w, e in p] for p in paras]
    # target: translate, then split / merge / drop sentences
    tgt_sents: list[str] = []
    flat = [(w, e) for p in paras for w, e in p]
    k = 0
    while k < len(flat):
        words, end = flat[k]
        op = draw(st.sampled_from(["keep", "keep", "keep", "split", "merge", "drop"]))
        if op == "split" and len(words) >= 4:
            cut = draw(st.integers(2, len(words) - 2))
            tgt_sents += [_sentence(words[:cut], 1, "."), _sentence(words[cut:], 1, end)]
        elif op == "merge" and k + 1 < len(flat):
            nxt_words, nxt_end = flat[k + 1]
            tgt_sents.append(_sentence(words, 1, ",") + " " + " ".join(VOCAB[w][1] for w in nxt_words) + nxt_end)
            k += 1
        elif op != "drop":
            tgt_sents.append(_sentence(words, 1, end))
        k += 1
    if not tgt_sents:
        tgt_sents = [_sentence(flat[0][0], 1, flat[0][1])]
    breaks = draw(st.lists(st.booleans(), min_size=len(tgt_sents), max_size=len(tgt_sents)))
    tgt_paras: list[list[str]] = [[]]
    for sent, brk in zip(tgt_sents, breaks):
        if brk and tgt_paras[-1]:
            tgt_paras.append([])
        tgt_paras[-1].append(sent)
    fmt = draw(st.sampled_from(["text", "text", "html", "presplit"]))

    def with_noise(blocks: list[str]) -> list[str]:
        out = list(blocks)
        for line in draw(st.lists(st.sampled_from(NOISE_LINES), max_size=4)):
            out.insert(draw(st.integers(0, len(out))), line)
        return out

    def render(ps: list[list[str]]) -> str:
        if fmt == "presplit":
            return "\n".join(with_noise([s for p in ps for s in p])) + "\n"
        blocks = with_noise([" ".join(p) for p in ps])
        if fmt == "html":
            return "<html><body>" + "".join(f"<p>{html.escape(b)}</p>\n" for b in blocks) + "</body></html>"
        sep = draw(st.sampled_from(["\n\n", "\n", "\r\n"]))
        return sep.join(blocks) + "\n"

    return render(src_paras), render(tgt_paras), fmt


def _expected_tus(al) -> list[tuple[str, str]]:
    return [(" ".join(al.src[i].text for i in b.src), " ".join(al.tgt[j].text for j in b.tgt))
            for b in al.beads if not b.is_null]


def _accounted(al, side: str) -> Counter:
    segs = al.src if side == "src" else al.tgt
    doc = al.source if side == "src" else al.target
    in_tus = Counter(segs[i].text for b in al.beads if not b.is_null for i in getattr(b, side))
    listed = Counter(u.segment.text for u in al.unaligned if u.side == side)
    assert in_tus + listed == Counter(s.text for s in doc.segments)
    return listed


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(document_pairs())
def test_random_pairs_lose_nothing(pair):
    src_text, tgt_text, fmt = pair
    src = document_from_text(src_text, "src.txt", "vi", fmt, force=True)
    tgt = document_from_text(tgt_text, "tgt.txt", "id", fmt, force=True)
    al = align_documents(src, tgt, encoder())
    check_alignment(al)
    if fmt == "presplit":
        assert not src.noise and not tgt.noise

    # the TMX holds exactly the two-sided beads, in order
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "out.tmx")
        stats = write_tmx(al, path, dedupe=False)
        expected = _expected_tus(al)
        if expected:
            tus = [(t.src, t.tgt) for t in read_tmx(path).tus]
        else:  # read_tmx refuses a TMX without any unit (no languages to read)
            with open(path, encoding="utf-8") as f:
                tus = [] if "<tu " not in f.read() else [("?", "?")]
        assert tus == expected
        assert stats.tus_written == len(tus) and stats.null_beads == sum(b.is_null for b in al.beads)
        assert sorted(os.listdir(d)) == ["out.tmx"]

    # the report lists every segment that is in no TU
    listed = report_payload(al)["unaligned"]
    for side in ("src", "tgt"):
        expected = _accounted(al, side)
        assert Counter(u["text"] for u in listed if u["side"] == side) == expected
