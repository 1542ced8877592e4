"""The TMX options of `align run` a CAT-tool user needs, each checked through the command line.

Every run is the real command in-process (``align.cli.main.main``) with the
HashEncoder fake (``--model hash``, given the small vi-id lexicon of the test
memory so that it aligns real sentences) on small hand-made vi/id files, and every
check reads the written TMX back (lxml and ``read_tmx``). Where the result
depends on the fake's scores (``--min-score``, ``--split-by-score``), the test
first reads the scores of an unfiltered run and checks the filter against them.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from lxml import etree

from align.cli.main import main
from align.embedding import HashEncoder
from align.embedding.registry import lookup, register
from align.formats.tmx import read_tmx

DATA = Path(__file__).resolve().parents[1] / "data"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def memory() -> list[tuple[str, str]]:
    lines = (DATA / "tm_vi_id.tsv").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]


def lexicon() -> dict[str, str]:
    lines = (DATA / "tm_vi_id_lexicon.tsv").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t") for line in lines if line and not line.startswith("#"))


PAIRS = memory()


@pytest.fixture(autouse=True)
def _hash_with_lexicon(monkeypatch):
    """``--model hash`` gets the vi-id lexicon of the test memory, so the fake aligns these texts."""
    monkeypatch.delenv("ALIGN_EMBED_CACHE", raising=False)
    original = lookup("hash")
    register(dataclasses.replace(
        original, factory=lambda name, device: HashEncoder(lexicon=lexicon()) if name == "hash" else original.factory(name, device)))
    yield
    register(original)


def write_pair(folder: Path, pairs: list[tuple[str, str]], *, per_para: int = 2, name: str = "doc") -> tuple[Path, Path]:
    """vi and id files whose paragraphs hold ``per_para`` sentences each."""
    folder.mkdir(parents=True, exist_ok=True)
    vi, id_ = folder / f"{name}.vi.txt", folder / f"{name}.id.txt"
    for path, side in ((vi, 0), (id_, 1)):
        paras = [" ".join(p[side] for p in pairs[k : k + per_para]) for k in range(0, len(pairs), per_para)]
        path.write_text("\n\n".join(paras) + "\n", encoding="utf-8")
    return vi, id_


def align(capsys, *args) -> tuple[int, str]:
    """Run ``align run ARGS --model hash --src-lang vi --tgt-lang id --no-report``; (exit code, stderr)."""
    try:
        main(["run", *map(str, args), "--model", "hash", "--src-lang", "vi", "--tgt-lang", "id", "--no-report"])
        code = 0
    except SystemExit as e:
        code = e.code
    return code, capsys.readouterr().err


def run_ok(capsys, *args) -> str:
    code, err = align(capsys, *args)
    assert code == 0, err
    return err


def units(path: Path) -> list[etree._Element]:
    return etree.parse(str(path)).getroot().findall("body/tu")


def pairs_of(path: Path) -> list[tuple[str, str]]:
    return [(tu.src, tu.tgt) for tu in read_tmx(path).tus]


def scores_of(path: Path) -> list[float]:
    return [float(tu.props["x-alignment-score"]) for tu in read_tmx(path).tus]


def cut_between(scores: list[float]) -> float:
    """A threshold with TUs on both sides of it (a precondition of the filter tests)."""
    values = sorted(set(scores))
    assert len(values) >= 2, f"the fake gave every TU the same score {values}; the test needs a spread"
    k = len(values) // 2
    return round((values[k - 1] + values[k]) / 2, 4)


@pytest.fixture
def doc(tmp_path) -> tuple[Path, Path]:
    return write_pair(tmp_path / "in", PAIRS[:12])


# --------------------------------------------------------------------------- language codes


def test_default_codes_are_the_bare_languages(capsys, tmp_path, doc):
    out = tmp_path / "out.tmx"
    run_ok(capsys, *doc, "-o", out)
    root = etree.parse(str(out)).getroot()
    assert root.find("header").get("srclang") == "vi"
    langs = {tuv.get(XML_LANG) for tuv in root.iter("tuv")}
    assert langs == {"vi", "id"}
    assert all(tu.get("srclang") == "vi" for tu in root.iter("tu"))


def test_region_gives_vi_VN_and_id_ID(capsys, tmp_path, doc):
    out = tmp_path / "out.tmx"
    run_ok(capsys, *doc, "-o", out, "--region")
    root = etree.parse(str(out)).getroot()
    assert root.find("header").get("srclang") == "vi-VN"
    assert {tuv.get(XML_LANG) for tuv in root.iter("tuv")} == {"vi-VN", "id-ID"}


def test_explicit_codes_win_and_are_canonicalised(capsys, tmp_path, doc):
    out = tmp_path / "out.tmx"
    run_ok(capsys, *doc, "-o", out, "--src-code", "vi_vn", "--tgt-code", "ind", "--region")
    root = etree.parse(str(out)).getroot()
    assert root.find("header").get("srclang") == "vi-VN"
    assert {tuv.get(XML_LANG) for tuv in root.iter("tuv")} == {"vi-VN", "id"}


def test_a_country_code_as_language_is_a_usage_error(capsys, tmp_path, doc):
    code, err = align(capsys, *doc, "-o", tmp_path / "out.tmx", "--src-code", "vn")
    assert code == 2
    assert "vn" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out.tmx").exists()


# --------------------------------------------------------------------------- level


def test_level_sentence_paragraph_both(capsys, tmp_path, doc):
    outs = {}
    for level in ("sentence", "paragraph", "both"):
        outs[level] = tmp_path / f"{level}.tmx"
        run_ok(capsys, *doc, "-o", outs[level], "--level", level)
    sent, para, both = (pairs_of(outs[k]) for k in ("sentence", "paragraph", "both"))
    sentences = [vi for vi, _ in PAIRS[:12]]
    paragraphs = [" ".join(sentences[k : k + 2]) for k in range(0, 12, 2)]

    def runs(items: list[str]) -> set[str]:
        return {" ".join(items[a:b]) for a in range(len(items)) for b in range(a + 1, len(items) + 1)}

    # sentence TUs hold runs of whole sentences (their bead type says how many), paragraph TUs whole paragraphs
    kinds = [tu.findtext("prop[@type='x-bead-type']") for tu in units(outs["sentence"])]
    for (src, _), kind in zip(sent, kinds, strict=True):
        assert src in runs(sentences)
        assert int(kind.split("-")[0]) == sum(src.count(x) for x in sentences)
    assert {src for src, _ in para} <= runs(paragraphs)
    assert len(para) < len(sent)
    # both = the sentence TUs, then paragraph TUs that differ from every sentence TU
    assert both[: len(sent)] == sent
    extra = both[len(sent) :]
    assert extra and {src for src, _ in extra} <= runs(paragraphs)
    assert not set(extra) & set(sent)
    root = etree.parse(str(outs["both"])).getroot()
    assert root.find("header").get("segtype") == "sentence"
    assert [tu.get("segtype") for tu in root.iter("tu")][len(sent) :] == ["paragraph"] * (len(both) - len(sent))
    assert etree.parse(str(outs["paragraph"])).getroot().find("header").get("segtype") == "paragraph"


# --------------------------------------------------------------------------- scores


def test_min_score_leaves_out_weak_tus(capsys, tmp_path, doc):
    full = tmp_path / "full.tmx"
    run_ok(capsys, *doc, "-o", full)
    scores = scores_of(full)
    t = cut_between(scores)
    cut = tmp_path / "cut.tmx"
    run_ok(capsys, *doc, "-o", cut, "--min-score", t)
    expected = [p for p, s in zip(pairs_of(full), scores) if s >= t]
    assert pairs_of(cut) == expected
    assert 0 < len(expected) < len(scores)
    assert min(scores_of(cut)) >= t


def test_split_by_score_sends_weak_tus_to_the_review_tmx(capsys, tmp_path, doc):
    full = tmp_path / "full.tmx"
    run_ok(capsys, *doc, "-o", full)
    scores = scores_of(full)
    t = cut_between(scores)
    out = tmp_path / "out.tmx"
    err = run_ok(capsys, *doc, "-o", out, "--split-by-score", t)
    review = tmp_path / "out.review.tmx"
    assert review.exists()
    assert "out.review.tmx" in err
    good, weak = pairs_of(out), pairs_of(review)
    assert good == [p for p, s in zip(pairs_of(full), scores) if s >= t]
    assert weak == [p for p, s in zip(pairs_of(full), scores) if s < t]
    assert good and weak
    assert min(scores_of(out)) >= t > max(scores_of(review))
    # the review TMX is a full TMX of its own, same languages and header
    assert etree.parse(str(review)).getroot().find("header").get("srclang") == "vi"


def test_split_by_score_with_min_score_drops_the_weakest_from_both(capsys, tmp_path, doc):
    full = tmp_path / "full.tmx"
    run_ok(capsys, *doc, "-o", full)
    scores = sorted(set(scores_of(full)))
    assert len(scores) >= 3
    low, high = (scores[0] + scores[1]) / 2, (scores[-2] + scores[-1]) / 2
    out = tmp_path / "out.tmx"
    run_ok(capsys, *doc, "-o", out, "--split-by-score", high, "--min-score", low)
    review_scores = scores_of(tmp_path / "out.review.tmx")
    assert all(low <= s < high for s in review_scores)
    assert all(s >= high for s in scores_of(out))
    assert len(review_scores) + len(scores_of(out)) == sum(s >= low for s in scores_of(full))


def test_split_by_score_refuses_an_existing_folder_name(capsys, tmp_path, doc):
    (tmp_path / "out.review.tmx").mkdir()
    code, err = align(capsys, *doc, "-o", tmp_path / "out.tmx", "--split-by-score", 0.5)
    assert code == 5, err
    assert "out.review.tmx" in err
    assert not (tmp_path / "out.tmx").exists()


# --------------------------------------------------------------------------- dedupe and append


@pytest.fixture
def repeated(tmp_path) -> tuple[Path, Path]:
    """A document whose first sentence pair comes back at the end (a dateline, a slogan)."""
    pairs = PAIRS[:6] + [PAIRS[0]]
    return write_pair(tmp_path / "rep", pairs, per_para=1)


def test_identical_tus_written_once_by_default(capsys, tmp_path, repeated):
    every, once = tmp_path / "every.tmx", tmp_path / "once.tmx"
    run_ok(capsys, *repeated, "-o", every, "--no-dedupe")
    all_pairs = pairs_of(every)
    assert len(all_pairs) > len(set(all_pairs)), "precondition: the aligner paired the repeated sentence twice"
    err = run_ok(capsys, *repeated, "-o", once)
    once_pairs = pairs_of(once)
    assert once_pairs == list(dict.fromkeys(all_pairs))
    assert "written once" in err and "kept from the existing file" not in err


def test_append_adds_only_new_units(capsys, tmp_path):
    a = write_pair(tmp_path / "a", PAIRS[:8], name="a")
    b = write_pair(tmp_path / "b", PAIRS[6:14], name="b")  # shares two sentence pairs with a
    out = tmp_path / "tm.tmx"
    run_ok(capsys, *a, "-o", out)
    first = pairs_of(out)
    alone = tmp_path / "b.tmx"
    run_ok(capsys, *b, "-o", alone)
    err = run_ok(capsys, *b, "-o", out, "--append")
    merged = pairs_of(out)
    assert merged[: len(first)] == first  # the existing units are kept, first, unchanged
    assert merged[len(first) :] == [p for p in pairs_of(alone) if p not in first]
    assert len(merged) == len(set(merged))
    assert len(merged) < len(first) + len(pairs_of(alone))  # shared units were not added twice
    assert f"{len(first)} units kept" in err
    tuids = [tu.get("tuid") for tu in units(out)]
    assert len(set(tuids)) == len(tuids) and tuids[0] == "a.vi.txt:0:0"  # stable: document and positions
    docs = [tu.findtext("prop[@type='x-document']") for tu in units(out)]
    assert set(docs) == {"a.vi.txt", "b.vi.txt"}
    # appending the same document again changes no unit
    run_ok(capsys, *b, "-o", out, "--append")
    assert pairs_of(out) == merged


def test_append_to_a_missing_file_creates_it(capsys, tmp_path, doc):
    out = tmp_path / "new.tmx"
    run_ok(capsys, *doc, "-o", out, "--append")
    assert pairs_of(out)


def test_append_with_other_language_codes_is_refused(capsys, tmp_path, doc):
    out = tmp_path / "tm.tmx"
    run_ok(capsys, *doc, "-o", out)
    before = out.read_bytes()
    code, err = align(capsys, *doc, "-o", out, "--append", "--region")
    assert code == 3, err
    assert "cannot append" in err and len(err.strip().splitlines()) == 1
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_without_append_the_tmx_is_replaced(capsys, tmp_path):
    a = write_pair(tmp_path / "a", PAIRS[:4], name="a")
    b = write_pair(tmp_path / "b", PAIRS[10:14], name="b")
    out = tmp_path / "tm.tmx"
    run_ok(capsys, *a, "-o", out)
    run_ok(capsys, *b, "-o", out)
    assert {tu.findtext("prop[@type='x-document']") for tu in units(out)} == {"b.vi.txt"}


# --------------------------------------------------------------------------- props


def test_props_and_dates_cat_tools_map_to_fields(capsys, tmp_path, doc):
    out = tmp_path / "out.tmx"
    run_ok(capsys, *doc, "-o", out, "--creationid", "reviewer.jane")
    stamp = re.compile(r"^\d{8}T\d{6}Z$")
    tus = units(out)
    assert tus
    for tu in tus:
        props = {p.get("type"): p.text for p in tu.findall("prop")}
        assert props["x-document"] == "doc.vi.txt"
        assert 0.0 <= float(props["x-alignment-score"]) <= 1.0
        assert re.fullmatch(r"\d+-\d+", props["x-bead-type"])
        assert stamp.match(tu.get("creationdate")) and stamp.match(tu.get("changedate"))
        assert tu.get("creationid") == "reviewer.jane"
        # props come before the tuvs (TMX 1.4b content model)
        tags = [c.tag for c in tu]
        assert tags.index("tuv") > max(i for i, t in enumerate(tags) if t == "prop")
    header = etree.parse(str(out)).getroot().find("header")
    assert stamp.match(header.get("creationdate"))


def test_creationid_defaults_to_align(capsys, tmp_path, doc):
    out = tmp_path / "out.tmx"
    run_ok(capsys, *doc, "-o", out)
    assert {tu.get("creationid") for tu in units(out)} == {"align"}


def test_flags_become_an_x_flags_prop(capsys, tmp_path):
    pairs = list(PAIRS[:6])
    pairs[2] = (pairs[2][0], pairs[2][1].replace("500", "800"))  # a number the translation changed
    vi, id_ = write_pair(tmp_path / "f", pairs, per_para=1)
    out = tmp_path / "out.tmx"
    run_ok(capsys, vi, id_, "-o", out)
    flagged = {tu.findtext("tuv/seg"): tu.findtext("prop[@type='x-flags']") for tu in units(out)}
    assert "number-mismatch" in (flagged[pairs[2][0]] or "")


# --------------------------------------------------------------------------- warnings reach stderr (issue 19, case 6)


def test_characters_xml_cannot_hold_are_dropped_from_the_tmx_and_said_on_stderr(capsys, tmp_path):
    """Case 6: ``\\x0b \\x0c \\x1f U+FFFE`` cannot be in a TMX; they go, and ``align run`` says so."""
    pairs = list(PAIRS[:6])
    pairs[1] = (pairs[1][0].replace(" ", " \x1f", 1), pairs[1][1])
    pairs[3] = (pairs[3][0].replace(" ", "\ufffe ", 1), pairs[3][1].replace(" ", "\x0b", 1).replace(" ", "\x0c", 1))
    vi, id_ = write_pair(tmp_path / "in", pairs, per_para=1)
    out = tmp_path / "out.tmx"
    err = run_ok(capsys, vi, id_, "-o", out)
    text = out.read_text(encoding="utf-8")
    assert not any(c in text for c in "\x0b\x0c\x1f\ufffe")
    lines = [line for line in err.splitlines() if line.startswith("align: warning: out.tmx: removed ")]
    assert len(lines) == 1 and "XML-illegal" in lines[0], err
    assert "U+001F" in lines[0] and "U+FFFE" in lines[0], lines[0]


def test_an_empty_tmx_is_said_on_stderr(capsys, tmp_path, doc):
    """Case 6: with ``--split-by-score 0`` every unit goes to OUT.tmx; the empty review TMX is said, not silent."""
    err = run_ok(capsys, *doc, "-o", tmp_path / "out.tmx", "--split-by-score", 0)
    assert "align: warning: out.review.tmx: no translation unit to write: the TMX is empty" in err, err
    assert not read_tmx(tmp_path / "out.review.tmx").tus


def test_split_by_score_alone_says_nothing_of_min_score(capsys, tmp_path, doc):
    """Case 6 (messages): the units below the split went to the review TMX; none was left out by --min-score."""
    full = tmp_path / "full.tmx"
    run_ok(capsys, *doc, "-o", full)
    t = cut_between(scores_of(full))
    err = run_ok(capsys, *doc, "-o", tmp_path / "out.tmx", "--split-by-score", t)
    assert "--min-score" not in err, err
    weak = len(read_tmx(tmp_path / "out.review.tmx").tus)
    assert f"align: {weak} TUs below the split score written to" in err, err


def test_doc_id_names_the_units(capsys, tmp_path, doc):
    out = tmp_path / "out.tmx"
    run_ok(capsys, *doc, "-o", out, "--doc-id", "press-release-42")
    assert {tu.findtext("prop[@type='x-document']") for tu in units(out)} == {"press-release-42"}
    assert all(tu.get("tuid").startswith("press-release-42:") for tu in units(out))
