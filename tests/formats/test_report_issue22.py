"""Issue 22 item 5: the report's rough edges, each held by a test that failed before its fix.

The title names the pair; the dot plot's scale makes the translation diagonal stand
out and the path leaves its cells visible; rows and segments are numbered from 1
everywhere on the page; the text columns get the width; an omission keeps the
verdict from "Looks reliable"; the command line and the card count unaligned
segments alike; the JSON's check/flag fields say different things under different
names; the corpus index has a totals row.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from align.cli.main import main
from align.common.model import Alignment, Bead, Document, Segment
from align.formats.report.html import render_report
from align.formats.report.payload import report_payload, write_corpus_index, write_report
from align.formats.report.plots import DOT_BOX, display_scale, dot_plot, downsample, encode_matrix
from align.formats.report.tally import unaligned_phrase, unaligned_tally, verdict

PIL = pytest.importorskip("PIL.Image")

VI = [f"Câu số {k} nói về chủ đề {k * 7}." for k in range(8)]
ID = [f"Kalimat nomor {k} tentang topik {k * 7}." for k in range(8)]


def small(beads: list[tuple[list[int], list[int]]] | None = None, *, document_id: str = "", n_tgt: int = 8,
          noise: int = 0) -> Alignment:
    src = tuple(Segment(t, "sentence", k, 0) for k, t in enumerate(VI))
    tgt = tuple(Segment(t, "sentence", k, 0) for k, t in enumerate(ID[:n_tgt]))
    extra = tuple(Segment(f"Trang chủ {k}", "noise", 100 + k, 0, reason="site menu") for k in range(noise))
    pairs = beads if beads is not None else [([k], [k]) for k in range(8)]
    return Alignment(
        source=Document("pair/vi.txt", "vi", "\n".join(VI), src + extra),
        target=Document("pair/id.txt", "id", "\n".join(ID[:n_tgt]), tgt),
        src=src, tgt=tgt, beads=tuple(Bead(tuple(a), tuple(b), 0.97 if a and b else 0.0) for a, b in pairs),
        model_id="hash-256", params={}, signature="align:test", document_id=document_id,
    )


class Page(HTMLParser):
    """Text by element id, and the text of the <title>."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.by_id: dict[str, str] = {}
        self._open: list[str | None] = []
        self.title = ""
        self._in_title = False
        self.cells: list[tuple[str, str]] = []  # (class, text) of the bead table's cells
        self._cell: tuple[str, list[str]] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):  # noqa: ANN001, ANN201
        a = dict(attrs)
        self._in_title = tag == "title"
        if tag in ("td", "th"):
            self._cell = (a.get("class") or "", [])
        if tag not in ("br", "img", "meta", "input", "link"):
            self._open.append(a.get("id"))
            if a.get("id"):
                self.by_id[a["id"]] = ""

    def handle_endtag(self, tag):  # noqa: ANN001, ANN201
        self._in_title = False
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append((self._cell[0], "".join(self._cell[1]).strip()))
            self._cell = None
        if tag not in ("br", "img", "meta", "input", "link") and self._open:
            self._open.pop()

    def handle_data(self, data):  # noqa: ANN001, ANN201
        if self._in_title:
            self.title += data
        if self._cell is not None:
            self._cell[1].append(data)
        for i in self._open:
            if i:
                self.by_id[i] += data


def picture(b64: str) -> np.ndarray:
    img = PIL.open(io.BytesIO(base64.b64decode(b64)))
    img.load()
    return np.asarray(img.convert("RGB")).astype(int)


def cell_centre(i: int, j: int, n_src: int, n_tgt: int) -> tuple[int, int]:
    x0, y0, x1, y1 = DOT_BOX
    return (round(y0 + (i + 0.5) / n_src * (y1 - y0)), round(x0 + (j + 0.5) / n_tgt * (x1 - x0)))


def is_orange(px: np.ndarray) -> bool:
    return bool(np.abs(px - np.array([0xF2, 0x8E, 0x2B])).sum() < 90)


# --------------------------------------------------------------------------- the title


