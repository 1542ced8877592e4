"""Review sheets from outside (issue 19): an exact TSV escape, bounded reading, and messages that say what is wrong.

Case 2: the TSV round trip changed text that starts with an apostrophe.
Case 3: ``import-review`` read without limits (a zip bomb, ``/dev/zero``, a FIFO).
Misleading messages: a formula cell read as "one side empty"; a review sheet
refused when it was not the first sheet of the workbook.
"""

from __future__ import annotations

import contextlib
import os
import signal
import struct
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from align.cli.main import main
from align.common.errors import InputError
from align.common.model import Alignment, Bead, Document, Segment
from align.formats import review as review_mod
from align.formats.review import import_review, read_review, review_rows, tsv_escape, tsv_unescape, write_review
from align.formats.tmx import clean_text, read_tmx, write_tmx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fuzz"))
from fuzz_review import HEADER, INFO, ROWS, Formula, Shared, sheet_xml, xlsx_bytes  # noqa: E402

# --------------------------------------------------------------------------- helpers


def doc(path: str, lang: str, texts: list[str]) -> Document:
    """One segment per text, one paragraph each, spans into the joined text."""
    text, segs = "", []
    for p, t in enumerate(texts):
        if text:
            text += "\n"
        segs.append(Segment(t, "sentence", p, 0, (len(text), len(text) + len(t))))
        text += t
    return Document(path, lang, text, tuple(segs))


def alignment(src: list[str], tgt: list[str]) -> Alignment:
    """1-1 beads (accepted by default), and a 2-1 bead when the source has one more segment."""
    s, t = doc("a.vi.txt", "vi", src), doc("a.id.txt", "id", tgt)
    beads = [Bead((k,), (k,), 0.9) for k in range(len(tgt) - 1)]
    last = len(tgt) - 1
    beads.append(Bead(tuple(range(last, len(src))), (last,), 0.9))
    return Alignment(s, t, s.segments, t.segments, tuple(beads), "hash-256", signature="align:test")


def units(path: Path) -> list[tuple[str, str]]:
    return [(tu.src, tu.tgt) for tu in read_tmx(path).tus]


def cli(capsys, *args) -> tuple[int, str]:
    try:
        main([*map(str, args)])
        code = 0
    except SystemExit as e:
        code = e.code
    return code, capsys.readouterr().err


@contextlib.contextmanager
def deadline(seconds: int):
    """Fail (TimeoutError) instead of hanging: a FIFO read without limits blocks forever."""

    def fire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def review_xlsx(tmp_path: Path, sheets, **kw) -> Path:
    path = tmp_path / "r.xlsx"
    path.write_bytes(xlsx_bytes(sheets, **kw))
    return path


# --------------------------------------------------------------------------- case 2: the TSV escape is exact

QUOTED_VI = ["''Nhà mới'' ở Hà Nội.", "'Một' câu trong ngoặc.", "'=SUM(A1)' là gì?", "=SUM(A1:A3) là công thức.",
             "+84 912 345 678", "-5 độ C vào sáng nay.", "@nguoidung đã viết.", "'''", "''=x", "' cách", "Bình thường."]
QUOTED_ID = ["''Rumah baru'' di Hanoi.", "'Satu' kalimat.", "Apa itu '=SUM(A1)'?", "=SUM(A1:A3) adalah rumus.",
             "+84 912 345 678", "-5 derajat pagi ini.", "@pengguna menulis.", "'''", "''=x", "' spasi", "Biasa."]


def test_tsv_round_trip_keeps_leading_quotes(capsys, tmp_path):
    """Case 2: ``''Nhà mới'' ở Hà Nội.`` came back as ``'Nhà mới''…``: the writer left it unescaped, the reader cut one."""
    al = alignment(QUOTED_VI, QUOTED_ID)
    write_review(al, tmp_path / "r.tsv")
    assert [(r.source, r.target) for r in read_review(tmp_path / "r.tsv").rows] == list(zip(QUOTED_VI, QUOTED_ID))
    code, err = cli(capsys, "import-review", tmp_path / "r.tsv", "-o", tmp_path / "out.tmx")
    assert code == 0, err
    write_tmx(al, tmp_path / "run.tmx")
    assert units(tmp_path / "out.tmx") == units(tmp_path / "run.tmx") == list(zip(QUOTED_VI, QUOTED_ID))


