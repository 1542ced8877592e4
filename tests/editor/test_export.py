"""Exporting an edited alignment: the TMX writer of `align run` with each unit's review state, the review sheet,
the beads, a JSON report `align report` draws; and `align edit` on the command line."""

from __future__ import annotations

import csv
import io
import json

import pytest
from editor_data import SRC, TGT, small_report

from align.cli.main import main
from align.editor.export import TmxExport, export
from align.editor.session import Session
from align.formats.tmx import read_tmx


def run_cli(capsys, *args) -> tuple[int, str, str]:
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as e:
        code = e.code
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def edited(tmp_path) -> Session:
    s = Session(small_report(tmp_path), user="ana")
    s.do("set_status", {"row": 0, "status": "confirmed"})
    s.do("merge", {"row": 1})  # row 1: [1, 2]:[1, 2], edited
    s.do("edit_text", {"row": 2, "side": "tgt", "seg": 0, "text": "Kalimat baru."})  # row 2 = bead 3, edited
    s.do("set_status", {"row": 3, "status": "rejected"})  # bead 4: not in the TMX
    s.do("unpair", {"row": 4})  # bead 5: one-sided rows, not in the TMX
    return s


def test_tmx_units_carry_review_state_changedate_and_changeid(tmp_path):
    s = edited(tmp_path)
    out = tmp_path / "out.tmx"
    export(s.sheet, s.meta, str(out), TmxExport(creationid="ana"))
    tmx = read_tmx(out)
    units = [(u.src, u.tgt, u.props.get("x-review")) for u in tmx.tus]
    assert units[0] == (SRC[0], TGT[0], "confirmed")
    assert units[1] == (f"{SRC[1]} {SRC[2]}", f"{TGT[1]} {TGT[2]}", "edited")
    assert units[2] == (SRC[3], "Kalimat baru.", "edited")
    assert [u[0] for u in units[3:]] == SRC[6:] and {u[2] for u in units[3:]} == {"unreviewed"}
    text = out.read_text("utf-8")
    assert text.startswith("<?xml") and '<!DOCTYPE tmx SYSTEM "tmx14.dtd">' in text
    assert text.count('changeid="ana"') == 3 and 'creationid="ana"' in text  # the rows a person changed


def test_confirmed_only_and_min_score_keep_what_a_person_vouched_for(tmp_path):
    s = edited(tmp_path)
    export(s.sheet, s.meta, str(tmp_path / "c.tmx"), TmxExport(confirmed_only=True))
    assert [u.src for u in read_tmx(tmp_path / "c.tmx").tus] == [SRC[0]]
    export(s.sheet, s.meta, str(tmp_path / "m.tmx"), TmxExport(min_score=0.5, region=True))
    tmx = read_tmx(tmp_path / "m.tmx")
    assert tmx.src_lang == "vi-VN" and SRC[0] in [u.src for u in tmx.tus]
    assert f"{SRC[1]} {SRC[2]}" not in [u.src for u in tmx.tus]  # edited, unconfirmed: no score to pass the bar


def test_review_sheet_beads_and_a_report_align_report_draws(tmp_path, capsys):
    s = edited(tmp_path)
    export(s.sheet, s.meta, str(tmp_path / "e.tsv"))
    lines = list(csv.reader(io.StringIO((tmp_path / "e.tsv").read_text("utf-8-sig")), dialect="excel-tab"))
    assert len(lines) == 1 + len(s.sheet.rows) and lines[3][2] == "Kalimat baru."
    export(s.sheet, s.meta, str(tmp_path / "e.beads"))
    assert (tmp_path / "e.beads").read_text().splitlines()[:2] == ["[0]:[0]", "[1,2]:[1,2]"]
    export(s.sheet, s.meta, str(tmp_path / "e.report.json"))
    data = json.loads((tmp_path / "e.report.json").read_text("utf-8"))
    assert [b["src"] for b in data["beads"]][:2] == [[0], [1, 2]]
    code, _, err = run_cli(capsys, "report", tmp_path / "e.report.json")
    assert code == 0 and (tmp_path / "e.report.html").exists(), err
    reopened = Session(tmp_path / "e.report.json")  # an edited alignment's report opens in the editor again
    assert [(r.src, r.tgt) for r in reopened.sheet.rows] == [(r.src, r.tgt) for r in s.sheet.rows]


def test_align_edit_export_on_the_command_line(tmp_path, capsys):
    s = edited(tmp_path)
    s.close()
    code, _, err = run_cli(capsys, "edit", tmp_path / "x.report.json", "--export", tmp_path / "cli.tmx",
                           "--confirmed-only", "--creationid", "ana")
    assert code == 0, err
    assert "1 TUs written" in err
    tmx = read_tmx(tmp_path / "cli.tmx")
    assert [(u.src, u.props["x-review"]) for u in tmx.tus] == [(SRC[0], "confirmed")]
    s.save()  # opening the saved edited file gives the same
    code, _, err = run_cli(capsys, "edit", tmp_path / "x.edited.json", "--export", tmp_path / "all.tmx")
    assert code == 0 and len(read_tmx(tmp_path / "all.tmx").tus) == 7, err  # 10 rows: 1 merged, 1 rejected, 1 unpaired


def test_align_edit_lists_a_corpus_worst_first_with_review_progress(tmp_path, capsys):
    for name in ("good", "bad"):
        (tmp_path / name).mkdir()
        small_report(tmp_path / name, name="pair")
    docs = [{"name": "bad", "quality": 0.2, "json": "bad/pair.report.json", "tus": 10},
            {"name": "good", "quality": 0.9, "json": "good/pair.report.json", "tus": 10}]
    (tmp_path / "index.json").write_text(json.dumps({"format": "align-corpus-index", "documents": docs}))
    s = Session(tmp_path / "good" / "pair.report.json")
    for k in range(5):
        s.do("set_status", {"row": k, "status": "confirmed"})
    s.close()
    code, out, err = run_cli(capsys, "edit", tmp_path)
    assert code == 0, err
    lines = out.splitlines()
    assert "bad" in lines[1] and "0%" in lines[1] and "20.0%" in lines[1]
    assert "good" in lines[2] and "50%" in lines[2] and "align edit" in lines[2]


@pytest.mark.omegat
def test_omegat_fills_a_document_from_the_edited_tmx(tmp_path):
    """The exported TMX (x-review props, changeid/changedate of the edits) is one OmegaT leverages."""
    test_omegat = pytest.importorskip("test_omegat")
    if not (test_omegat.OMEGAT_JAR.exists() and test_omegat.JAVA):
        pytest.skip("OmegaT or java not installed")
    s = edited(tmp_path)
    out = tmp_path / "omegat.tmx"
    export(s.sheet, s.meta, str(out), TmxExport(creationid="ana"))
    tus = read_tmx(out).tus
    got = test_omegat.omegat_round_trip(out, [u.src for u in tus], tmp_path / "omegat")
    assert got == [u.tgt for u in tus] and "Kalimat baru." in got
