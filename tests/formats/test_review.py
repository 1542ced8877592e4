"""Review sheets: every bead as a row to accept or correct, and the accepted rows back as TMX."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import documents
import openpyxl
import pytest

from align.cli.main import main
from align.common.errors import InputError
from align.common.model import Alignment, Bead, Document
from align.formats.review import (
    ACCEPT_MIN_SCORE,
    default_accept,
    import_review,
    read_review,
    review_rows,
    row_checksum,
    write_review,
)
from align.formats.tmx import read_tmx

NOW = datetime(2024, 5, 17, 8, 30, 5, tzinfo=UTC)
DATA = Path(__file__).resolve().parents[1] / "data"


def make_doc(path: str, lang: str, sents: list[str]) -> Document:
    return documents.make_doc(path, lang, [[s] for s in sents], para_sep="\n")


VI = [
    "Hà Nội là thủ đô của Việt Nam.",  # 0
    "Thành phố có hơn 8 triệu dân.",  # 1
    "Mùa thu ở đây rất đẹp.",  # 2
    "Người dân thường đi dạo quanh hồ.",  # 3
    "Câu này không được dịch.",  # 4  (omission)
    "=SUM(A1:A3) là một công thức.",  # 5  (looks like a formula)
    "Giá vé là 50.000 đồng.",  # 6
]
ID = [
    "Hanoi adalah ibu kota Vietnam.",  # 0
    "Kota ini memiliki lebih dari 8 juta penduduk.",  # 1
    "Musim gugur di sini sangat indah, dan warga sering berjalan-jalan di sekitar danau.",  # 2  (2-1 with 2, 3)
    "Kalimat tambahan.",  # 3 (addition)
    "=SUM(A1:A3) adalah sebuah rumus.",  # 4
    "Harga tiket 80.000 dong.",  # 5
]
BEADS = (
    Bead((0,), (0,), 0.95),
    Bead((1,), (1,), 0.5),  # exactly the bar: accepted
    Bead((2, 3), (2,), 0.81),
    Bead((4,), (), 0.0, ("omission",)),
    Bead((), (3,), 0.0, ("addition",)),
    Bead((5,), (4,), 0.49),  # just below: not accepted
    Bead((6,), (5,), 0.9, ("number-mismatch",)),  # flagged: not accepted
)


@pytest.fixture
def alignment() -> Alignment:
    s = make_doc("/data/in/bai-viet.vi.txt", "vi", VI)
    t = make_doc("/data/in/bai-viet.id.txt", "id", ID)
    return Alignment(s, t, s.segments, t.segments, BEADS, "hash-256", signature="align:test")


# --------------------------------------------------------------------------- rows


def test_one_row_per_bead_in_order_null_beads_included(alignment):
    rows = review_rows(alignment)
    assert [r.bead for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert [r.type for r in rows] == ["1-1", "1-1", "2-1", "1-0", "0-1", "1-1", "1-1"]
    assert rows[2].source == VI[2] + "\n" + VI[3]  # one segment per line
    assert (rows[3].source, rows[3].target) == (VI[4], "")
    assert (rows[4].source, rows[4].target) == ("", ID[3])
    assert rows[2].src_segments == (2, 3) and rows[2].tgt_segments == (2,)
    assert rows[4].src_segments == () and rows[4].tgt_segments == (3,)
    assert rows[6].flags == ("number-mismatch",)


def test_accept_rule(alignment):
    assert ACCEPT_MIN_SCORE == 0.5
    rows = review_rows(alignment)
    assert [r.accept for r in rows] == ["yes", "yes", "yes", "", "", "", ""]
    assert default_accept(Bead((0,), (0,), 0.5)) and not default_accept(Bead((0,), (0,), 0.4999))
    assert not default_accept(Bead((0,), (), 1.0)) and not default_accept(Bead((0,), (0,), 1.0, ("drift",)))


# --------------------------------------------------------------------------- TSV


def test_tsv_layout(tmp_path, alignment):
    path = tmp_path / "review.tsv"
    assert write_review(alignment, path) == len(BEADS)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Vietnamese right
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter="\t"))
    assert table[0] == ["bead", "source (vi)", "target (id)", "score", "type", "flags", "accept",
                        "source segments", "target segments", "checksum"]
    assert table[1] == ["1", VI[0], ID[0], "0.950", "1-1", "", "yes", "0", "0", row_checksum(VI[0], ID[0], "yes")]
    assert table[3][1] == VI[2] + "\n" + VI[3] and table[3][7] == "2,3"
    assert table[6][1] == "'" + VI[5]  # a spreadsheet would run it as a formula
    assert table[7][5] == "number-mismatch"


def test_tsv_round_trip(tmp_path, alignment):
    path = tmp_path / "review.tsv"
    write_review(alignment, path)
    sheet = read_review(path)
    assert (sheet.src_lang, sheet.tgt_lang) == ("vi", "id")
    rows = review_rows(alignment)
    assert [(r.bead, r.source, r.target, r.type, r.flags, r.accept, r.src_segments, r.tgt_segments) for r in sheet.rows] \
        == [(r.bead, r.source, r.target, r.type, r.flags, r.accept, r.src_segments, r.tgt_segments) for r in rows]
    assert [r.score for r in sheet.rows] == [round(r.score, 3) for r in rows]


def test_tsv_text_starting_with_an_apostrophe_survives(tmp_path):
    s = make_doc("a.vi.txt", "vi", ["'=x' là gì?", "'bình thường'"])
    t = make_doc("a.id.txt", "id", ["Apa itu '=x'?", "'biasa'"])
    al = Alignment(s, t, s.segments, t.segments, (Bead((0,), (0,), 0.9), Bead((1,), (1,), 0.9)), "h")
    write_review(al, tmp_path / "r.tsv")
    sheet = read_review(tmp_path / "r.tsv")
    assert [(r.source, r.target) for r in sheet.rows] == [(s.segments[k].text, t.segments[k].text) for k in range(2)]


def test_tsv_is_deterministic(tmp_path, alignment):
    write_review(alignment, tmp_path / "a.tsv")
    write_review(alignment, tmp_path / "b.tsv")
    assert (tmp_path / "a.tsv").read_bytes() == (tmp_path / "b.tsv").read_bytes()


# --------------------------------------------------------------------------- XLSX


def test_xlsx_layout(tmp_path, alignment):
    path = tmp_path / "review.xlsx"
    write_review(alignment, path, now=NOW)
    wb = openpyxl.load_workbook(path)
    ws = wb["review"]
    assert ws.freeze_panes == "B2"
    assert [c.value for c in ws[1]][:4] == ["bead", "source (vi)", "target (id)", "score"]
    assert all(c.font.bold for c in ws[1])
    assert ws.column_dimensions["B"].width == 60 and ws.column_dimensions["C"].width == 60
    assert ws["B4"].alignment.wrap_text and ws["C4"].alignment.wrap_text
    assert ws["B4"].value == VI[2] + "\n" + VI[3]
    assert ws["D2"].value == pytest.approx(0.95) and ws["D2"].number_format == "0.000"
    # the accept column offers yes/no
    dvs = ws.data_validations.dataValidation
    assert len(dvs) == 1 and dvs[0].type == "list" and dvs[0].formula1 == '"yes,no"'
    assert str(dvs[0].sqref) == f"G2:G{len(BEADS) + 1}"
    assert [ws.cell(k, 7).value for k in range(2, len(BEADS) + 2)] == ["yes", "yes", "yes", None, None, None, None]
    # the score column is coloured by value
    rules = [(str(cf.sqref), r.operator, r.formula) for cf in ws.conditional_formatting for r in cf.rules]
    assert ("D2:D8", "lessThan", ["0.5"]) in rules and ("D2:D8", "greaterThanOrEqual", ["0.8"]) in rules
    # text that looks like a formula stays text
    assert ws["B7"].value == VI[5] and ws["B7"].data_type == "s"
    info = dict(wb["info"].iter_rows(values_only=True))
    assert info["source document"] == "/data/in/bai-viet.vi.txt" and info["target language"] == "id"
    assert "score >= 0.5" in info["accept rule"]


def test_xlsx_is_deterministic_for_the_same_time(tmp_path, alignment):
    write_review(alignment, tmp_path / "a.xlsx", now=NOW)
    write_review(alignment, tmp_path / "b.xlsx", now=NOW)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


# --------------------------------------------------------------------------- import


def review(tmp_path, alignment, edits: dict[int, dict[str, object]], *, fmt: str = "xlsx") -> Path:
    """Write the review sheet, then change cells as a reviewer would: {bead: {column: value}}."""
    path = tmp_path / f"review.{fmt}"
    write_review(alignment, path, now=NOW)
    cols = {"source": 2, "target": 3, "accept": 7}
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(path)
        ws = wb["review"]
        for bead, change in edits.items():
            for col, value in change.items():
                ws.cell(bead + 1, cols[col]).value = value
        wb.save(path)
    else:
        table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""), delimiter="\t"))
        for bead, change in edits.items():
            for col, value in change.items():
                table[bead][cols[col] - 1] = str(value)
        buf = io.StringIO()
        csv.writer(buf, dialect="excel-tab", lineterminator="\r\n").writerows(table)
        path.write_text(buf.getvalue(), encoding="utf-8")  # no BOM, CRLF: as other tools save it
    return path


@pytest.mark.parametrize("fmt", ["xlsx", "tsv"])
def test_import_writes_accepted_rows_with_corrections(tmp_path, alignment, fmt):
    fixed = "Kota ini memiliki lebih dari 8 juta jiwa."
    path = review(tmp_path, alignment, {
        1: {"accept": "no"},  # the reviewer rejects a pre-accepted row
        2: {"target": fixed},  # and corrects one
        4: {"accept": "YES"},  # accepts an omission: skipped, counted
        6: {"accept": "x"},  # accepts the formula-looking row
        7: {"accept": True if fmt == "xlsx" else "TRUE", "target": "Harga tiket 50.000 dong."},
    }, fmt=fmt)
    out = tmp_path / "out.tmx"
    res = import_review(path, out, now=NOW)
    assert (res.rows, res.accepted, res.one_sided, res.tus_written) == (7, 5, 1, 4)
    tmx = read_tmx(out)
    assert [(tu.src, tu.tgt) for tu in tmx.tus] == [
        (VI[1], fixed),
        (f"{VI[2]} {VI[3]}", ID[2]),
        (VI[5], ID[4]),
        (VI[6], "Harga tiket 50.000 dong."),
    ]
    assert [tu.props["x-bead-type"] for tu in tmx.tus] == ["1-1", "2-1", "1-1", "1-1"]
    assert [tu.props["x-alignment-score"] for tu in tmx.tus] == ["0.500", "0.810", "0.490", "0.900"]
    assert tmx.tus[3].props["x-flags"] == "number-mismatch"
    assert (tmx.src_lang, tmx.tgt_lang) == ("vi", "id")
    if fmt == "xlsx":
        assert {tu.props["x-document"] for tu in tmx.tus} == {"bai-viet.vi.txt"}


@pytest.mark.parametrize("value, accepted", [
    ("yes", True), ("Y", True), ("1", True), (1, True), ("true", True), (True, True), ("X", True), (" yes ", True),
    ("no", False), ("", False), (None, False), (0, False), ("ok", False), (False, False),
])
def test_accept_values(tmp_path, alignment, value, accepted):
    edits = {k: {"accept": None} for k in range(1, 8)}
    edits[1] = {"accept": value}
    res = import_review(review(tmp_path, alignment, edits), tmp_path / "out.tmx")
    assert res.tus_written == (1 if accepted else 0)


def test_import_restores_bead_order_after_the_reviewer_sorted(tmp_path, alignment):
    path = tmp_path / "review.xlsx"
    write_review(alignment, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["review"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    rows.sort(key=lambda r: -(r[3] or 0))  # sorted by score, best first
    for k, r in enumerate(rows, start=2):
        for col, v in enumerate(r, start=1):
            ws.cell(k, col).value = v
            if isinstance(v, str):
                ws.cell(k, col).data_type = "s"  # text stays text, as a spreadsheet sorts it (openpyxl makes "=..." a formula)
    wb.save(path)
    import_review(path, tmp_path / "out.tmx")
    assert [tu.src for tu in read_tmx(tmp_path / "out.tmx").tus] == [VI[0], VI[1], f"{VI[2]} {VI[3]}"]


def test_import_languages_region_and_codes(tmp_path, alignment):
    path = review(tmp_path, alignment, {})
    import_review(path, tmp_path / "r.tmx", region=True)
    assert (read_tmx(tmp_path / "r.tmx").src_lang, read_tmx(tmp_path / "r.tmx").tgt_lang) == ("vi-VN", "id-ID")
    import_review(path, tmp_path / "c.tmx", src_lang="vi", tgt_lang="ms")
    assert read_tmx(tmp_path / "c.tmx").tgt_lang == "ms"


def test_import_appends_without_duplicates(tmp_path, alignment):
    path = review(tmp_path, alignment, {})
    out = tmp_path / "tm.tmx"
    first = import_review(path, out)
    again = import_review(path, out, append=True)
    assert again.kept_existing == first.tus_written and again.tus_written == 0
    assert len(read_tmx(out).tus) == first.tus_written


# --------------------------------------------------------------------------- review marks (issue 22, item 3)


def marks_of(path: Path) -> list[tuple[str, str, str | None, str | None]]:
    """(source, x-review, changeid, changedate) of each unit, in file order."""
    from lxml import etree

    out = []
    for tu in etree.parse(str(path)).getroot().findall("body/tu"):
        review_prop = tu.find("prop[@type='x-review']")
        out.append((tu.find("tuv/seg").text, review_prop.text if review_prop is not None else None,
                    tu.get("changeid"), tu.get("changedate")))
    return out


@pytest.mark.parametrize("fmt", ["xlsx", "tsv"])
def test_import_marks_edited_confirmed_and_pre_accepted_units(tmp_path, alignment, fmt):
    fixed = "Kota ini memiliki lebih dari 8 juta jiwa."
    path = review(tmp_path, alignment, {
        2: {"target": fixed},  # a pre-accepted row, corrected
        6: {"accept": "yes"},  # a row the pre-fill left out, accepted by the reviewer as it is
    }, fmt=fmt)
    out = tmp_path / "out.tmx"
    later = datetime(2024, 6, 1, 9, 0, 0, tzinfo=UTC)
    res = import_review(path, out, creationid="align", changeid="lan", now=later)
    assert marks_of(out) == [
        (VI[0], "pre-accepted", None, "20240601T090000Z"),
        (VI[1], "edited", "lan", "20240601T090000Z"),
        (f"{VI[2]} {VI[3]}", "pre-accepted", None, "20240601T090000Z"),
        (VI[5], "confirmed", None, "20240601T090000Z"),
    ]
    assert dict(res.marks) == {"edited": 1, "confirmed": 1, "pre-accepted": 2}
    # the aligner's score stays the aligner's, beside the review's mark
    edited = read_tmx(out).tus[1]
    assert (edited.tgt, edited.props["x-alignment-score"], edited.props["x-review"]) == (fixed, "0.500", "edited")
    assert not res.warnings


def test_import_changedate_of_an_edited_unit_is_the_import_time(tmp_path, alignment):
    from lxml import etree

    path = review(tmp_path, alignment, {1: {"source": "Hà Nội là thủ đô của nước Việt Nam."}}, fmt="tsv")
    out = tmp_path / "out.tmx"
    import_review(path, out, changeid="lan", now=datetime(2025, 1, 2, 3, 4, 5))  # naive: taken as UTC
    tu = etree.parse(str(out)).getroot().find("body/tu")
    assert (tu.get("changedate"), tu.get("changeid"), tu.get("creationid")) == ("20250102T030405Z", "lan", "align")


def test_what_spreadsheets_change_is_no_edit(tmp_path, alignment):
    """CR LF line breaks inside a cell, spaces at the ends, NFD text: the TMX's text is the same, so not edited."""
    import unicodedata

    rows = review_rows(alignment)
    path = review(tmp_path, alignment, {
        1: {"source": "  " + unicodedata.normalize("NFD", VI[0]) + " "},
        3: {"source": rows[2].source.replace("\n", "\r\n  ")},
    }, fmt="tsv")
    import_review(path, tmp_path / "out.tmx")
    assert [m[1] for m in marks_of(tmp_path / "out.tmx")] == ["pre-accepted"] * 3


