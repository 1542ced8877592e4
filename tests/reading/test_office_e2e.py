"""A DOCX pair, an ODT pair and a PDF pair aligned end to end with ``align run --model hash``.

The TMX holds the table cells and the footnotes, and no page header, footer or
page number; the report lists those as noise with their reason; OmegaT, where
installed, fills every unit from the TMX (``test_omegat.omegat_round_trip``).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from office_docs import PAIR, make_docx, make_odt, make_pdf

from align.cli.main import main
from align.formats.tmx import read_tmx

MAKERS = {"docx": make_docx, "odt": make_odt, "pdf": make_pdf}
OMEGAT_JAR = Path(os.environ.get("OMEGAT_JAR", "/usr/share/omegat/OmegaT.jar"))


@pytest.fixture(autouse=True)
def _no_env_cache(monkeypatch):
    monkeypatch.delenv("ALIGN_EMBED_CACHE", raising=False)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """(TMX path, report JSON, stderr-free run) for each format."""
    out = {}
    for fmt, make in MAKERS.items():
        folder = tmp_path_factory.mktemp(fmt)
        src, tgt = make(folder / f"vi.{fmt}", "vi"), make(folder / f"id.{fmt}", "id")
        tmx = folder / "out" / "pair.tmx"
        tmx.parent.mkdir()
        try:
            main(["run", str(src), str(tgt), "-o", str(tmx), "--src-lang", "vi", "--tgt-lang", "id", "--model", "hash"])
        except SystemExit as e:
            assert e.code == 0, e
        report = json.loads((tmx.parent / "pair.report.json").read_text(encoding="utf-8"))
        out[fmt] = (tmx, report)
    return out


@pytest.mark.parametrize("fmt", list(MAKERS))
def test_office_pair_aligns_with_table_cells_and_footnotes_in_the_tmx(runs, fmt):
    tmx, _ = runs[fmt]
    tus = read_tmx(tmx).tus
    assert len(tus) >= 8
    src, tgt = " ".join(tu.src for tu in tus), " ".join(tu.tgt for tu in tus)
    for lang, side in (("vi", src), ("id", tgt)):
        t = PAIR[lang]
        for cell in (c for row in t["cells"] for c in row):
            assert cell in side, (fmt, lang, cell)
        assert t["footnote"] in side, (fmt, lang)
        assert t["paras"][1] in side and t["paras"][2] in side


@pytest.mark.parametrize("fmt", list(MAKERS))
def test_no_header_footer_or_page_number_in_the_tmx_but_listed_in_the_report(runs, fmt):
    tmx, report = runs[fmt]
    raw = tmx.read_text(encoding="utf-8")
    for lang in ("vi", "id"):
        t = PAIR[lang]
        assert t["header"] not in raw and t["footer"] not in raw
        for n in (1, 2, 3):
            assert t["page"].format(n=n, total=3) not in raw
    listed = {(u["side"], u["text"], u["reason"]) for u in report["unaligned"]}
    assert ("src", PAIR["vi"]["header"], "noise: running header") in listed
    assert ("tgt", PAIR["id"]["footer"], "noise: running footer") in listed
    if fmt == "pdf":
        assert ("tgt", "Halaman 2 dari 3", "noise: page number") in listed


def test_pdf_pair_tmx_has_words_made_whole_and_the_lossy_warning_in_the_report(runs):
    tmx, report = runs["pdf"]
    tgt = " ".join(tu.tgt for tu in read_tmx(tmx).tus)
    assert "mendirikan" in tgt and "anak-anak" in tgt
    assert any("PDF keeps no paragraphs" in w for w in json.dumps(report["summary"]).split('"'))


@pytest.mark.omegat
@pytest.mark.skipif(not (OMEGAT_JAR.exists() and shutil.which("java")), reason="OmegaT or java not installed")
@pytest.mark.parametrize("fmt", list(MAKERS))
def test_omegat_fills_every_unit_of_the_office_tmx(runs, fmt, tmp_path):
    from test_omegat import omegat_round_trip

    tmx, _ = runs[fmt]
    tus = read_tmx(tmx).tus
    assert omegat_round_trip(tmx, [tu.src for tu in tus], tmp_path) == [tu.tgt for tu in tus]
