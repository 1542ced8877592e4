"""Quality flags: each fault planted in a small vi/id article is caught, and a clean pair raises none."""

from __future__ import annotations

import dataclasses
import sys

import numpy as np
import pytest

from align import HashEncoder
from align.common.model import Alignment, Bead, Document, Segment
from align.quality.flags import FLAGS, QualityParams, check_beads, flag_beads, flag_details, summary
from align.quality.mismatch import numbers

# A small news article and its translation, one sentence per line, with paragraph numbers.
VI = [
    (0, "Chiều 25/10, Bộ trưởng Lương Tam Quang đã tiếp bà Ghada Waly tại Hà Nội."),
    (0, "Bà Ghada Waly là Giám đốc điều hành của UNODC."),
    (1, "Công ước Hà Nội được ký bởi 72 quốc gia."),
    (2, "Bộ trưởng Lương Tam Quang phát biểu năm 1992."),
    (2, "Ngân sách dự án là 1.000,5 tỷ đồng."),
    (3, "Việt Nam và Liên hợp quốc (LHQ) tăng cường hợp tác phòng chống tội phạm mạng."),
    (4, "Hai bên nhất trí trao đổi thông tin thường xuyên."),
    (4, "Hội nghị tiếp theo sẽ diễn ra vào tháng 3 năm 2026."),
    (5, "Bà Ghada Waly cảm ơn Bộ Công an Việt Nam."),
    (5, "Buổi làm việc diễn ra trong không khí thân mật."),
]
ID = [
    (0, "Pada sore hari tanggal 25 Oktober, Menteri Luong Tam Quang menerima Ibu Ghada Waly di Hanoi."),
    (0, "Ibu Ghada Waly adalah Direktur Eksekutif UNODC."),
    (1, "Konvensi Hanoi ditandatangani oleh 72 negara."),
    (2, "Menteri Luong Tam Quang berbicara pada tahun 1992."),
    (2, "Anggaran proyek adalah 1.000,5 miliar dong."),
    (3, "Vietnam dan Perserikatan Bangsa-Bangsa (PBB) memperkuat kerja sama memerangi kejahatan siber."),
    (4, "Kedua pihak sepakat untuk bertukar informasi secara rutin."),
    (4, "Konferensi berikutnya akan berlangsung pada bulan Maret 2026."),
    (5, "Ibu Ghada Waly berterima kasih kepada Kementerian Keamanan Publik Vietnam."),
    (5, "Pertemuan berlangsung dalam suasana yang bersahabat."),
]

# Folded Vietnamese syllable → Indonesian word, so HashEncoder gives translations similar vectors.
LEXICON = {
    "chieu": "sore", "bo": "menteri", "truong": "menteri", "tiep": "menerima", "ba": "ibu", "tai": "di",
    "la": "adalah", "giam": "direktur", "doc": "direktur", "dieu": "eksekutif", "hanh": "eksekutif",
    "cong": "konvensi", "uoc": "konvensi", "ky": "ditandatangani", "boi": "oleh", "quoc": "negara",
    "gia": "negara", "phat": "berbicara", "bieu": "berbicara", "nam": "tahun", "ngan": "anggaran",
    "sach": "anggaran", "du": "proyek", "an": "proyek", "ty": "miliar", "dong": "dong", "viet": "vietnam",
    "va": "dan", "lien": "perserikatan", "hop": "bangsa", "tang": "memperkuat", "cuong": "memperkuat",
    "tac": "kerja", "toi": "kejahatan", "pham": "kejahatan", "mang": "siber", "hai": "kedua", "ben": "pihak",
    "nhat": "sepakat", "tri": "sepakat", "trao": "bertukar", "doi": "bertukar", "thong": "informasi",
    "tin": "informasi", "thuong": "rutin", "xuyen": "rutin", "hoi": "konferensi", "nghi": "konferensi",
    "theo": "berikutnya", "se": "akan", "dien": "berlangsung", "ra": "berlangsung", "thang": "bulan",
    "cam": "berterima", "on": "kasih", "buoi": "pertemuan", "lam": "pertemuan", "viec": "pertemuan",
    "trong": "dalam", "khong": "suasana", "khi": "suasana", "than": "bersahabat", "mat": "bersahabat",
}


def doc(lines: list[tuple[int, str]], lang: str, noise: tuple[str, ...] = ()) -> Document:
    segs = [Segment(t, "sentence", p, i) for i, (p, t) in enumerate(lines)]
    segs += [Segment(t, "noise", 100 + k, 0, reason="site menu") for k, t in enumerate(noise)]
    return Document(path=f"{lang}.txt", lang=lang, text="\n".join(t for _, t in lines), segments=tuple(segs))