def test_a_row_the_reviewer_added_is_edited(tmp_path, alignment):
    path = tmp_path / "review.tsv"
    write_review(alignment, path)
    with path.open("a", encoding="utf-8") as f:
        f.write("\tMột câu mới.\tSebuah kalimat baru.\t\t\t\tyes\t\t\t\n")
    res = import_review(path, tmp_path / "out.tmx", changeid="lan")
    assert marks_of(tmp_path / "out.tmx")[-1][:3] == ("Một câu mới.", "edited", "lan")
    assert dict(res.marks)["edited"] == 1


def test_an_old_sheet_without_checksums_still_imports_marked_reviewed(tmp_path, alignment):
    path = tmp_path / "review.tsv"
    write_review(alignment, path)
    table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""), delimiter="\t"))
    assert table[0][-1] == "checksum"
    buf = io.StringIO()
    csv.writer(buf, dialect="excel-tab", lineterminator="\n").writerows([r[:-1] for r in table])
    path.write_text(buf.getvalue(), encoding="utf-8")
    sheet = read_review(path)
    assert not sheet.checked
    res = import_review(path, tmp_path / "out.tmx", changeid="lan")
    assert res.tus_written == 3
    assert [m[1:3] for m in marks_of(tmp_path / "out.tmx")] == [("reviewed", None)] * 3
    assert any("no checksum column" in w and "x-review=reviewed" in w for w in res.warnings)


