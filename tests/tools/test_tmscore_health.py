"""Issue 22 item 5, `align score`: its score is its own prop beside the aligner's, and its report is a TM health page.

Before: the scored TMX overwrote ``x-alignment-score`` with a number on another
scale (keeping no original), and the report was the alignment page
("reviewed.tmx → reviewed.tmx", coverage, noise blocks, a path).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from lxml import etree
from test_tmscore import PAIRS, hash_encoder, planted, tmx_of

from align.formats.tmx import read_tmx
from align.tools.tmscore import (
    duplicate_units,
    language_checks,
    score_tmx,
    write_score_report,
    write_scored_tmx,
)


def aligner_tmx(tmp_path: Path, pairs=None) -> Path:
    """A memory as `align run` writes it: every unit with the aligner's x-alignment-score (1.000 here)."""
    if pairs is None:
        pairs, _ = planted()
    return tmx_of(pairs, tmp_path / "aligned.tmx")


def test_scored_tmx_writes_its_own_score_beside_the_aligners(tmp_path):
    path = aligner_tmx(tmp_path)
    before = [tu.props for tu in read_tmx(path).tus]
    assert all(p["x-alignment-score"] == "1.000" for p in before)
    result = score_tmx(path, hash_encoder())
    out = tmp_path / "scored.tmx"
    write_scored_tmx(result, out)
    after = read_tmx(out).tus
    assert [tu.props["x-alignment-score"] for tu in after] == [p["x-alignment-score"] for p in before]  # untouched
    assert [tu.props["x-tm-score"] for tu in after] == [f"{u.score:.3f}" for u in result.units]
    assert [tu.props.get("x-tm-flags") for tu in after] == [",".join(u.flags) or None for u in result.units]
    assert [tu.props.get("x-flags") for tu in after] == [p.get("x-flags") for p in before]  # the aligner's flags too
    # the aligner's score as read is kept on each unit, for the report
    assert [u.alignment_score for u in result.units] == [1.0] * len(PAIRS)


def test_scoring_in_place_twice_keeps_the_aligners_score(tmp_path):
    path = aligner_tmx(tmp_path)
    for _ in range(2):
        write_scored_tmx(score_tmx(path, hash_encoder()), path)
    root = etree.parse(str(path)).getroot()
    for tu in root.iter("tu"):
        assert [p.text for p in tu.findall("prop[@type='x-alignment-score']")] == ["1.000"]
        assert len(tu.findall("prop[@type='x-tm-score']")) == 1


def test_the_report_is_a_tm_health_page_not_the_alignment_page(tmp_path):
    path = aligner_tmx(tmp_path)
    result = score_tmx(path, hash_encoder())
    html, js = tmp_path / "r.html", tmp_path / "r.json"
    data = write_score_report(result, html, js)
    page = html.read_text("utf-8")
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert title == "aligned.tmx · vi → id · Translation memory health"
    # what the alignment page showed and a memory does not have
    for absent in ("aligned.tmx → aligned.tmx", "Coverage", "Noise set aside", "Similarity matrix", "alignment path",
                   "Bead types", "Unaligned"):
        assert absent not in page, absent
    # what a TM health report shows
    for section in ('id="plot-histogram"', 'id="plot-aligner"', 'id="duplicates"', 'id="languages"',
                    'id="card-suspects"', 'id="card-duplicates"', 'id="card-languages"'):
        assert section in page, section
    # suspects worst first, each with both scores
    rows = re.findall(r'<tr id="unit-(\d+)" class="flagged"', page)
    assert [int(r) for r in rows] == [u.position + 1 for u in result.suspects()]
    first = page.split(f'<tr id="unit-{rows[0]}"', 1)[1].split("</tr>", 1)[0]
    assert first.count('class="badge"') == 2 and ">1.00<" in first  # the aligner's 1.00 beside the low TM score
    # the JSON the page is drawn from
    s = data["summary"]
    assert data["format_version"] == 2 and data["props"]["score"] == "x-tm-score"
    assert sum(data["distribution"]["tm_score"]) == len(PAIRS) == sum(data["distribution"]["aligner_score"])
    assert s["with_aligner_score"] == len(PAIRS)
    assert s["aligner_high_tm_low"] == sum(1 for u in result.units if u.score < 0.5) > 0
    assert [x["aligner_score"] for x in data["suspects"]] == [1.0] * len(result.suspects())
    assert json.loads(js.read_text("utf-8")) == json.loads(json.dumps(data))