def alignment(vi, id_, beads, score: float = 0.9) -> Alignment:
    s, t = doc(vi, "vi"), doc(id_, "id")
    beads = tuple(b if isinstance(b, Bead) else Bead(tuple(b[0]), tuple(b[1]), b[2] if len(b) > 2 else score) for b in beads)
    return Alignment(s, t, s.content, t.content, beads, "hash-256", params={"min_score": 0.0}, signature="test-sig")


def diagonal(n: int) -> list[tuple]:
    return [((i,), (i,)) for i in range(n)]


def flags_of(al: Alignment) -> list[tuple[str, ...]]:
    return [b.flags for b in flag_beads(al).beads]


# ----------------------------------------------------------------------------- clean


def test_clean_pair_raises_no_flag():
    al = alignment(VI, ID, diagonal(len(VI)))
    out = flag_beads(al)
    assert [b.flags for b in out.beads] == [()] * len(VI), check_beads(al)


def test_clean_pair_with_vectors_raises_no_flag():
    enc = HashEncoder(lexicon=LEXICON)
    sv, tv = enc.encode([t for _, t in VI]), enc.encode([t for _, t in ID])
    scores = [float(sv[i] @ tv[i]) for i in range(len(VI))]
    al = alignment(VI, ID, [((i,), (i,), s) for i, s in enumerate(scores)])
    out = flag_beads(al, sv, tv, params=QualityParams(low_score=0.2))
    assert all(not b.flags for b in out.beads), [b.flags for b in out.beads]


@pytest.mark.parametrize(
    "vi, id_",
    [
        ("Bộ trưởng Lương Tam Quang phát biểu năm 1992.", "Menteri Luong Tam Quang berbicara pada tahun 1992."),
        ("Dự án trị giá 1.000,5 tỷ đồng.", "Proyek senilai 1.000,5 miliar dong."),
        ("Khoản vay 1,000.5 tỷ đồng.", "Pinjaman 1000.5 miliar dong."),
        ("Cam kết 37 tỷ USD.", "Komitmen 37 miliar USD."),
        ("Ngày 25/10 tại Hà Nội.", "Pada 25 Oktober di Hanoi."),
        ("Khoảng 2,5 triệu người.", "Sekitar 2.500.000 orang."),
        ("Có 8 người bị thương.", "Delapan orang terluka."),
        ("58% cử tri ủng hộ.", "Lima puluh delapan persen pemilih mendukung."),
        ("Lúc 11:15 sáng Chủ nhật.", "Pada pukul 11.15 hari Minggu."),
        ("Phó Tổng Thư ký Liên hợp quốc (LHQ) phát biểu.", "Wakil Sekretaris Jenderal PBB berbicara."),
        ("Mặc dù trời mưa, Máy bay vẫn cất cánh.", "Meskipun hujan, pesawat tetap lepas landas."),
        ("Theo ADN của nghi phạm.", "Menurut DNA tersangka."),
        ("Họ chi 10 tỷ USD.", "Mereka menghabiskan $10 miliar."),
    ],
)
def test_no_false_flag_on_equivalent_numbers_and_names(vi, id_):
    al = alignment([(0, vi)], [(0, id_)], diagonal(1))
    found = check_beads(al)[0]
    assert "number-mismatch" not in found and "name-mismatch" not in found, found


def test_number_normalisation():
    assert numbers("1.000,5")[next(iter(numbers("1.000,5")))] == "1.000,5"
    assert set(numbers("1.000,5")) == set(numbers("1,000.5")) == set(numbers("1000.5"))
    assert set(numbers("25/10")) == set(numbers("25 Oktober")) == {"25", "1"}
    assert set(numbers("năm 1992")) != set(numbers("tahun 1993"))
    assert numbers("Theresa May said") == {}  # a name, not a month


# ----------------------------------------------------------------------------- planted faults


def test_dropped_paragraph_is_an_omission():
    id_ = ID[:6] + ID[8:]  # the translator skipped paragraph 4 (two sentences)
    beads = [((i,), (i,)) for i in range(6)] + [((6,), ()), ((7,), ())] + [((8,), (6,)), ((9,), (7,))]
    al = alignment(VI, id_, beads)
    fl = flags_of(al)
    assert fl[6] == ("omission",) and fl[7] == ("omission",)
    assert all(not f for k, f in enumerate(fl) if k not in (6, 7)), fl
    s = summary(flag_beads(al))
    assert s["flags"] == {"omission": 2}
    assert [(u["side"], u["pos"], u["reason"].split(":")[0]) for u in s["unaligned"]] == [
        ("src", 6, "omission"), ("src", 7, "omission")
    ]


