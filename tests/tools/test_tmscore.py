"""Scoring an existing TMX: planted misalignments are caught, good units are left alone.

The memory is ``data/tm_vi_id.tsv``: 42 hand-made Vietnamese-Indonesian news
sentence pairs. Faults are planted in a copy of it: two pairs of units swap
their targets (neighbours and far apart), two units get the target of another
unit, two targets are cut to their first third. The logic tests use the
HashEncoder fake with a small vi-id lexicon (``data/tm_vi_id_lexicon.tsv``);
one ``model`` test runs the real bundled e5-small.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from documents import make_doc
from lxml import etree

from align.cli.main import main
from align.common.errors import InputError
from align.common.model import Alignment, Bead, Document
from align.embedding import HashEncoder
from align.embedding.registry import lookup, register
from align.formats.tmx import read_tmx, write_tmx
from align.tools.tmscore import (
    TmScoreParams,
    score_pairs,
    score_tmx,
    write_score_report,
    write_scored_tmx,
)

DATA = Path(__file__).resolve().parents[1] / "data"


def _tsv(name: str) -> list[list[str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


PAIRS: list[tuple[str, str]] = [(a, b) for a, b in _tsv("tm_vi_id.tsv")]
LEXICON: dict[str, str] = {a: b for a, b in _tsv("tm_vi_id_lexicon.tsv")}

SWAPS = ((4, 5), (11, 29))  # neighbours, far apart
COPIES = ((17, 24), (35, 2))  # unit a gets the target of unit b (b stays as it is)
TRUNCATED = (21, 40)


def truncate(text: str) -> str:
    """The first third of the words (rounded up)."""
    words = text.split()
    return " ".join(words[: -(-len(words) // 3)])


def planted() -> tuple[list[tuple[str, str]], dict[int, str]]:
    pairs = [list(p) for p in PAIRS]
    faults: dict[int, str] = {}
    for a, b in SWAPS:
        pairs[a][1], pairs[b][1] = pairs[b][1], pairs[a][1]
        faults[a] = faults[b] = "swapped"
    for a, b in COPIES:
        pairs[a][1] = PAIRS[b][1]
        faults[a] = "copied"
    for a in TRUNCATED:
        pairs[a][1] = truncate(PAIRS[a][1])
        faults[a] = "truncated"
    return [tuple(p) for p in pairs], faults


def doc(lang: str, texts: list[str], path: str = "memory.txt") -> Document:
    return make_doc(path, lang, [[t] for t in texts], para_sep="\n")


def tmx_of(pairs: list[tuple[str, str]], path: Path, **kw) -> Path:
    s, t = doc("vi", [p[0] for p in pairs]), doc("id", [p[1] for p in pairs])
    beads = tuple(Bead((k,), (k,), 1.0) for k in range(len(pairs)))
    write_tmx(Alignment(s, t, s.segments, t.segments, beads, "hand"), path, dedupe=False, **kw)
    return path


def hash_encoder() -> HashEncoder:
    return HashEncoder(lexicon=LEXICON)


def figures(result, faults: dict[int, str]) -> tuple[int, int, int, int]:
    """(faults caught, faults planted, good units flagged, good units)."""
    caught = sum(1 for u in result.units if u.position in faults and u.flags)
    false = sum(1 for u in result.units if u.position not in faults and u.flags)
    return caught, len(faults), false, len(result.units) - len(faults)


def check_planted(result, faults: dict[int, str]) -> None:
    by_pos = {u.position: u for u in result.units}
    missed = {k: (faults[k], by_pos[k].score) for k in faults if not by_pos[k].flags}
    assert not missed, f"planted faults not flagged: {missed}"
    good_flagged = {u.position: u.issues for u in result.units if u.position not in faults and u.flags}
    assert len(good_flagged) < 0.05 * (len(result.units) - len(faults)), good_flagged
    # the targeted signals: swaps and copies are "misplaced", naming the unit they belong to
    for a, b in SWAPS:
        assert "misplaced" in by_pos[a].flags and "misplaced" in by_pos[b].flags
        assert f"unit {result.units[b].tu.tuid}" in by_pos[a].issues["misplaced"]
        assert f"unit {result.units[a].tu.tuid}" in by_pos[b].issues["misplaced"]
    for a, b in COPIES:
        assert "misplaced" in by_pos[a].flags
        assert f"unit {result.units[b].tu.tuid}" in by_pos[a].issues["misplaced"]
        assert not by_pos[b].flags  # the unit whose target was copied is fine
    for a in TRUNCATED:
        assert by_pos[a].score < 0.5 and "length-ratio" in by_pos[a].flags


# --------------------------------------------------------------------------- the fast logic tests


@pytest.fixture
def planted_tmx(tmp_path) -> tuple[Path, dict[int, str]]:
    pairs, faults = planted()
    return tmx_of(pairs, tmp_path / "planted.tmx"), faults


def test_planted_faults_are_caught_with_the_fake(planted_tmx):
    path, faults = planted_tmx
    result = score_tmx(path, hash_encoder())
    check_planted(result, faults)


def test_a_clean_memory_is_left_alone(tmp_path):
    result = score_tmx(tmx_of(PAIRS, tmp_path / "clean.tmx"), hash_encoder())
    assert [u.position for u in result.units if u.flags] == []
    assert min(u.score for u in result.units) > 0.6 and np.median([u.score for u in result.units]) > 0.9
    assert result.suspects() == []


def test_each_side_is_encoded_once(planted_tmx):
    enc = hash_encoder()
    score_tmx(planted_tmx[0], enc)
    assert len(enc.calls) == 2  # one batch of sources, one of targets (identical texts de-duplicated)


def test_suspects_come_worst_first(planted_tmx):
    path, faults = planted_tmx
    result = score_tmx(path, hash_encoder())
    suspects = result.suspects()
    assert {u.position for u in suspects} == set(faults)
    assert [u.score for u in suspects] == sorted(u.score for u in suspects)


def test_threshold_sets_the_low_score_bar(planted_tmx):
    path, _ = planted_tmx
    strict = score_tmx(path, hash_encoder(), params=TmScoreParams(threshold=0.999))
    lenient = score_tmx(path, hash_encoder(), params=TmScoreParams(threshold=0.0))
    assert sum("low-score" in u.flags for u in strict.units) > 30
    assert sum("low-score" in u.flags for u in lenient.units) == 0
    assert [u.score for u in strict.units] == [u.score for u in lenient.units]


# --------------------------------------------------------------------------- score_pairs


def _vectors(pairs):
    enc = hash_encoder()
    src, tgt = [a for a, _ in pairs], [b for _, b in pairs]
    return enc.encode(src), enc.encode(tgt), [len(a) for a in src], [len(b) for b in tgt], src, tgt


def test_score_pairs_does_not_depend_on_the_order_of_units():
    sv, tv, sl, tl, st, tt = _vectors(PAIRS)
    base = score_pairs(sv, tv, sl, tl, src_texts=st, tgt_texts=tt)
    perm = np.random.default_rng(7).permutation(len(PAIRS))
    shuffled = score_pairs(sv[perm], tv[perm], np.array(sl)[perm], np.array(tl)[perm],
                           src_texts=[st[k] for k in perm], tgt_texts=[tt[k] for k in perm])
    np.testing.assert_allclose(shuffled, base[perm], rtol=0, atol=1e-6)
    assert base.shape == (len(PAIRS),) and np.all((base >= 0) & (base <= 1))


def test_score_pairs_separates_translations_from_other_sentences():
    sv, tv, sl, tl, _, _ = _vectors(PAIRS)
    good = score_pairs(sv, tv, sl, tl)
    wrong = score_pairs(sv, np.roll(tv, 1, axis=0), sl, np.roll(tl, 1))
    assert good.min() > 0.6 and np.median(good) > 0.9
    assert np.mean(wrong < 0.5) > 0.9 and np.median(wrong) < 0.3  # (the fake sees "year" in many sentences)


def test_a_bad_unit_does_not_pull_down_the_others():
    """Units are scored on their own: cutting one target lowers that unit's score, not its neighbours'."""
    sv, tv, sl, tl, st, tt = _vectors(PAIRS)
    before = score_pairs(sv, tv, sl, tl, src_texts=st, tgt_texts=tt)
    pairs = list(PAIRS)
    pairs[7] = (pairs[7][0], truncate(pairs[7][1]))
    sv, tv, sl, tl, st, tt = _vectors(pairs)
    after = score_pairs(sv, tv, sl, tl, src_texts=st, tgt_texts=tt)
    assert before[7] > 0.8 and after[7] < 0.5
    others = np.arange(len(PAIRS)) != 7
    assert np.max(np.abs(after[others] - before[others])) < 0.05


def test_score_pairs_checks_its_inputs():
    with pytest.raises(ValueError):
        score_pairs(np.zeros((3, 8)), np.zeros((2, 8)), [1, 2, 3], [1, 2])
    assert score_pairs(np.zeros((0, 8)), np.zeros((0, 8)), [], []).shape == (0,)


# --------------------------------------------------------------------------- output TMX


FOREIGN_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="Trados" creationtoolversion="16" segtype="sentence" o-tmf="sdlxliff" adminlang="en-US"
          srclang="vi-VN" datatype="xml">
    <prop type="x-Client">ACME</prop>
  </header>
  <body>
{units}
    <tu tuid="only-vi"><tuv xml:lang="vi-VN"><seg>Chỉ có tiếng Việt.</seg></tuv></tu>
  </body>
</tmx>
"""
UNIT = """    <tu tuid="t{k}" creationid="anna" changedate="20200101T000000Z">
      <note>checked by {k}</note>
      <prop type="x-Project">P{k}</prop>
      <prop type="x-flags">old-flag</prop>
      <tuv xml:lang="vi-VN"><seg>{src}</seg></tuv>
      <tuv xml:lang="id-ID"><seg>{tgt}</seg></tuv>
      <tuv xml:lang="en-US"><seg>English {k}</seg></tuv>
    </tu>"""