def test_title_names_the_pair_id_so_a_corpus_tabs_differ():
    pages = [Page(render_report(report_payload(small(document_id=d)))) for d in ("news-0412", "news-0413")]
    assert [p.title for p in pages] == ["news-0412 · vi → id · Alignment report", "news-0413 · vi → id · Alignment report"]
    assert pages[0].by_id["doc-id"] == "news-0412"
    # both pairs have the same file names (pair/vi.txt): without the id the titles were the same
    assert "vi.txt" not in pages[0].title


def test_without_an_id_the_title_falls_back_on_the_file_names():
    page = Page(render_report(report_payload(small())))
    assert page.title == "vi.txt → id.txt · Alignment report" and "doc-id" not in page.by_id


def test_the_json_keeps_the_pair_id():
    assert report_payload(small(document_id="news-0412"))["summary"]["document"] == "news-0412"


# --------------------------------------------------------------------------- the dot plot


def compressed_cosines(n: int = 30, hubs: tuple[int, ...] = (4, 17)) -> np.ndarray:
    """Cosines as e5 gives them: everything between 0.85 and 0.90; translations (the diagonal) 0.89, and two
    target segments (a name, a date line) close to every source segment, 0.885."""
    rng = np.random.default_rng(0)
    sim = 0.86 + rng.normal(0, 0.004, (n, n))
    sim[:, list(hubs)] = 0.885 + rng.normal(0, 0.002, (n, len(hubs)))
    sim[np.arange(n), np.arange(n)] = 0.89
    return sim.astype(np.float32)


def test_dot_plot_scale_makes_the_translation_diagonal_stand_out():
    n, hubs = 30, (4, 17)
    sim = compressed_cosines(n, hubs)
    reduced, block = downsample(sim)
    beads = [{"src": [k], "tgt": [k], "flags": []} for k in range(n)]
    img = picture(dot_plot(beads, n, n, encode_matrix(reduced, sim.shape, block)))
    darkness = lambda i, j: 765 - img[cell_centre(i, j, n, n)].sum()  # noqa: E731
    diagonal = np.mean([darkness(k, k) for k in range(n) if k not in hubs])
    hub_cells = np.mean([darkness(i, j) for j in hubs for i in range(n) if i != j])
    background = np.mean([darkness(i, (i + 9) % n) for i in range(n) if (i + 9) % n not in hubs])
    assert diagonal > 450, diagonal  # the translations are dark
    assert diagonal > 2.5 * hub_cells, (diagonal, hub_cells)  # a segment close to everything is not
    assert background < 120, background  # and unrelated pairs are near white


def test_display_scale_runs_from_an_ordinary_pair_to_a_typical_translation():
    shown, lo, hi = display_scale(compressed_cosines())
    diag = np.diag(shown)
    assert np.median(diag) >= hi - 1e-6 and lo < hi
    assert abs(np.median(shown) - lo) < 1e-6


def test_dot_plot_path_leaves_the_cells_it_rests_on_visible():
    """Small document: each pair's cells are outlined; their centres keep the heat map's colour."""
    n = 12
    sim = np.full((n, n), 0.2, dtype=np.float32)
    sim[np.arange(n), np.arange(n)] = 0.9
    beads = [{"src": [k], "tgt": [k], "flags": []} for k in range(n)]
    img = picture(dot_plot(beads, n, n, encode_matrix(sim, sim.shape, (1, 1))))
    for k in range(n):
        r, c = cell_centre(k, k, n, n)
        centre = img[r - 3 : r + 4, c - 3 : c + 4].reshape(-1, 3)
        assert not any(is_orange(p) for p in centre), k  # the cell itself is not painted over
        assert centre.sum(axis=1).mean() < 300, k  # it shows dark blue: the evidence
        half = (DOT_BOX[2] - DOT_BOX[0]) / n / 2
        ring = img[r - round(half) : r + round(half) + 1, c - round(half) : c + round(half) + 1].reshape(-1, 3)
        assert sum(is_orange(p) for p in ring) > 20, k  # the outline around it


