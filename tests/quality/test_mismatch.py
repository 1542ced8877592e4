"""Number and name checks of one bead (align.quality.mismatch).

Loose on purpose (a missed flag costs less than a false one), so the tests pin
both directions: what must match across scripts and spellings, and what must be
flagged.
"""

from align.quality.mismatch import TextIndex, fold, name_issue, number_issue, numbers


def test_fold_strips_case_and_vietnamese_diacritics():
    assert fold("Lương Tam Quang") == "luong tam quang"
    assert fold("Đà Nẵng") == "da nang"


def test_numbers_compare_by_digits_whatever_the_separators():
    assert set(numbers("1.000,5 đồng")) == set(numbers("1,000.5 rupiah"))
    assert set(numbers("lúc 11:15")) == set(numbers("pukul 11.15"))
    assert set(numbers("2.500.000")) == set(numbers("2,5 juta"))


def test_month_names_count_as_numbers_only_when_capitalised_or_dated():
    # "25 Oktober" carries the same numbers as "25/10" (keys lose their zeros: 10 -> "1")
    assert set(numbers("Pada 25 Oktober")) == set(numbers("ngày 25/10")) == {"25", "1"}
    assert numbers("May I help?") == {}  # a word that is also a month counts only beside a number
    assert set(numbers("on 5 May")) == {"5"}
    assert numbers("bulan mei") == {}  # lower case is an ordinary word


def test_number_issue_flags_a_number_on_one_side_only():
    assert number_issue("Có 25 người.", "Ada 25 orang.") is None
    issue = number_issue("Có 25 người.", "Ada 26 orang.")
    assert issue == "source only: 25; target only: 26"


def test_a_number_written_out_in_words_is_not_a_mismatch():
    assert number_issue("Có 8 người.", "Ada delapan orang.") is None
    assert number_issue("58% dân số", "lima puluh delapan persen penduduk") is None


def test_name_issue_matches_names_across_diacritics_and_flags_missing_acronyms():
    src_doc, tgt_doc = TextIndex("Ông Lương Tam Quang nói."), TextIndex("Bapak Luong Tam Quang berkata.")
    assert name_issue("Ông Lương Tam Quang nói.", "Bapak Luong Tam Quang berkata.", src_doc, tgt_doc) is None
    issue = name_issue("Tổ chức UNODC họp.", "Organisasi itu bertemu.", TextIndex("UNODC"), TextIndex(""))
    assert issue == "source only: UNODC"


def test_a_translated_name_with_a_counterpart_left_is_not_flagged():
    # "Trung Quốc" became "Tiongkok": the other side still has an unmatched name that can be its translation
    src, tgt = "Trung Quốc tham gia.", "Tiongkok ikut serta."
    assert name_issue(src, tgt, TextIndex(src), TextIndex(tgt)) is None