def test_duplicates_are_counted_and_listed(tmp_path):
    pairs = list(PAIRS[:10])
    pairs += [PAIRS[2], PAIRS[2], (PAIRS[5][0], PAIRS[6][1])]  # unit 3 twice more; source 6 a second way
    d = duplicate_units([a for a, _ in pairs], [b for _, b in pairs])
    assert d["exact_groups"] == 1 and d["exact_copies"] == 2 and d["exact"][0]["units"] == [3, 11, 12]
    assert d["inconsistent_sources"] == 1
    assert d["inconsistent"][0]["src"] == PAIRS[5][0]
    assert sorted(t["units"] for t in d["inconsistent"][0]["targets"]) == [[6], [13]]
    result = score_tmx(tmx_of(pairs, tmp_path / "dup.tmx"), hash_encoder())  # written without dedupe
    write_score_report(result, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text("utf-8")
    assert re.search(r'id="card-duplicates">2<', page)
    assert 'id="dup-exact"' in page and 'id="dup-inconsistent"' in page


def test_language_checks_find_untranslated_and_swapped_units():
    src = [a for a, _ in PAIRS[:12]]
    tgt = [b for _, b in PAIRS[:12]]
    tgt[3] = src[3]  # left untranslated: the source copied over
    src[7], tgt[7] = tgt[7], src[7]  # sides swapped
    found = language_checks(src, tgt, "vi", "id")
    by_unit = {u["unit"]: u["problem"] for u in found["units"]}
    assert set(by_unit) == {4, 8}, by_unit
    assert "not translated" in by_unit[4]
    assert "sides swapped" in by_unit[8] or "not translated" in by_unit[8]
    assert found["problems"] == 2
    # the memory as a whole reads as declared; with the languages declared the other way round, it does not
    assert found["sides"]["source"]["problem"] is None and found["sides"]["target"]["problem"] is None
    long_src = [" ".join(src)] * 3
    assert language_checks(long_src, long_src, "id", "vi")["sides"]["source"]["problem"]


def test_an_untranslated_unit_is_a_suspect_and_on_the_page(tmp_path):
    """The target copied from the source reads as a perfect pair to the score; the language check flags it."""
    pairs = [list(p) for p in PAIRS]
    pairs[3][1] = pairs[3][0]
    path = tmx_of([tuple(p) for p in pairs], tmp_path / "lang.tmx")
    result = score_tmx(path, hash_encoder())
    unit = result.units[3]
    assert "wrong-language" in unit.flags and "not translated" in unit.issues["wrong-language"]
    assert [u.position for u in result.units if "wrong-language" in u.flags] == [3]
    write_scored_tmx(result, tmp_path / "scored.tmx")
    assert "wrong-language" in read_tmx(tmp_path / "scored.tmx").tus[3].props["x-tm-flags"]
    write_score_report(result, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text("utf-8")
    assert 'id="lang-units"' in page and re.search(r'id="card-languages">1<', page)
    assert 'id="unit-4" class="flagged"' in page


def test_the_unit_language_scores_are_langids_for_two_languages():
    """The per-unit check scores two languages only (one pass a side, for memories of 500,000 units); the
    numbers must be ``reading.langid.language_scores``' own."""
    from align.reading.langid import language_scores
    from align.tools.tmscore import _two_scores

    texts = [a for a, _ in PAIRS] + [b for _, b in PAIRS] + ["the cat and the dog of the house", "de la casa y el perro"]
    for text in texts:
        scores, n = language_scores(text)
        for a, b in (("vi", "id"), ("id", "vi"), ("en", "de"), ("id", "ms"), ("fr", "es")):
            got = _two_scores(text, a, b)
            assert got[2] == n and abs(got[0] - scores[a]) < 1e-12 and abs(got[1] - scores[b]) < 1e-12, (text, a, b)