def test_dot_plot_path_of_a_long_document_runs_beside_the_diagonal():
    n = 400  # cells of about 1 pixel: no room for outlines
    sim = np.full((n, n), 0.2, dtype=np.float32)
    sim[np.arange(n), np.arange(n)] = 0.9
    beads = [{"src": [k], "tgt": [k], "flags": []} for k in range(n)]
    img = picture(dot_plot(beads, n, n, encode_matrix(sim, sim.shape, (1, 1))))
    on_diagonal = [img[cell_centre(k, k, n, n)] for k in range(20, n - 20, 7)]
    assert sum(is_orange(p) for p in on_diagonal) <= 2  # the diagonal's cells are not covered
    beside = sum(is_orange(img[r + dr, c - dc]) for r, c in (cell_centre(k, k, n, n) for k in range(20, n - 20, 7))
                 for dr in range(1, 7) for dc in range(1, 7))
    assert beside > 50  # the path is there, just off the diagonal


# --------------------------------------------------------------------------- numbering and widths


def test_rows_and_segments_are_numbered_from_one_on_the_page():
    al = small([([0], [0]), ([1, 2], [1]), ([3], [2]), ([4], []), ([5], [3]), ([6], [4]), ([7], [5])], n_tgt=6)
    page = Page(render_report(report_payload(al)))
    rows = [c for c in page.cells if c[0] in ("num", "idx")][3:]  # after the header's #, src, tgt
    first = rows[:3]
    assert first == [("num", "1"), ("idx", "1"), ("idx", "1")]  # row 1 pairs source 1 with target 1
    second = rows[3:6]
    assert second == [("num", "2"), ("idx", "2, 3"), ("idx", "2")]
    unaligned = page.by_id["unaligned"]
    assert re.search(r"source\s*5\s*\d", unaligned), unaligned  # the omitted sentence: source segment 5 (index 4)
    assert "numbered from 1" in page.by_id["numbering"]


def test_text_columns_get_the_width_not_the_flags_column():
    css = (Path(__file__).resolve().parents[2] / "align" / "data" / "report" / "report.css").read_text("utf-8")
    flags = re.search(r"#beads \.flags \{ width: ([^;]+);", css)
    assert flags and flags.group(1).endswith("px") and int(flags.group(1)[:-2]) <= 200, flags
    # everything but the two text columns is fixed: they share the rest of the table
    fixed = sum(int(w) for w in re.findall(r"#beads \.(?:num|idx|type|score|flags) \{ width: (\d+)px", css))
    fixed += int(re.search(r"#beads \.idx \{ width: (\d+)px", css).group(1))  # two idx columns
    assert 1440 - 48 - 36 - fixed > 2 * 400  # at 1440 px each text column gets over 400 px


# --------------------------------------------------------------------------- verdict, counts, JSON


def test_an_omitted_sentence_keeps_the_verdict_from_looks_reliable():
    al = small([*[([k], [k]) for k in range(7)], ([7], [])], n_tgt=7)  # one sentence not translated
    payload = report_payload(al)
    payload["summary"]["quality"] = 0.99  # a long document: one sentence is a small share of the text
    page = render_report(payload)
    assert "Looks reliable" not in page and "Review the unaligned text" in page
    assert "1 source segment not translated" in Page(page).by_id["verdict-why"]
    assert 'class="verdict verdict-review"' in page
    assert verdict(0.99, {"content": 0})["cls"] == "good" and verdict(0.99, {"content": 1, "addition": 1})["cls"] == "review"


def run_cli(capsys, *args) -> tuple[int, str]:
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    return code, capsys.readouterr().err