def test_xlsx_checksum_column_is_hidden_and_last(tmp_path, alignment):
    path = tmp_path / "review.xlsx"
    write_review(alignment, path, now=NOW)
    ws = openpyxl.load_workbook(path)["review"]
    assert ws.cell(1, 10).value == "checksum" and ws.column_dimensions["J"].hidden
    rows = review_rows(alignment)
    assert [ws.cell(k + 2, 10).value for k in range(len(rows))] == [r.checksum for r in rows]
    assert read_review(path).checked


def test_append_keeps_the_marks_of_the_units_already_there(tmp_path, alignment):
    out = tmp_path / "tm.tmx"
    import_review(review(tmp_path, alignment, {2: {"target": "Kota ini berpenduduk 8 juta."}}), out, changeid="lan")
    first = marks_of(out)
    (tmp_path / "review.xlsx").unlink()
    res = import_review(review(tmp_path, alignment, {6: {"accept": "yes"}}), out, append=True, changeid="an")
    after = marks_of(out)
    assert after[: len(first)] == first  # the units of the first import, as they were
    assert res.kept_existing == len(first) and dict(res.marks) == {"confirmed": 1, "pre-accepted": 1}
    assert after[len(first):] == [(f"{VI[1]}", "pre-accepted", None, after[-1][3]), (VI[5], "confirmed", None, after[-1][3])]


