"""`align corpus --pair vi/ id/ en/ -o out --merge` (issue 23): pair, align, and one multilingual TMX."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from align.formats.tmx.read import XML_LANG

TMXCHECK = Path(__file__).resolve().parents[3] / "shared" / "tools" / "tmxcheck" / "check.py"  # ../shared beside the repo
OMEGAT_JAR = Path(os.environ.get("OMEGAT_JAR", "/usr/share/omegat/OmegaT.jar"))
NAMES = ["Budi", "Hanoi", "Jakarta", "Nguyen", "Lan", "Siti", "Surabaya", "Hue", "Minh", "Dewi", "Bandung", "Danang"]
#: The checker's rules for a bilingual file, which a multilingual one breaks by being multilingual.
BILINGUAL_ONLY = {"tu.extra-lang", "tu.missing-tgt", "ttk.count"}


def archive(root: Path) -> Path:
    """Three Vietnamese articles; Indonesian for all three, English for two (one sentence left out); unpaired names."""
    rng = random.Random(1)
    for lang in ("vi", "id", "en"):
        (root / lang).mkdir(parents=True)
    for d in range(3):
        vi, idn, en = [], [], []
        for k in range(6):
            a, b = rng.sample(NAMES, 2)
            year = rng.randint(100, 9999)
            vi.append(f"Ông {a} đã gặp {b} vào năm {year} tại văn phòng số {k + 10 * d}.")
            idn.append(f"Pak {a} bertemu {b} pada tahun {year} di kantor nomor {k + 10 * d}.")
            en.append(f"Mr {a} met {b} in the year {year} at office number {k + 10 * d}.")
        src = f"https://bao.example/tin-{d}.html"
        (root / "vi" / f"tin-{d}.txt").write_text("\n\n".join(vi) + f"\n\nNguồn: {src}\n", encoding="utf-8")
        (root / "id" / f"berita-{2 - d}.txt").write_text("\n\n".join(idn) + f"\n\nSumber: {src}\n", encoding="utf-8")
        if d < 2:
            (root / "en" / f"news-{d}.txt").write_text("\n\n".join(en[:3] + en[4:]) + f"\n\nSource: {src}\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = archive(tmp_path_factory.mktemp("newsroom"))
    cp = subprocess.run([sys.executable, "-m", "align", "corpus", "--pair", "vi", "id", "en", "-o", "out", "--merge",
                         "--model", "hash", "--force", "--no-progress"], cwd=root, capture_output=True, text=True, check=False)
    assert cp.returncode == 0, cp.stderr
    return root, cp.stderr


def test_corpus_pair_merge_writes_one_multilingual_tmx(run):
    root, log = run
    out = root / "out"
    assert (out / "pairs.tsv").exists() and (out / "corpus.vi-id.tmx").exists() and (out / "corpus.vi-en.tmx").exists()
    tmx = etree.parse(str(out / "corpus.vi-id-en.tmx")).getroot()
    units = [{tuv.get(XML_LANG): tuv.findtext("seg") for tuv in tu.iter("tuv")} for tu in tmx.iter("tu")]
    assert len(units) == 18  # every Vietnamese sentence: each has an Indonesian counterpart
    assert sum("en" in u for u in units) == 10  # two articles in English, one sentence left out of each
    assert units[0] == {"vi": units[0]["vi"], "id": units[0]["id"], "en": units[0]["en"]}
    assert all(u["vi"].split()[-1] == u["id"].split()[-1] for u in units)  # the same office number: the right pivot
    missing = (out / "corpus.vi-id-en.missing.tsv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(missing) == 8 and all("\ten\t" in m for m in missing)
    assert sum("no document of this language paired" in m for m in missing) == 6  # tin-2 has no English page
    assert "align: multilingual" in log


def _projection(src: Path, lang: str, out: Path) -> None:
    """The units with a tuv of ``lang``, with only that tuv beside the source: what memoQ picks from a multilingual TMX."""
    tree = etree.parse(str(src))
    body = tree.getroot().find("body")
    for tu in list(body):
        tuvs = {tuv.get(XML_LANG): tuv for tuv in tu.findall("tuv")}
        if lang not in tuvs:
            body.remove(tu)
            continue
        for code, tuv in tuvs.items():
            if code not in ("vi", lang):
                tu.remove(tuv)
    tree.write(str(out), xml_declaration=True, encoding="UTF-8", doctype='<!DOCTYPE tmx SYSTEM "tmx14.dtd">')


def _check(path: Path, tgt: str, omegat: str) -> tuple[int, str]:
    cp = subprocess.run([sys.executable, str(TMXCHECK), str(path), "--src", "vi", "--tgt", tgt, "--strict", "--omegat", omegat],
                        capture_output=True, text=True, timeout=300)
    return cp.returncode, cp.stdout.strip().splitlines()[-1]


@pytest.mark.skipif(not TMXCHECK.exists(), reason="independent tmxcheck tool not present")
def test_multilingual_tmx_breaks_only_the_checkers_bilingual_rules(run):
    root, _ = run
    for tgt in ("id", "en"):
        code, last = _check(root / "out" / "corpus.vi-id-en.tmx", tgt, "off")
        assert "dtd=valid" in last and "warnings=0" in last, last
        failed = set(last.split("failed=")[1].split(",")) if "failed=" in last else set()
        assert failed <= BILINGUAL_ONLY, last


@pytest.mark.omegat
@pytest.mark.skipif(not TMXCHECK.exists() or not OMEGAT_JAR.exists(), reason="tmxcheck or OmegaT not present")
def test_every_language_of_the_multilingual_tmx_passes_the_checker_and_imports_in_omegat(run, tmp_path):
    root, _ = run
    for tgt, n in (("id", 18), ("en", 10)):
        _projection(root / "out" / "corpus.vi-id-en.tmx", tgt, tmp_path / f"vi-{tgt}.tmx")
        code, last = _check(tmp_path / f"vi-{tgt}.tmx", tgt, "on")
        assert code == 0 and last.startswith("tmxcheck: OK") and f"omegat={n}/{n}" in last, last


def test_corpus_with_several_folders_needs_pair(tmp_path):
    root = archive(tmp_path)
    cp = subprocess.run([sys.executable, "-m", "align", "corpus", "vi", "id", "-o", "out", "--model", "hash"], cwd=root,
                        capture_output=True, text=True, check=False)
    assert cp.returncode == 2 and "--pair" in cp.stderr


def test_a_pair_id_with_a_tilde_keeps_its_units(tmp_path):
    """Review finding: the tuid clash suffix ``~k`` ends the tuid; a pair id holding "~" lost every unit."""
    from align.pairing.multilingual import spans_of

    tus = "".join(
        f'<tu tuid="{tuid}"><tuv xml:lang="vi"><seg>a</seg></tuv><tuv xml:lang="id"><seg>{tgt}</seg></tuv></tu>'
        for tuid, tgt in (("bài~1:0-1:0", "x"), ("bài~1:2:1", "y"), ("bài~1:2:1~2", "z"), ("other:3:2", "w"))
    )
    path = tmp_path / "p.tmx"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header creationtool="t" '
                    'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="vi" '
                    f'datatype="plaintext"/><body>{tus}</body></tmx>', encoding="utf-8")
    spans, unknown = spans_of(path, "bài~1")
    assert spans == [(0, 1, "x"), (2, 2, "y"), (2, 2, "z")] and unknown == 1


def test_presplit_multilingual_units_keep_the_pairs_source_lines(tmp_path):
    """Review finding: with --presplit the merge re-read the source as sentences, so a unit's source was not its lines."""
    root = tmp_path / "a"
    root.mkdir()
    for lang in ("vi", "id", "en"):
        (root / lang).mkdir()
    lines = {"vi": ["Một cái bàn. Hai cái ghế lớn.", "Ba con mèo nhỏ ở Hanoi.", "Năm 2024 có 12 tháng."],
             "id": ["Satu meja. Dua kursi besar.", "Tiga kucing kecil di Hanoi.", "Tahun 2024 ada 12 bulan."],
             "en": ["One table. Two big chairs.", "Three small cats in Hanoi.", "The year 2024 has 12 months."]}
    for lang, text in lines.items():
        (root / lang / "doc.txt").write_text("\n".join(text) + "\nSource: https://bao.example/x.html\n", encoding="utf-8")
    cp = subprocess.run([sys.executable, "-m", "align", "corpus", "--pair", "vi", "id", "en", "-o", "../out", "--merge",
                         "--presplit", "--model", "hash", "--force", "--no-progress"], cwd=root, capture_output=True,
                        text=True, check=False)
    assert cp.returncode == 0, cp.stderr
    tmx = etree.parse(str(tmp_path / "out" / "corpus.vi-id-en.tmx")).getroot()
    sources = [tu.find("tuv").findtext("seg") for tu in tmx.iter("tu")]
    assert sources and all(s in lines["vi"] or s == "Source: https://bao.example/x.html" or " " in s for s in sources)
    assert "Một cái bàn. Hai cái ghế lớn." in sources  # the whole line, as the pair's TMX has it