@pytest.fixture
def foreign(tmp_path) -> tuple[Path, dict[int, str]]:
    """A TMX as another tool writes it: notes, own props, a third language, a unit without target."""
    from xml.sax.saxutils import escape

    pairs, faults = planted()
    units = "\n".join(UNIT.format(k=k, src=escape(a), tgt=escape(b)) for k, (a, b) in enumerate(pairs))
    path = tmp_path / "trados.tmx"
    path.write_text(FOREIGN_TMX.format(units=units), encoding="utf-8")
    return path, faults


def test_scored_tmx_keeps_everything_and_adds_score_and_flags(tmp_path, foreign):
    path, faults = foreign
    result = score_tmx(path, hash_encoder(), tgt_lang="id-ID")
    out = tmp_path / "scored.tmx"
    assert write_scored_tmx(result, out) == len(PAIRS)
    before, after = etree.parse(str(path)).getroot(), etree.parse(str(out)).getroot()
    assert after.find("header").attrib == before.find("header").attrib
    assert after.findtext("header/prop[@type='x-Client']") == "ACME"
    tus = after.findall("body/tu")
    assert len(tus) == len(PAIRS) + 1
    assert tus[-1].get("tuid") == "only-vi" and tus[-1].find("prop") is None  # not scored, untouched
    for k, tu in enumerate(tus[:-1]):
        assert tu.findtext("note") == f"checked by {k}"
        assert tu.findtext("prop[@type='x-Project']") == f"P{k}"
        assert tu.get("creationid") == "anna" and tu.get("changedate") == "20200101T000000Z"
        assert [t.get("{http://www.w3.org/XML/1998/namespace}lang") for t in tu.findall("tuv")] == ["vi-VN", "id-ID", "en-US"]
        assert float(tu.findtext("prop[@type='x-tm-score']")) == pytest.approx(result.units[k].score, abs=1e-3)
        assert tu.find("prop[@type='x-alignment-score']") is None  # none was there: none is made up
        flags = tu.findall("prop[@type='x-tm-flags']")
        if k in faults:
            assert len(flags) == 1 and flags[0].text == ",".join(result.units[k].flags)
        else:
            assert flags == []
        assert [f.text for f in tu.findall("prop[@type='x-flags']")] == ["old-flag"]  # the other tool's, kept
        tags = [c.tag for c in tu]
        assert max(i for i, t in enumerate(tags) if t in ("prop", "note")) < tags.index("tuv")
    # the scored file reads back, scores and all
    again = read_tmx(out, tgt_lang="id-ID")
    assert [tu.props["x-tm-score"] for tu in again.tus] == [f"{u.score:.3f}" for u in result.units]
    assert any("only-vi" in w or "lack" in w for w in result.warnings)