# --------------------------------------------------------------------------- errors


def test_missing_columns(tmp_path):
    path = tmp_path / "r.tsv"
    path.write_text("bead\tsource\ttarget\n1\ta\tb\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column.*accept") as e:
        read_review(path)
    assert "r.tsv" in str(e.value) and "\n" not in str(e.value)


def test_not_an_xlsx(tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_text("bead\tsource\n", encoding="utf-8")
    with pytest.raises(InputError, match="not an Excel .xlsx workbook"):
        read_review(path)


def test_an_xlsx_named_tsv(tmp_path, alignment):
    path = tmp_path / "r.tsv"
    write_review(alignment, path, fmt="xlsx")
    with pytest.raises(InputError, match="zip archive"):
        read_review(path)


@pytest.mark.parametrize("name, needle", [("r.xls", "old Excel .xls"), ("r.docx", "unknown review file type"),
                                          ("missing.tsv", "file not found")])
def test_other_bad_files(tmp_path, name, needle):
    path = tmp_path / name
    if name != "missing.tsv":
        path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=needle):
        read_review(path)


def test_empty_sheet_and_bad_score(tmp_path):
    (tmp_path / "e.tsv").write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_review(tmp_path / "e.tsv")
    (tmp_path / "s.tsv").write_text("source\ttarget\tscore\taccept\na\tb\thigh\tyes\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2: score 'high' is not a number"):
        read_review(tmp_path / "s.tsv")