def test_tsv_cells_are_escaped_against_formulas(tmp_path):
    """Formula injection stays blocked: no TSV text cell starts with = + - @ (a spreadsheet would run it)."""
    write_review(alignment(QUOTED_VI, QUOTED_ID), tmp_path / "r.tsv")
    lines = (tmp_path / "r.tsv").read_text(encoding="utf-8-sig").splitlines()[1:]
    cells = [c for line in lines for c in line.split("\t")[1:3]]
    assert cells and not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert "'''Nhà mới'' ở Hà Nội." in cells and "''Satu' kalimat." in cells


@settings(max_examples=500, deadline=None)
@given(st.text() | st.from_regex(r"\A['=+\-@\t\r]{1,4}.{0,8}\Z"))
def test_tsv_escape_is_exact_and_never_starts_a_formula(text):
    cell = tsv_escape(text)
    assert tsv_unescape(cell) == text
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


# Any text but the control characters the TMX writer removes (a removed one in front of a no-break space
# at a segment's edge is a difference of the writers' whitespace handling, not of the sheet; see the report).
_PIECE = st.sampled_from(
    list("'=+-@\t\r\n \"aĐệ,;") + ["''", "'=", "'+", "\u2028", "\x85", "\x0b", "\x1f", "\u00a0", "\ufeff", "=SUM(A1)",
                                   "Nhà mới", "e\u0301", "\U0001f600"]
) | st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=4)
# Every text that starts as a formula, a quote or quotes does (case 2 was ''Nhà mới'').
_LEAD = st.sampled_from(["", "'", "''", "'''", "'=", "''=", "=", "+", "-", "@", "\t", "\r", " ''", "'\t"])
_SEGMENT = st.tuples(_LEAD, st.lists(_PIECE, max_size=10).map("".join)).map("".join)
_PAIRS = st.lists(st.tuples(_SEGMENT, _SEGMENT), min_size=1, max_size=5)
_PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _round_trip(tmp_path: Path, fmt: str, pairs: list[tuple[str, str]], extra: str) -> tuple[list, list]:
    src, tgt = [s for s, _ in pairs] + [extra], [t for _, t in pairs]
    assume(all(clean_text(x)[0] for x in src + tgt))  # a segment has text (the reader never makes an empty one)
    al = alignment(src, tgt)
    sheet, out, direct = tmp_path / f"r.{fmt}", tmp_path / f"{fmt}.tmx", tmp_path / f"{fmt}-run.tmx"
    write_review(al, sheet)
    # the sheet gives back each cell exactly as written ...
    assert [(r.source, r.target) for r in read_review(sheet).rows] == [(r.source, r.target) for r in review_rows(al)]
    # ... and import-review writes the very units `align run` writes for the same beads (the caller compares)
    import_review(sheet, out)
    write_tmx(al, direct)
    return units(out), units(direct)


@_PROPERTY
@given(_PAIRS, _SEGMENT)
def test_any_text_survives_the_tsv_round_trip(tmp_path_factory, pairs, extra):
    imported, direct = _round_trip(tmp_path_factory.mktemp("tsv"), "tsv", pairs, extra)
    assert imported == direct


@_PROPERTY
@given(_PAIRS, _SEGMENT)
def test_any_text_survives_the_xlsx_round_trip(tmp_path_factory, pairs, extra):
    imported, direct = _round_trip(tmp_path_factory.mktemp("xlsx"), "xlsx", pairs, extra)
    assert imported == direct


# --------------------------------------------------------------------------- case 3: bounded reading

BOMB_TEXT = "A" * (6 * 2**20)  # 6 MB of one letter: a few KB packed


def bomb(tmp_path: Path) -> Path:
    return review_xlsx(tmp_path, [("review", [HEADER, [1, "Một.", Shared(0), 0.9, "1-1", "", "yes", "0", "0"]])],
                       shared=[BOMB_TEXT])