def test_scoring_twice_gives_the_same_file(tmp_path, planted_tmx):
    path, _ = planted_tmx
    once, twice = tmp_path / "once.tmx", tmp_path / "twice.tmx"
    write_scored_tmx(score_tmx(path, hash_encoder()), once)
    write_scored_tmx(score_tmx(once, hash_encoder()), twice)
    assert once.read_bytes() == twice.read_bytes()


# --------------------------------------------------------------------------- reports


def test_reports_list_suspects_worst_first(tmp_path, planted_tmx):
    path, faults = planted_tmx
    result = score_tmx(path, hash_encoder())
    html, js = tmp_path / "r.html", tmp_path / "r.json"
    data = write_score_report(result, html, js)
    loaded = json.loads(js.read_text(encoding="utf-8"))
    assert loaded == json.loads(json.dumps(data))
    assert loaded["format"] == "align-tm-score"
    assert loaded["summary"]["units"] == len(PAIRS) and loaded["summary"]["suspects"] == len(faults)
    assert [s["unit"] - 1 for s in loaded["suspects"]] == [u.position for u in result.suspects()]
    assert [s["score"] for s in loaded["suspects"]] == sorted(s["score"] for s in loaded["suspects"])
    assert loaded["summary"]["flags"]["misplaced"] == 6
    page = html.read_text(encoding="utf-8")
    assert "Translation memory health" in page and "Alignment report" not in page
    # the table lists flagged rows first; the first row is the worst unit (numbered from 1, as in the JSON)
    worst = result.suspects()[0]
    rows = page.split('<tr id="unit-')[1:]
    assert rows[0].startswith(f'{worst.position + 1}"')
    flagged_rows = [r for r in rows if r.split(">", 1)[0].count("flagged")]
    assert len(flagged_rows) == len(faults)
    assert all(r.split(">", 1)[0].count("flagged") for r in rows[: len(faults)])
    assert "swapped or copied from another unit" in page and "matches the source of unit" in page


