"""Every TMX and review option of `align run` in `align corpus` (issue 22, item 4: one option set).

Each test runs the real `align corpus` command in-process (``--model hash``,
the HashEncoder fake given the vi-id lexicon of the test memory so that it
aligns real sentences; one worker; no reports) on a corpus of two pairs made
from the test memory, and reads the written per-pair and merged TMX files back.
Each one fails if the corpus ignored its option: it checks what the option
changes against a run without it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from lxml import etree

from align.cli.main import main
from align.embedding import HashEncoder
from align.embedding.registry import lookup, register
from align.formats.review import import_review, read_review
from align.formats.tmx import read_tmx

DATA = Path(__file__).resolve().parents[1] / "data"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _table(name: str) -> list[list[str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


PAIRS = [tuple(r) for r in _table("tm_vi_id.tsv")]
LEXICON = dict(_table("tm_vi_id_lexicon.tsv"))


@pytest.fixture(autouse=True)
def _hash_with_lexicon(monkeypatch):
    """``--model hash`` gets the vi-id lexicon of the test memory, so the fake aligns these texts."""
    monkeypatch.delenv("ALIGN_EMBED_CACHE", raising=False)
    original = lookup("hash")
    register(dataclasses.replace(
        original, factory=lambda name, device: HashEncoder(lexicon=LEXICON) if name == "hash" else original.factory(name, device)))
    yield
    register(original)


def write_doc(folder: Path, pairs, *, per_para: int = 2) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for lang, side in (("vi", 0), ("id", 1)):
        paras = [" ".join(p[side] for p in pairs[k : k + per_para]) for k in range(0, len(pairs), per_para)]
        (folder / f"{lang}.txt").write_text("\n\n".join(paras) + "\n", encoding="utf-8")


@pytest.fixture
def corpus(tmp_path) -> Path:
    root = tmp_path / "in"
    write_doc(root / "doc-a", PAIRS[:10])
    write_doc(root / "doc-b", PAIRS[10:20])
    return root


def corpus_run(capsys, root: Path, out: Path, *args) -> tuple[int, str]:
    """`align corpus ROOT -o OUT --model hash --workers 1 --no-progress --no-report ARGS`; (exit code, stderr)."""
    try:
        main(["corpus", str(root), "-o", str(out), "--model", "hash", "--workers", "1", "--no-progress",
              "--no-report", *map(str, args)])
        code = 0
    except SystemExit as e:
        code = e.code
    return code, capsys.readouterr().err


def ok(capsys, root: Path, out: Path, *args) -> str:
    code, err = corpus_run(capsys, root, out, *args)
    assert code == 0, err
    return err


def tmx_of(out: Path, pair: str, suffix: str = ".tmx") -> Path:
    return out / pair / f"{pair}.vi-id{suffix}"


def units(path: Path) -> list[etree._Element]:
    return etree.parse(str(path)).getroot().findall("body/tu")


def pairs_of(path: Path) -> list[tuple[str, str]]:
    return [(tu.src, tu.tgt) for tu in read_tmx(path).tus]


def scores_of(path: Path) -> list[float]:
    return [float(tu.props["x-alignment-score"]) for tu in read_tmx(path).tus]


def cut_between(scores: list[float]) -> float:
    """A threshold with units on both sides (a precondition of the filter tests)."""
    values = sorted(set(scores))
    assert len(values) >= 2, f"the fake gave every unit the same score {values}; the test needs a spread"
    k = len(values) // 2
    return round((values[k - 1] + values[k]) / 2, 4)


@pytest.fixture
def plain(capsys, corpus, tmp_path) -> Path:
    """The corpus aligned without any TMX option (the reference), merged."""
    out = tmp_path / "plain"
    ok(capsys, corpus, out, "--merge")
    return out


def all_scores(out: Path) -> list[float]:
    return scores_of(tmx_of(out, "doc-a")) + scores_of(tmx_of(out, "doc-b"))


# --------------------------------------------------------------------------- the TMX options


def test_corpus_level_paragraph(capsys, corpus, tmp_path, plain):
    out = tmp_path / "out"
    ok(capsys, corpus, out, "--level", "paragraph", "--merge")
    root = etree.parse(str(tmx_of(out, "doc-a"))).getroot()
    assert root.find("header").get("segtype") == "paragraph"
    assert len(units(tmx_of(out, "doc-a"))) < len(units(tmx_of(plain, "doc-a")))
    assert etree.parse(str(out / "corpus.vi-id.tmx")).getroot().find("header").get("segtype") == "paragraph"


def test_corpus_region(capsys, corpus, tmp_path):
    out = tmp_path / "out"
    ok(capsys, corpus, out, "--region", "--merge")
    for path in (tmx_of(out, "doc-a"), out / "corpus.vi-id.tmx"):
        tmx = read_tmx(path)
        assert (tmx.src_lang, tmx.tgt_lang) == ("vi-VN", "id-ID")


def test_corpus_src_code_and_tgt_code(capsys, corpus, tmp_path):
    out = tmp_path / "out"
    ok(capsys, corpus, out, "--src-code", "vi-vn", "--tgt-code", "id_ID", "--merge")
    for path in (tmx_of(out, "doc-b"), out / "corpus.vi-id.tmx"):
        langs = {tuv.get(XML_LANG) for tuv in etree.parse(str(path)).getroot().iter("tuv")}
        assert langs == {"vi-VN", "id-ID"}


def test_corpus_tgt_code_of_another_language_is_refused(capsys, corpus, tmp_path):
    """--tgt-code names one language: a pair of another target language would be mislabelled."""
    for d in ("doc-a", "doc-b"):
        (corpus / d / "en.txt").write_text("One sentence. Two sentences.\n", encoding="utf-8")
    code, err = corpus_run(capsys, corpus, tmp_path / "out", "--tgt-lang", "id,en", "--tgt-code", "id-ID")
    assert code == 2, err
    assert "--tgt-code id-ID does not fit pair" in err
    assert not list((tmp_path / "out").glob("*/*.tmx"))


def test_corpus_min_score(capsys, corpus, tmp_path, plain):
    t = cut_between(all_scores(plain))
    out = tmp_path / "out"
    err = ok(capsys, corpus, out, "--min-score", t, "--merge")
    for pair in ("doc-a", "doc-b"):
        full = tmx_of(plain, pair)
        assert pairs_of(tmx_of(out, pair)) == [p for p, s in zip(pairs_of(full), scores_of(full)) if s >= t]
    below = sum(s < t for s in all_scores(plain))
    assert below and f"{below} below --min-score left out" in err, err
    assert min(scores_of(out / "corpus.vi-id.tmx")) >= t


def test_corpus_split_by_score(capsys, corpus, tmp_path, plain):
    t = cut_between(all_scores(plain))
    out = tmp_path / "out"
    err = ok(capsys, corpus, out, "--split-by-score", t, "--merge")
    weak_total = 0
    for pair in ("doc-a", "doc-b"):
        full = tmx_of(plain, pair)
        assert pairs_of(tmx_of(out, pair)) == [p for p, s in zip(pairs_of(full), scores_of(full)) if s >= t]
        weak = [p for p, s in zip(pairs_of(full), scores_of(full)) if s < t]
        assert pairs_of(tmx_of(out, pair, ".review.tmx")) == weak
        weak_total += len(weak)
    assert weak_total
    # the merged files: one of the kept units, one of the units to review
    assert len(read_tmx(out / "corpus.vi-id.review.tmx").tus) == weak_total
    assert max(scores_of(out / "corpus.vi-id.review.tmx")) < t <= min(scores_of(out / "corpus.vi-id.tmx"))
    # said as `run` says it, and never as units left out by --min-score
    assert f"align: {weak_total} TUs below the split score written to" in err, err
    assert "--min-score" not in err, err


@pytest.fixture
def repeated(tmp_path) -> Path:
    """One pair whose first sentence pair comes back at the end, and a second pair holding it too."""
    root = tmp_path / "rep"
    write_doc(root / "doc-a", PAIRS[:6] + [PAIRS[0]], per_para=1)
    write_doc(root / "doc-b", PAIRS[:1] + PAIRS[20:24], per_para=1)
    return root


def test_corpus_dedupe_by_default_and_no_dedupe(capsys, repeated, tmp_path):
    once, every = tmp_path / "once", tmp_path / "every"
    err = ok(capsys, repeated, once, "--merge")
    ok(capsys, repeated, every, "--no-dedupe", "--merge")
    first = (PAIRS[0][0], PAIRS[0][1])
    assert pairs_of(tmx_of(once, "doc-a")).count(first) == 1
    assert pairs_of(tmx_of(every, "doc-a")).count(first) == 2
    assert "repeated unit written once" in err, err
    # the merged file keeps the choice: each pair's copies, or one in all
    assert pairs_of(once / "corpus.vi-id.tmx").count(first) == 1
    assert pairs_of(every / "corpus.vi-id.tmx").count(first) == 3


def test_corpus_append_keeps_the_units_of_the_last_run(capsys, corpus, tmp_path):
    out = tmp_path / "out"
    ok(capsys, corpus, out, "--append", "--merge")
    before = pairs_of(tmx_of(out, "doc-a"))
    # the document changes: its last paragraph is replaced, so the pair is aligned again
    write_doc(corpus / "doc-a", PAIRS[:8] + PAIRS[30:32])
    err = ok(capsys, corpus, out, "--append", "--merge")
    after = pairs_of(tmx_of(out, "doc-a"))
    assert after[: len(before)] == before  # every unit of the last run kept, first
    new = [(PAIRS[k][0], PAIRS[k][1]) for k in (30, 31)]
    assert all(p in after for p in new) and len(after) > len(before)
    assert "units kept from the existing file" in err, err
    assert set(after) <= set(pairs_of(out / "corpus.vi-id.tmx"))
    # without --append the pair's TMX holds this run's units alone
    write_doc(corpus / "doc-a", PAIRS[:10])
    ok(capsys, corpus, out, "--merge")
    assert pairs_of(tmx_of(out, "doc-a")) == before


def test_corpus_creationid(capsys, corpus, tmp_path):
    out = tmp_path / "out"
    ok(capsys, corpus, out, "--creationid", "Nguyễn Lan", "--merge")
    for path in (tmx_of(out, "doc-a"), out / "corpus.vi-id.tmx"):
        assert {tu.get("creationid") for tu in units(path)} == {"Nguyễn Lan"}


def test_corpus_creationid_a_tmx_cannot_carry_is_refused_first(capsys, corpus, tmp_path):
    code, err = corpus_run(capsys, corpus, tmp_path / "out", "--creationid", "a\x07b")
    assert code == 2 and "U+0007" in err, err
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- the review sheets


@pytest.mark.parametrize("fmt", ["tsv", "xlsx"])
def test_corpus_review_sheet_per_pair(capsys, corpus, tmp_path, fmt):
    out = tmp_path / "out"
    err = ok(capsys, corpus, out, f"--review-{fmt}")
    for pair in ("doc-a", "doc-b"):
        sheet = tmx_of(out, pair, f".review.{fmt}")
        assert sheet.is_file()
        beads = (out / pair / f"{pair}.vi-id.beads.txt").read_text(encoding="utf-8").split()
        rows = read_review(sheet).rows
        assert len(rows) == len(beads)
        # the sheet imports back: its pre-accepted rows are units of the pair's TMX
        res = import_review(sheet, tmp_path / f"{pair}.{fmt}.tmx")
        assert res.tus_written and set(pairs_of(tmp_path / f"{pair}.{fmt}.tmx")) <= set(pairs_of(tmx_of(out, pair)))
    assert f"review sheets: 2 (<pair>.<src>-<tgt>.review.{fmt}" in err, err
    # a re-run keeps the sheets as outputs of the pairs (the done marker lists them)
    ok(capsys, corpus, out, f"--review-{fmt}")
    assert tmx_of(out, "doc-a", f".review.{fmt}").is_file()


def test_corpus_review_sheet_asked_for_on_a_rerun_is_written(capsys, corpus, tmp_path):
    """The outputs asked for are part of a pair's key: a pair done without a sheet is redone for it."""
    out = tmp_path / "out"
    ok(capsys, corpus, out)
    err = ok(capsys, corpus, out, "--review-xlsx")
    assert "2 aligned" in err and tmx_of(out, "doc-b", ".review.xlsx").is_file(), err
    assert "2 unchanged" in ok(capsys, corpus, out, "--review-xlsx")


def test_corpus_review_sheet_takes_no_file_name(capsys, corpus, tmp_path):
    code, err = corpus_run(capsys, corpus, tmp_path / "out", "--review-xlsx", tmp_path / "all.xlsx")
    assert code == 2, err
    assert "--review-xlsx takes no file name in a corpus" in err