def test_xlsx_zip_bomb_is_refused_before_it_is_inflated(capsys, tmp_path, monkeypatch):
    """Case 3: a 307 KB XLSX whose shared strings expand to 300 MB was imported (25 s, 1.9 GB, a 300 MB TMX).

    The limit is lowered so that the test builds only 6 MB; the file is refused
    by the declared sizes, before anything is inflated.
    """
    monkeypatch.setattr(review_mod, "MAX_XLSX_UNPACKED", 4 * 2**20)
    monkeypatch.setattr(review_mod, "MAX_XLSX_RATIO", 10**9)  # the size limit, not the ratio, refuses it here
    path = bomb(tmp_path)
    assert path.stat().st_size < 100_000
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"unpacks to 6 MB or more \(the limit is 4 MB unpacked\)") as e:
        read_review(path)
    assert time.perf_counter() - start < 2 and "r.xlsx" in str(e.value) and "split the review" in str(e.value)
    code, err = cli(capsys, "import-review", path, "-o", tmp_path / "out.tmx")
    assert code == 3 and len(err.strip().splitlines()) == 1 and "limit is 4 MB" in err
    assert not (tmp_path / "out.tmx").exists()


def test_xlsx_part_packed_more_than_a_spreadsheet_packs_is_refused(tmp_path):
    """Within the size limit, a part that unpacks to a thousand times its packed size is a bomb too."""
    with pytest.raises(InputError, match=r"part 'xl/sharedStrings.xml' unpacks to \d+ times its packed size \(the limit is 100\)"):
        read_review(bomb(tmp_path))


def test_xlsx_part_larger_than_its_declared_size_is_not_inflated_past_it(tmp_path, monkeypatch):
    """Declared sizes can lie: the check inflates each part as a stream, and zipfile stops at the declared size."""
    data = bytearray(bomb(tmp_path).read_bytes())
    name = b"xl/sharedStrings.xml"
    at = next(k for k in range(len(data)) if data.startswith(b"PK\x01\x02", k) and data[k + 46:k + 46 + len(name)] == name)
    struct.pack_into("<I", data, at + 24, 1000)  # the central directory's uncompressed size
    (tmp_path / "lie.xlsx").write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"not an Excel .xlsx workbook \(BadZipFile: Bad CRC-32"):
        read_review(tmp_path / "lie.xlsx")


def test_repeated_shared_string_is_bounded(tmp_path, monkeypatch):
    """One long shared string used by every row: small packed and unpacked, huge once each cell holds it."""
    monkeypatch.setattr(review_mod, "MAX_SHEET_TEXT", 200_000)
    rows = [[k, "Một câu.", Shared(0), 0.9, "1-1", "", "yes", "0", "0"] for k in range(1, 41)]
    path = review_xlsx(tmp_path, [("review", [HEADER, *rows])], shared=["kata " * 6000])
    with pytest.raises(InputError, match="the sheet's cells hold more than 200000 characters"):
        import_review(path, tmp_path / "out.tmx")
    assert not (tmp_path / "out.tmx").exists()


@pytest.mark.parametrize("suffix", [".tsv", ".xlsx"])
def test_review_symlink_to_dev_zero_is_refused(capsys, tmp_path, suffix):
    """Case 3: a .tsv/.xlsx symlink to /dev/zero died with MemoryError."""
    path = tmp_path / f"r{suffix}"
    os.symlink("/dev/zero", path)
    with deadline(20), pytest.raises(InputError, match="is a device, not a regular file"):
        read_review(path)
    code, err = cli(capsys, "import-review", path, "-o", tmp_path / "out.tmx")
    assert code == 3 and len(err.strip().splitlines()) == 1 and f"r{suffix}" in err


@pytest.mark.parametrize("suffix", [".tsv", ".xlsx"])
def test_review_fifo_is_refused_without_hanging(capsys, tmp_path, suffix):
    """Case 3: a FIFO named .tsv hung forever."""
    path = tmp_path / f"r{suffix}"
    os.mkfifo(path)
    with deadline(10), pytest.raises(InputError, match="is a FIFO, not a regular file"):
        read_review(path)
    with deadline(10):
        code, err = cli(capsys, "import-review", path, "-o", tmp_path / "out.tmx")
    assert code == 3 and "FIFO" in err and not (tmp_path / "out.tmx").exists()


def test_review_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(review_mod, "MAX_REVIEW_BYTES", 1000)
    (tmp_path / "r.tsv").write_text("source\ttarget\taccept\n" + "a\tb\tyes\n" * 200, encoding="utf-8")
    with pytest.raises(InputError, match=r"r.tsv: is too large \(2 KB; the limit is 1 KB\)"):
        read_review(tmp_path / "r.tsv")


def test_xlsx_with_too_many_parts_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(review_mod, "MAX_XLSX_PARTS", 50)
    path = review_xlsx(tmp_path, [("review", [HEADER, *ROWS])], parts={f"x/{k}.bin": b"" for k in range(60)})
    with pytest.raises(InputError, match="has more than 50 parts"):
        read_review(path)


