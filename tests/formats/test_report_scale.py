"""Issue 19, case 10: a report stays a page a browser opens at any length.

The HTML holds the summary, the plots and at most ``MAX_HTML_ROWS`` rows: the
worst ones (flagged first, lowest score first) with a line saying so and naming
the files that hold every row; the JSON keeps every row. Up to the limit the
page is what it always was (every row, in document order). The big run itself
(200k beads: under 10 MB, open in under 5 s) is ``tests/benchmarks/bench_report.py``.
"""

from __future__ import annotations

import json
import re

import pytest
from bench_report import synthetic_alignment

import align.formats.report.html as report_html
from align.cli.main import main
from align.common.model import Alignment, Bead, Document, Segment
from align.formats.base import AlignedPair
from align.formats.report.html import render_report
from align.formats.report.payload import REPORT_HTML, rebuild_report, report_payload, write_report
from align.formats.report.plots import MAX_CELLS

N = 200  # the row limit in these tests (patched down from MAX_HTML_ROWS, so the runs stay small)


@pytest.fixture
def limit(monkeypatch):
    monkeypatch.setattr(report_html, "MAX_HTML_ROWS", N, raising=False)
    return N


def rows_of(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="bead-(\d+)"', html)]


def worst(data: dict, n: int) -> list[int]:
    """The ``n`` rows a reviewer reads first: flagged ones first, lowest score first, then in document order."""
    key = lambda b: (not b["flags"], b["score"] if b["score"] is not None else -1.0, b["n"])  # noqa: E731
    return [b["n"] for b in sorted(data["beads"], key=key)[:n]]


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """5,000 beads written with the row limit at N: the page, the JSON, their folder."""
    out = tmp_path_factory.mktemp("big")
    mp = pytest.MonkeyPatch()
    mp.setattr(report_html, "MAX_HTML_ROWS", N, raising=False)
    try:
        write_report(synthetic_alignment(5_000), out / "big.report.html", out / "big.report.json")
    finally:
        mp.undo()
    return (out / "big.report.html").read_text("utf-8"), json.loads((out / "big.report.json").read_text("utf-8")), out


def test_big_report_html_holds_exactly_the_worst_rows(big):
    html, data, _ = big
    assert len(data["beads"]) == data["summary"]["beads"] == 5_000  # the JSON keeps every row
    shown = rows_of(html)
    assert len(shown) == N
    assert shown == worst(data, N)  # the worst first, in that order
    by_n = {b["n"]: b for b in data["beads"]}
    assert all(by_n[k]["flags"] for k in shown)  # this run has more than N flagged rows: only those are shown
    scores = [by_n[k]["score"] for k in shown]
    assert scores == sorted(scores)
    assert not re.search(r'<tr id="bead-\d+" class="[^"]*para-start', html)  # no paragraph marks out of order


def test_big_report_says_it_shows_the_worst_rows_and_where_the_rest_are(big):
    html, _, _ = big
    note = re.search(r'<p class="limit" id="row-limit">([^<]*)</p>', html)
    assert note is not None
    assert note.group(1) == (f"Showing the worst {N:,} of 5,000 rows (flagged first, lowest score first); "
                             "the full table is in big.report.json.")
    assert f'id="card-limit">the table shows the worst {N}</a>' in html  # said at the top too, by the counts


def test_big_report_html_size_does_not_grow_with_the_beads(tmp_path, limit, monkeypatch):
    monkeypatch.setattr(report_html, "MAX_HTML_UNALIGNED", N // 4, raising=False)  # 2 % omissions, 2 % additions: over it too
    sizes = {}
    for n in (2_500, 10_000):
        al = synthetic_alignment(n, seed=1)
        write_report(al, tmp_path / f"{n}.html", tmp_path / f"{n}.json")
        sizes[n] = ((tmp_path / f"{n}.html").stat().st_size, (tmp_path / f"{n}.json").stat().st_size)
    (html_small, json_small), (html_big, json_big) = sizes[2_500], sizes[10_000]
    assert json_big > 3.5 * json_small  # every row in the JSON
    assert html_big < 1.1 * html_small, sizes  # the same N rows on the page, whatever the length


def test_big_report_matrix_stays_within_the_plot_bound(tmp_path, limit):
    """The heat map of a long pair is reduced to MAX_CELLS a side before the JSON or the page sees it."""
    import numpy as np

    al = synthetic_alignment(1_500)
    sim = np.zeros((len(al.src), len(al.tgt)), dtype=np.float32)
    data = report_payload(al, sim_matrix=sim)
    assert max(data["matrix"]["cells"]) <= MAX_CELLS and len(data["matrix"]["data"]) < 50_000
    assert len(render_report(data)) < 2_000_000


def test_small_report_shows_every_row_in_document_order_without_a_note(tmp_path, limit):
    al = synthetic_alignment(N)  # exactly at the limit: the page as it always was
    write_report(al, tmp_path / "r.html", tmp_path / "r.json")
    html = (tmp_path / "r.html").read_text("utf-8")
    assert rows_of(html) == list(range(N))
    assert 'id="row-limit"' not in html and re.search(r'<tr id="bead-\d+" class="[^"]*para-start', html)
    assert '<body>' in html  # not the long page's layout
    assert f'<span class="shown" id="f-count">{N} of {N} rows shown</span>' in html


def test_big_report_rebuild_applies_the_same_limit(big, tmp_path, limit):
    html, data, out = big
    rebuild_report(out / "big.report.json", tmp_path / "again.html")
    again = (tmp_path / "again.html").read_text("utf-8")
    assert rows_of(again) == rows_of(html) == worst(data, N)
    json_name = re.escape((out / "big.report.json").as_posix().rsplit("/", 1)[-1])
    assert re.search(rf"the full table is in [^<]*{json_name}\.</p>", again)


def test_big_report_cli_prints_the_row_limit(big, tmp_path, limit, capsys):
    _, _, out = big
    main(["report", str(out / "big.report.json"), "-o", str(tmp_path / "page.html")])
    err = capsys.readouterr().err
    assert f"showing the worst {N:,} of 5,000 rows" in err and "big.report.json" in err
    assert len(rows_of((tmp_path / "page.html").read_text("utf-8"))) == N


def test_big_report_from_the_pipeline_names_the_json_and_the_review_sheet(tmp_path, limit):
    al = synthetic_alignment(1_000)
    pair = AlignedPair(al, paths={"report_html": str(tmp_path / "x.report.html"),
                                  "report_json": str(tmp_path / "x.report.json"),
                                  "review_xlsx": str(tmp_path / "sheets" / "x.review.xlsx")})
    REPORT_HTML.write(pair, str(tmp_path / "staged.html"), None)  # options: only the TMX info reads them
    html = (tmp_path / "staged.html").read_text("utf-8")
    assert "the full table is in x.report.json and sheets/x.review.xlsx." in html
    assert len(rows_of(html)) == N


def test_big_report_lists_at_most_the_limit_of_unaligned_segments(tmp_path, monkeypatch):
    monkeypatch.setattr(report_html, "MAX_HTML_UNALIGNED", 20, raising=False)
    segs = tuple(Segment(f"Câu số {i}.", "sentence", i, 0) for i in range(60))
    noise = tuple(Segment(f"menu {i}", "noise", 100 + i, 0, reason="site menu") for i in range(30))
    s = Document("vi.txt", "vi", "x", segs + noise)
    t = Document("id.txt", "id", "y", (Segment("Kalimat.", "sentence", 0, 0),))
    beads = (Bead((0,), (0,), 0.9), *(Bead((i,), (), 0.0) for i in range(1, 60)))
    al = Alignment(s, t, s.content, t.content, beads, "hash", {"min_score": 0.0}, "sig")
    write_report(al, tmp_path / "r.html", tmp_path / "r.json")
    html = (tmp_path / "r.html").read_text("utf-8")
    data = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert len(data["unaligned"]) == 59 + 30
    listed = html[html.index('id="unaligned"'):]
    assert listed.count('<tr class="u-src">') == 20  # the omissions; the noise is under "Left out by the reader"
    assert listed.count('<tr class="lo-src">') == 20
    assert "The first 20 of 59 are listed here" in html and "The first 20 of 30 are listed here" in html
    assert '<div class="value" id="card-unaligned">59</div>' in html  # the counts are of all


def test_big_report_cuts_a_huge_text_cell_on_the_page_only(tmp_path):
    long = "Một câu rất dài. " * 2_000  # 34,000 characters in one segment
    s = Document("vi.txt", "vi", long, (Segment(long, "sentence", 0, 0),))
    t = Document("id.txt", "id", "Satu.", (Segment("Satu.", "sentence", 0, 0),))
    al = Alignment(s, t, s.content, t.content, (Bead((0,), (0,), 0.9),), "hash", {"min_score": 0.0}, "sig")
    write_report(al, tmp_path / "r.html", tmp_path / "r.json")
    html = (tmp_path / "r.html").read_text("utf-8")
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["beads"][0]["src_text"] == long
    cut = len(long) - 5_000  # MAX_CELL_CHARS
    assert f"… [{cut:,} more characters: the JSON report holds the whole text]" in html
    assert len(html) < 60_000 + 5_000 * 2