# --------------------------------------------------------------------------- command line


def score_cli(capsys, *args) -> tuple[int, str]:
    try:
        main(["score", *map(str, args)])
        code = 0
    except SystemExit as e:
        code = e.code
    return code, capsys.readouterr().err


@pytest.fixture
def hash_model():
    """``--model hash`` gets the vi-id lexicon of the planted memory (through the model registry, as the CLI loads it)."""
    original = lookup("hash")
    register(dataclasses.replace(original, factory=lambda name, device: hash_encoder()))
    yield
    register(original)


def test_cli_score_writes_tmx_and_reports(capsys, tmp_path, planted_tmx, hash_model):
    path, faults = planted_tmx
    out = tmp_path / "out.tmx"
    code, err = score_cli(capsys, path, "-o", out, "--report-json", tmp_path / "s.json", "--model", "hash")
    assert code == 0, err
    assert f"{len(PAIRS)} units, {len(faults)} suspect" in err and "misplaced 6" in err
    assert (tmp_path / "out.report.html").exists()
    assert len(json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["suspects"]) == len(faults)
    flagged = [tu.props.get("x-tm-flags") for tu in read_tmx(out).tus]
    assert [k for k, f in enumerate(flagged) if f] == sorted(faults)


def test_cli_score_in_place(capsys, tmp_path, planted_tmx, hash_model):
    path, _ = planted_tmx
    code, err = score_cli(capsys, path, "-o", path, "--no-report", "--model", "hash")
    assert code == 0, err
    tus = read_tmx(path).tus
    assert all("x-tm-score" in tu.props for tu in tus)
    assert [tu.props["x-alignment-score"] for tu in tus] == ["1.000"] * len(tus)  # the aligner's, as written