def test_xlsx_listing_one_sheet_a_thousand_times_is_refused(tmp_path):
    """openpyxl opens every listed sheet on loading: 20,000 entries in a 64 KB file took it 20 s."""
    path = review_xlsx(tmp_path, [("review", [HEADER, *ROWS])], shared=["x"], sheet_entries=1000)
    start = time.perf_counter()
    with pytest.raises(InputError, match="lists more than 256 sheets"):
        read_review(path)
    assert time.perf_counter() - start < 2


def test_xlsx_row_far_below_is_refused_quickly(tmp_path, monkeypatch):
    """A row numbered 50,000,000 made openpyxl yield 50 million empty rows before it."""
    monkeypatch.setattr(review_mod, "MAX_SHEET_ROWS", 10_000)
    xml = sheet_xml({1: HEADER, 2: ROWS[0], 50_000_000: ROWS[1]})
    with deadline(20), pytest.raises(InputError, match="sheet 'review' has more than 10000 rows"):
        read_review(review_xlsx(tmp_path, [("review", xml)]))


def test_xlsx_huge_dimension_does_not_pad_the_rows(tmp_path):
    """<dimension ref="A1:XFD1048576"/> made openpyxl pad every row to 16,384 cells, down to row 1,048,576."""
    xml = sheet_xml([HEADER, ROWS[0], ROWS[1]], dimension="A1:XFD1048576")
    with deadline(20):
        sheet = read_review(review_xlsx(tmp_path, [("review", xml)]))
    assert [r.source for r in sheet.rows] == [ROWS[0][1], ROWS[1][1]]


def test_xlsx_dimension_smaller_than_the_sheet_loses_no_row(tmp_path):
    """A <dimension> that is too small made openpyxl stop early: rows and columns silently lost."""
    xml = sheet_xml([HEADER, *[r for r in ROWS if not isinstance(r[2], Shared)]], dimension="A1:C2")
    sheet = read_review(review_xlsx(tmp_path, [("review", xml)]))
    assert [r.bead for r in sheet.rows] == [1, 2, 4]
    assert sheet.rows[1].source == "''Nhà mới'' ở Hà Nội." and sheet.rows[0].accepted


# --------------------------------------------------------------------------- misleading messages


def test_formula_cell_is_reported_as_a_formula_not_as_one_side_empty(capsys, tmp_path):
    """A formula without a cached value (as openpyxl and scripts write them) was read as an empty cell."""
    path = review_xlsx(tmp_path, [("review", [HEADER, [1, "Hà Nội.", Formula("B2"), 0.9, "1-1", "", "yes", "0", "0"]])])
    with pytest.raises(InputError, match=r"row 2: the target cell holds a formula \(=B2\), not text"):
        import_review(path, tmp_path / "out.tmx")
    code, err = cli(capsys, "import-review", path, "-o", tmp_path / "out.tmx")
    assert code == 3 and len(err.strip().splitlines()) == 1 and "formula" in err and "one side empty" not in err
    assert "paste them as values" in err and not (tmp_path / "out.tmx").exists()


def test_formula_typed_by_a_script_into_the_written_sheet(tmp_path):
    """The sheet `--review-xlsx` wrote, changed by a script: openpyxl stores "=..." as a formula."""
    path = tmp_path / "r.xlsx"
    write_review(alignment(["Một.", "Hai."], ["Satu."]), path)
    wb = openpyxl.load_workbook(path)
    wb["review"]["C2"] = "=B2"
    wb.save(path)
    with pytest.raises(InputError, match=r"row 2: the target cell holds a formula \(=B2\)"):
        read_review(path)


def test_review_sheet_is_found_when_it_is_not_the_first(capsys, tmp_path):
    """A review sheet renamed and moved behind another sheet was refused: "missing column(s)" of the first sheet."""
    path = review_xlsx(tmp_path, [("Ghi chú", [["Ghi chú của người duyệt"], ["Xong hàng 1-3."]]),
                                  ("Đã duyệt", [HEADER, *ROWS]), ("info", INFO)], shared=["Kalimat satu dan dua."])
    code, err = cli(capsys, "import-review", path, "-o", tmp_path / "out.tmx")
    assert code == 0, err
    assert units(tmp_path / "out.tmx")[:2] == [("Hà Nội là thủ đô.", "Hanoi adalah ibu kota."),
                                               ("''Nhà mới'' ở Hà Nội.", "'=SUM(A1)' rumus.")]