def test_command_line_and_card_count_unaligned_segments_alike(capsys, tmp_path):
    (tmp_path / "vi.txt").write_text("Trang chủ | Tin tức | Thể thao\n\nHôm nay trời đẹp. Chúng tôi đi chợ.\n\n"
                                     "Chợ rất đông. Mẹ mua cá.\n\nanh-bai-viet-01.jpg\n\nGió thổi mạnh. Chúng tôi về nhà.\n",
                                     encoding="utf-8")
    (tmp_path / "id.txt").write_text("Hari ini cuacanya cerah. Kami pergi ke pasar.\n\nPasar sangat ramai. Ibu membeli "
                                     "ikan. Ada juga sayur segar.\n\nAngin bertiup kencang. Kami pulang ke rumah.\n",
                                     encoding="utf-8")
    code, err = run_cli(capsys, "run", tmp_path / "vi.txt", tmp_path / "id.txt", "-o", tmp_path / "o.tmx",
                        "--model", "hash")
    assert code == 0, err
    m = re.search(r"(\d+) unaligned \((\d+) omitted, (\d+) added\), (\d+) noise blocks? set aside", err)
    assert m, err
    page = Page((tmp_path / "o.report.html").read_text("utf-8"))
    summary = json.loads((tmp_path / "o.report.json").read_text("utf-8"))["summary"]
    assert int(m.group(1)) == int(page.by_id["card-unaligned"])  # "48 unaligned (48 noise)" beside "Unaligned 0"
    assert int(m.group(4)) == int(page.by_id["card-noise"].split()[0]) >= 1  # and both say how much noise
    tally = summary["unaligned_segments"]
    assert (tally["content"], tally["omission"], tally["addition"], tally["noise"]) == tuple(map(int, m.groups()))


def test_unaligned_tally_and_phrase():
    t = unaligned_tally(["omission: x", "addition: y", "noise: site menu", "noise: caption", "below min-score"])
    assert t == {"content": 3, "omission": 1, "addition": 1, "other": 1, "noise": 2}
    assert unaligned_phrase(t) == "3 unaligned (1 omitted, 1 added, 1 other), 2 noise blocks set aside"


def test_json_says_checked_and_flagged_under_different_names():
    """``flagged: true`` beside ``flagged_beads: 0`` read as a contradiction: ``flagged`` meant "the checks ran"."""
    s = report_payload(small(noise=2))["summary"]
    assert "flagged" not in s
    assert s["quality_checked"] is True and s["flagged_beads"] == 0 and s["flags"] == {}
    s = report_payload(small([*[([k], [k]) for k in range(7)], ([7], [])], n_tgt=7))["summary"]
    assert s["quality_checked"] is True and s["flagged_beads"] == 1 == sum(s["flags"].values())


# --------------------------------------------------------------------------- corpus index


def test_corpus_index_has_a_totals_row(tmp_path):
    entries = []
    for name, beads, n_tgt in (("a", None, 8), ("b", [*[([k], [k]) for k in range(7)], ([7], [])], 7)):
        al = dataclasses.replace(small(beads, n_tgt=n_tgt, noise=1), document_id=name)
        summary = write_report(al, tmp_path / f"{name}.html", tmp_path / f"{name}.json")
        entries.append({"name": name, "summary": summary, "html": tmp_path / f"{name}.html"})
    entries.append({"name": "c", "error": "unreadable"})
    write_corpus_index(entries, tmp_path / "index.html", tmp_path / "index.json")
    totals = json.loads((tmp_path / "index.json").read_text("utf-8"))["totals"]
    assert totals["documents"] == 3 and totals["failed"] == 1
    assert totals["tus"] == 8 + 7 and totals["omissions"] == 1 and totals["additions"] == 0
    assert totals["noise"] == 2 and totals["flagged_beads"] == 1 and totals["beads"] == 16
    chars_a = sum(map(len, VI)) + sum(map(len, ID))
    chars_b = sum(map(len, VI)) + sum(map(len, ID[:7]))
    q_b = (chars_b - len(VI[7])) / chars_b
    assert totals["quality"] == pytest.approx((1.0 * chars_a + q_b * chars_b) / (chars_a + chars_b))
    page = Page((tmp_path / "index.html").read_text("utf-8"))
    assert "Total · 3 documents (1 failed)" in page.by_id["totals"]
    assert page.by_id["total-tus"] == "15" and page.by_id["total-omissions"] == "1"