@pytest.mark.parametrize("content, needle", [
    ("not xml at all", "not well-formed"),
    ('<?xml version="1.0"?><html><body/></html>', "not a TMX"),
    ('<?xml version="1.0"?><tmx version="1.4"><header srclang="vi"/><body/></tmx>', "no bilingual"),
])
def test_cli_score_bad_input_is_one_line(capsys, tmp_path, content, needle):
    bad = tmp_path / "bad.tmx"
    bad.write_text(content, encoding="utf-8")
    code, err = score_cli(capsys, bad, "-o", tmp_path / "out.tmx", "--model", "hash")
    assert code == 3
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "bad.tmx" in lines[0] and needle in lines[0]
    assert not (tmp_path / "out.tmx").exists()


def test_a_tmx_without_bilingual_units_is_an_input_error(tmp_path):
    path = tmp_path / "halves.tmx"
    path.write_text('<?xml version="1.0"?><tmx version="1.4"><header srclang="vi"/><body>'
                    '<tu><tuv xml:lang="vi"><seg>Một</seg></tuv></tu><tu><tuv xml:lang="id"><seg>Satu</seg></tuv></tu>'
                    "</body></tmx>", encoding="utf-8")
    with pytest.raises(InputError, match=r"no bilingual unit \(vi and id\)"):
        score_tmx(path, hash_encoder())


# --------------------------------------------------------------------------- the real model


@pytest.mark.model
def test_planted_faults_are_caught_with_e5_small(tmp_path):
    from align.embedding import load_encoder

    pairs, faults = planted()
    result = score_tmx(tmx_of(pairs, tmp_path / "planted.tmx"), load_encoder("e5-small"))
    caught, planted_n, false, good = figures(result, faults)
    print(f"\ne5-small: caught {caught}/{planted_n} planted faults, {false}/{good} good units flagged")
    check_planted(result, faults)


def test_html_report_keeps_every_flagged_unit_and_caps_the_rest(tmp_path, planted_tmx, monkeypatch):
    import align.tools.tmscore as tmscore

    monkeypatch.setattr(tmscore, "MAX_CLEAN_ROWS", 3)
    result = score_tmx(planted_tmx[0], hash_encoder())
    write_score_report(result, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count('<tr id="unit-') == len(planted_tmx[1]) + 3
    assert f">{len(PAIRS)}<" in page or f"{len(PAIRS)} " in page  # the summary still counts every unit


def test_a_capped_html_report_names_the_scored_tmx_as_the_full_table(tmp_path, planted_tmx, monkeypatch):
    """Issue 19: a page showing only the worst rows says where every unit's score is: the scored TMX."""
    import align.formats.report.html as html

    monkeypatch.setattr(html, "MAX_HTML_ROWS", 5)
    result = score_tmx(planted_tmx[0], hash_encoder())
    write_scored_tmx(result, tmp_path / "scored.tmx")
    write_score_report(result, tmp_path / "r.html", scored_tmx=tmp_path / "scored.tmx")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count('<tr id="unit-') == 5
    assert f"Showing the worst 5 of {len(PAIRS)} rows" in page and "the full table is in scored.tmx" in page