def test_addition_is_flagged():
    id_ = ID[:3] + [(1, "Catatan redaksi: artikel ini diperbarui.")] + ID[3:]
    beads = [((i,), (i,)) for i in range(3)] + [((), (3,))] + [((i,), (i + 1,)) for i in range(3, 10)]
    fl = flags_of(alignment(VI, id_, beads))
    assert fl[3] == ("addition",)
    assert sum(1 for f in fl if f) == 1


def test_changed_number_is_flagged_with_both_values():
    id_ = list(ID)
    id_[3] = (2, "Menteri Luong Tam Quang berbicara pada tahun 1993.")
    al = alignment(VI, id_, diagonal(10))
    details = check_beads(al)
    assert "1992" in details[3]["number-mismatch"] and "1993" in details[3]["number-mismatch"]
    assert [k for k, d in enumerate(details) if d] == [3]


def test_missing_name_is_flagged():
    id_ = list(ID)
    id_[3] = (2, "Menteri berbicara pada tahun 1992.")  # the name is kept elsewhere in the translation
    details = check_beads(alignment(VI, id_, diagonal(10)))
    assert details[3] == {"name-mismatch": "source only: Lương Tam Quang"}
    assert [k for k, d in enumerate(details) if d] == [3]


def test_missing_acronym_is_flagged_even_once():
    id_ = list(ID)
    id_[1] = (0, "Ibu Ghada Waly adalah direktur eksekutif badan itu.")
    details = check_beads(alignment(VI, id_, diagonal(10)))
    assert "UNODC" in details[1]["name-mismatch"]


def test_added_name_is_flagged_on_the_target_side():
    id_ = list(ID)
    id_[9] = (5, "Pertemuan dengan Ghada Waly berlangsung dalam suasana yang bersahabat.")
    details = check_beads(alignment(VI, id_, diagonal(10)))
    assert details[9] == {"name-mismatch": "target only: Ghada Waly"}


def test_shifted_block_is_drift():
    """Sentences 3-6 paired with the next target: every pair is wrong, scores are low."""
    enc = HashEncoder(lexicon=LEXICON)
    sv, tv = enc.encode([t for _, t in VI]), enc.encode([t for _, t in ID])
    pairs = [(0, 0), (1, 1), (2, 2), (3, 4), (4, 5), (5, 6), (6, 7), (7, 3), (8, 8), (9, 9)]
    beads = [Bead((i,), (j,), float(sv[i] @ tv[j])) for i, j in pairs]
    al = alignment(VI, ID, beads)
    low = QualityParams().low_score
    assert all(b.score < low for b in beads[3:8]) and all(b.score >= low for b in beads[:3] + beads[8:])
    fl = flags_of(al)
    assert [k for k, f in enumerate(fl) if "drift" in f] == [3, 4, 5, 6, 7]
    assert check_beads(al)[5]["drift"] == "one of 5 low-score pairs in a row (rows 4–8)"
    assert all("low-score" in f for f in fl[3:8])
    # the wrong pairs also disagree on numbers
    assert sum("number-mismatch" in f for f in fl[3:8]) >= 2


def test_two_low_scores_in_a_row_are_not_drift():
    beads = [((i,), (i,), 0.3 if i in (4, 5) else 0.9) for i in range(10)]
    fl = flags_of(alignment(VI, ID, beads))
    assert fl[4] == fl[5] == ("low-score",)
    assert not any("drift" in f for f in fl)


def test_null_beads_do_not_break_a_drift_run():
    beads = [((0,), (0,), 0.9), ((1,), (1,), 0.2), ((2,), (), 0.0), ((3,), (2,), 0.2), ((4,), (3,), 0.2)]
    beads += [((i,), (i - 1,), 0.9) for i in range(5, 10)] + [((), (9,), 0.0)]
    fl = flags_of(alignment(VI, ID, beads))
    assert [k for k, f in enumerate(fl) if "drift" in f] == [1, 3, 4]