def test_utf16_tsv_as_excel_saves_unicode_text(tmp_path):
    path = tmp_path / "r.txt"
    path.write_bytes("source (vi)\ttarget (id)\taccept\r\nXin chào\tHalo\tyes\r\n".encode("utf-16"))
    sheet = read_review(path)
    assert [(r.source, r.target, r.accepted) for r in sheet.rows] == [("Xin chào", "Halo", True)]


def test_csv_with_minimal_columns(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('source,target,accept\n"Xin chào, bạn",Halo,y\nBỏ qua,Lewati,\n', encoding="utf-8")
    res = import_review(path, tmp_path / "out.tmx")
    assert res.tus_written == 1
    assert read_tmx(tmp_path / "out.tmx").tus[0].src == "Xin chào, bạn"


# --------------------------------------------------------------------------- command line


def cli(capsys, *args) -> tuple[int, str]:
    try:
        main([*map(str, args)])
        code = 0
    except SystemExit as e:
        code = e.code
    return code, capsys.readouterr().err


def test_run_writes_both_sheets_and_import_review_reads_them(capsys, tmp_path):
    import dataclasses

    from align.embedding import HashEncoder
    from align.embedding.registry import lookup, register

    lexicon = dict(line.split("\t") for line in (DATA / "tm_vi_id_lexicon.tsv").read_text(encoding="utf-8").splitlines()
                   if line and not line.startswith("#"))
    original = lookup("hash")  # `--model hash` with the lexicon, through the registry the CLI uses
    register(dataclasses.replace(original, factory=lambda name, device: HashEncoder(lexicon=lexicon)))
    try:
        imported, expected = _sheets_round_trip(capsys, tmp_path)
    finally:
        register(original)
    # the accepted rows are the TMX's units that passed every check
    assert imported and imported == expected


def _sheets_round_trip(capsys, tmp_path) -> tuple[set, set]:
    pairs = [line.split("\t") for line in (DATA / "tm_vi_id.tsv").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")][:8]
    (tmp_path / "vi.txt").write_text("\n\n".join(p[0] for p in pairs) + "\n", encoding="utf-8")
    (tmp_path / "id.txt").write_text("\n\n".join(p[1] for p in pairs[:3] + pairs[4:]) + "\n", encoding="utf-8")
    code, err = cli(capsys, "run", tmp_path / "vi.txt", tmp_path / "id.txt", "-o", tmp_path / "out.tmx", "--model", "hash",
                    "--no-report", "--review-tsv", tmp_path / "r.tsv", "--review-xlsx", tmp_path / "r.xlsx",
                    "--beads", tmp_path / "beads.txt")
    assert code == 0, err
    assert "review sheet: " in err
    tsv, xlsx = read_review(tmp_path / "r.tsv"), read_review(tmp_path / "r.xlsx")
    assert [(r.source, r.target, r.accept) for r in tsv.rows] == [(r.source, r.target, r.accept) for r in xlsx.rows]
    # one row per bead, in order, with the bead's segments; every sentence is in some row
    beads = (tmp_path / "beads.txt").read_text(encoding="utf-8").split()
    assert [f"[{','.join(map(str, r.src_segments))}]:[{','.join(map(str, r.tgt_segments))}]" for r in xlsx.rows] == beads
    assert all(any(p[0] in r.source.splitlines() for r in xlsx.rows) for p in pairs)
    code, err = cli(capsys, "import-review", tmp_path / "r.xlsx", "-o", tmp_path / "imp.tmx", "--region")
    assert code == 0, err
    accepted = sum(r.accepted for r in xlsx.rows)
    assert f"{accepted} accepted, {accepted} TUs written" in err
    assert read_tmx(tmp_path / "imp.tmx").src_lang == "vi-VN"
    imported = {(tu.src, tu.tgt) for tu in read_tmx(tmp_path / "imp.tmx").tus}
    expected = {(tu.src, tu.tgt) for tu in read_tmx(tmp_path / "out.tmx").tus
                if "x-flags" not in tu.props and float(tu.props["x-alignment-score"]) >= 0.5}
    return imported, expected


def test_import_review_errors_are_one_line(capsys, tmp_path):
    bad = tmp_path / "r.xlsx"
    bad.write_text("hello", encoding="utf-8")
    code, err = cli(capsys, "import-review", bad, "-o", tmp_path / "out.tmx")
    assert code == 3
    assert len(err.strip().splitlines()) == 1 and "r.xlsx" in err and "not an Excel" in err
    assert not (tmp_path / "out.tmx").exists()
    code, err = cli(capsys, "import-review", tmp_path / "none.tsv", "-o", tmp_path / "out.tmx")
    assert code == 3 and "file not found" in err


def test_import_review_command_marks_edits_by_the_login_name_or_creationid(capsys, tmp_path, alignment, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "lan.nguyen")
    path = review(tmp_path, alignment, {2: {"target": "Kota ini berpenduduk 8 juta."}})
    code, err = cli(capsys, "import-review", path, "-o", tmp_path / "a.tmx")
    assert code == 0, err
    assert "3 TUs written to" in err and "(1 edited, 2 pre-accepted)" in err, err
    edited = [m for m in marks_of(tmp_path / "a.tmx") if m[1] == "edited"]
    assert [m[2] for m in edited] == ["lan.nguyen"]
    code, err = cli(capsys, "import-review", path, "-o", tmp_path / "b.tmx", "--creationid", "reviewer-7")
    assert code == 0, err
    assert [m[2] for m in marks_of(tmp_path / "b.tmx") if m[1] == "edited"] == ["reviewer-7"]