def test_review_sheet_moved_in_the_written_workbook(tmp_path):
    """The same in the workbook `--review-xlsx` wrote: a sheet added in front, the review sheet renamed."""
    path = tmp_path / "r.xlsx"
    write_review(alignment(["Một.", "Hai."], ["Satu."]), path)
    wb = openpyxl.load_workbook(path)
    wb["review"].title = "checked"
    wb.create_sheet("notes", 0)["A1"] = "done"
    wb.save(path)
    sheet = read_review(path)
    assert [(r.source, r.target) for r in sheet.rows] == [("Một.\nHai.", "Satu.")]
    assert (sheet.src_lang, sheet.document) == ("vi", "a.vi.txt")


def test_no_review_sheet_names_the_sheets_seen(tmp_path):
    path = review_xlsx(tmp_path, [("notes", [["Ghi chú"]]), ("data", [["câu", "kalimat"], ["a", "b"]])])
    with pytest.raises(InputError, match=r"no sheet has a header row naming the columns source, target, accept "
                                         r"\(sheets: 'notes', 'data'\)"):
        read_review(path)


def test_two_review_sheets_are_refused(tmp_path):
    """Which of two sheets holds the reviewer's verdicts is not for the importer to guess."""
    path = review_xlsx(tmp_path, [("review", [HEADER, ROWS[0]]), ("review (2)", [HEADER, ROWS[1]])])
    with pytest.raises(InputError, match=r"2 sheets have a review header row \('review', 'review \(2\)'\)"):
        read_review(path)


def test_single_sheet_without_the_columns_keeps_the_detailed_message(tmp_path):
    path = review_xlsx(tmp_path, [("Sheet1", [["bead", "source", "target"], [1, "a", "b"]])])
    with pytest.raises(InputError, match=r"missing column\(s\) accept in the header row \(found: bead, source, target\)"):
        read_review(path)


# --------------------------------------------------------------------------- hostile cells (found by the fuzzer)


@pytest.mark.parametrize("column, value", [("bead", "nan"), ("bead", "inf"), ("score", "1e999"), ("score", "-inf")])
def test_numbers_that_are_not_finite_are_refused(tmp_path, column, value):
    (tmp_path / "r.tsv").write_text(f"{column}\tsource\ttarget\taccept\n{value}\ta\tb\tyes\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"row 2: {column} '{value}' is not a number"):
        import_review(tmp_path / "r.tsv", tmp_path / "out.tmx")


def test_segment_numbers_too_long_for_an_int_are_refused(tmp_path):
    (tmp_path / "r.tsv").write_text("source\ttarget\taccept\tsource segments\na\tb\tyes\t" + "9" * 5000 + "\n",
                                    encoding="utf-8")
    with pytest.raises(InputError, match="row 2: source segments '9+…' is not a list of segment numbers"):
        read_review(tmp_path / "r.tsv")


def test_tsv_cell_over_the_csv_field_limit_is_an_input_error(tmp_path):
    (tmp_path / "r.tsv").write_text('source\ttarget\taccept\n"' + "a" * 200_000 + '"\tb\tyes\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2: field larger than field limit"):
        read_review(tmp_path / "r.tsv")


def test_language_in_the_sheet_header_that_is_not_a_code_is_an_input_error(tmp_path):
    (tmp_path / "r.tsv").write_text("source (vn)\ttarget (id)\taccept\na\tb\tyes\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"r.tsv: the source language 'vn' the sheet names is not a language code"):
        import_review(tmp_path / "r.tsv", tmp_path / "out.tmx")


def test_written_xlsx_stays_within_the_limits(tmp_path):
    """The workbook `--review-xlsx` writes passes every check with room to spare (ratio, parts, sheets)."""
    texts = [f"Câu số {k} nói về Hà Nội và thời tiết." for k in range(1000)]
    path = tmp_path / "r.xlsx"
    write_review(alignment(texts, [f"Kalimat nomor {k}." for k in range(999)]), path)
    with zipfile.ZipFile(path) as z:
        worst = max(i.file_size / max(i.compress_size, 1) for i in z.infolist())
    assert worst < review_mod.MAX_XLSX_RATIO / 2
    assert len(read_review(path).rows) == 999