def test_length_ratio_outlier():
    id_ = list(ID)
    id_[9] = (5, ID[9][1][:-1] + ", dan kedua delegasi kemudian mengunjungi pameran teknologi keamanan siber yang "
              "diselenggarakan oleh kementerian selama tiga hari berturut-turut di pusat kota bersama para pakar.")
    details = check_beads(alignment(VI, id_, diagonal(10)))
    assert "length-ratio" in details[9]
    assert [k for k, d in enumerate(details) if "length-ratio" in d] == [9]
    short = list(ID)
    short[0] = (0, "Menteri Luong Tam Quang menerima Ghada Waly.")
    d0 = check_beads(alignment(VI, short, diagonal(10)))[0]
    assert "length-ratio" in d0 and d0["length-ratio"].startswith("target/source length 0.")


def test_moved_sentence_is_told_apart_from_a_dropped_one():
    """Source 1 is translated at the end (moved); source 6 is not translated at all."""
    vi = VI
    id_ = [ID[0]] + ID[2:6] + ID[7:] + [ID[1]]
    enc = HashEncoder(lexicon=LEXICON)
    sv, tv = enc.encode([t for _, t in vi]), enc.encode([t for _, t in id_])
    beads = [((0,), (0,)), ((1,), ()), ((2,), (1,)), ((3,), (2,)), ((4,), (3,)), ((5,), (4,)), ((6,), ()),
             ((7,), (5,)), ((8,), (6,)), ((9,), (7,)), ((), (8,))]
    al = flag_beads(alignment(vi, id_, beads), sv, tv)
    assert al.beads[1].flags == ("omission", "moved")
    assert al.beads[6].flags == ("omission",)
    assert al.beads[10].flags == ("addition", "moved")
    # Target index 8, numbered from 1 as the report page numbers segments.
    assert "best match is target segment 9 " in flag_details(al, sim=sv @ tv.T)[1]["moved"]
    assert "best match is source segment 2 " in flag_details(al, sim=sv @ tv.T)[10]["moved"]


@pytest.mark.parametrize("threads", ["1", "2", "3"])
def test_the_text_checks_beside_the_moved_check_give_what_they_give_one_after_the_other(monkeypatch, threads):
    """The text checks run on a helper thread beside the moved check (``check_beads``): same flags on any thread count,
    the same as each check alone, and the switch interval is the caller's again afterwards."""
    from align.common import cores
    from align.quality import flags

    id_ = [ID[0]] + ID[2:6] + [(4, "Konferensi berikutnya akan berlangsung pada bulan Maret 2027.")] + ID[8:] + [ID[1]]
    enc = HashEncoder(lexicon=LEXICON)
    sv, tv = enc.encode([t for _, t in VI]), enc.encode([t for _, t in id_])
    beads = [((0,), (0,)), ((1,), ()), ((2,), (1,)), ((3,), (2,)), ((4,), (3,)), ((5,), (4,)), ((6,), ()),
             ((7,), (5,)), ((8,), (6,)), ((9,), (7,)), ((), (8,))]
    al = alignment(VI, id_, beads)
    p = QualityParams()
    monkeypatch.setenv("OMP_NUM_THREADS", threads)
    cores.reset_helpers()
    before = sys.getswitchinterval()
    try:
        found = check_beads(al, sv, tv, params=p)
    finally:
        cores.reset_helpers()
    moved = flags._moved_issues(al, flags._Cosines(sv, tv), p)
    texts = flags._check_texts(al, p)
    assert moved and any("number-mismatch" in d for d in texts)  # both kinds of check have something to say
    assert found == [{c: {**t, **({"moved": moved[k]} if k in moved else {})}[c] for c in FLAGS
                      if c in t or (c == "moved" and k in moved)} for k, t in enumerate(texts)]
    assert sys.getswitchinterval() == before


# ----------------------------------------------------------------------------- contract


def test_flag_beads_returns_a_new_alignment_and_is_idempotent():
    id_ = list(ID)
    id_[3] = (2, "Menteri Luong Tam Quang berbicara pada tahun 1993.")
    al = alignment(VI, id_, diagonal(10))
    once = flag_beads(al)
    assert al.beads[3].flags == () and once is not al
    assert once.beads[3].flags == ("number-mismatch",)
    assert flag_beads(once) == once
    assert once.params["quality"]["low_score"] == 0.5 and once.params["min_score"] == 0.0
    assert once.signature == al.signature and once.src == al.src


def test_flags_keep_the_documented_order():
    beads = [Bead((i,), (i,), 0.1) for i in range(10)]
    id_ = list(ID)
    id_[3] = (2, "Menteri berbicara pada tahun 1993.")
    fl = flags_of(alignment(VI, id_, beads))
    order = list(FLAGS)
    assert fl[3] == tuple(sorted(fl[3], key=order.index))
    assert fl[3][:2] == ("low-score", "drift") and "number-mismatch" in fl[3] and "name-mismatch" in fl[3]


def test_flag_details_use_the_stored_thresholds():
    beads = [((i,), (i,), 0.65) for i in range(10)]
    al = flag_beads(alignment(VI, ID, beads), params=QualityParams(low_score=0.7))
    assert all(b.flags[:1] == ("low-score",) for b in al.beads)
    assert flag_details(al)[0]["low-score"] == "score 0.65 below 0.70"


def test_every_flag_has_a_title_and_explanation():
    for code, f in FLAGS.items():
        assert f.code == code and f.title and f.explanation.endswith((".", "?"))


def test_summary_counts():
    noise = ("Trang chủ | Tin tức",)
    id_ = ID[:6] + [(4, ID[6][1] + " " + ID[7][1]), (5, "Ibu Ghada Waly berterima kasih"),
                    (5, "kepada Kementerian Keamanan Publik Vietnam.")]  # a merge and a split
    s_doc, t_doc = doc(VI, "vi", noise), doc(id_, "id", noise + ("Bình luận",))
    beads = [Bead((i,), (i,), 0.9) for i in range(6)] + [Bead((6, 7), (6,), 0.8), Bead((8,), (7, 8), 0.7),
                                                         Bead((9,), (), 0.0)]
    al = Alignment(s_doc, t_doc, s_doc.content, t_doc.content, tuple(beads), "hash-256", {"x": 1}, "sig-1")
    s = summary(flag_beads(al))
    assert s["segments"] == {"src": 10, "tgt": 9, "src_noise": 1, "tgt_noise": 2}
    assert s["tus"] == 8 and s["beads"] == 9
    assert s["bead_types"] == {"1-1": 6, "1-0": 1, "1-2": 1, "2-1": 1}
    src_chars = sum(len(t) for _, t in VI)
    assert s["coverage"]["src"] == pytest.approx((src_chars - len(VI[9][1])) / src_chars)
    assert s["coverage"]["tgt"] == 1.0
    assert s["score"]["min"] == 0.7 and s["score"]["mean"] == pytest.approx((6 * 0.9 + 0.8 + 0.7) / 8)
    assert s["flags"] == {"omission": 1} and s["flagged_beads"] == 1
    assert s["unaligned_counts"] == {"omission": 1, "noise": 3}
    assert {u["text"] for u in s["unaligned"]} == {VI[9][1], "Trang chủ | Tin tức", "Bình luận"}
    all_chars = src_chars + sum(len(t) for _, t in id_)
    assert s["quality"] == pytest.approx(1 - len(VI[9][1]) / all_chars)
    assert s["model_id"] == "hash-256" and s["signature"] == "sig-1" and s["params"]["x"] == 1
    assert {"python", "numpy"} <= set(s["versions"]) and s["flagged"] is True


def test_summary_of_an_unflagged_alignment_says_so():
    s = summary(alignment(VI, ID, diagonal(10)))
    assert s["flagged"] is False and s["quality"] == 1.0


def test_empty_alignment():
    al = alignment([], [], [])
    out = flag_beads(al)
    s = summary(out)
    assert out.beads == () and s["tus"] == 0 and s["score"]["mean"] is None and s["quality"] == 0.0


def test_replace_keeps_other_bead_fields():
    al = alignment(VI, ID, diagonal(10))
    out = flag_beads(al)
    assert [dataclasses.replace(b, flags=()) for b in out.beads] == list(al.beads)
    assert np.isclose(sum(b.score for b in out.beads), 9.0)


def test_flag_details_of_a_just_flagged_alignment_reuse_its_checks(monkeypatch):
    import align.quality.flags as quality

    id_ = list(ID)
    id_[3] = (2, "Menteri Luong Tam Quang berbicara pada tahun 1993.")
    flagged = flag_beads(alignment(VI, id_, diagonal(10)))
    expected = check_beads(flagged, params=QualityParams())

    def no_second_run(*a, **k):
        raise AssertionError("the checks ran again")

    monkeypatch.setattr(quality, "check_beads", no_second_run)
    details = flag_details(flagged)
    assert details[3]["number-mismatch"] == expected[3]["number-mismatch"]
    # any other object (a copy with other beads, say) is checked afresh
    copy = dataclasses.replace(flagged, beads=flagged.beads)
    with pytest.raises(AssertionError, match="ran again"):
        flag_details(copy)
