"""HTML and JSON reports: they agree with the alignment, load nothing from outside, never run input text,
and the HTML can be rebuilt from the JSON alone."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from align import HashEncoder, OutputError
from align.common.errors import InputError
from align.common.model import Alignment, Bead
from align.formats.report.payload import load_report, rebuild_report, write_corpus_index, write_report
from align.formats.report.plots import decode_matrix, downsample, encode_matrix
from align.quality.flags import flag_beads

try:  # the article and helpers of the quality tests (tests/ is not a package; rootdir import otherwise)
    from test_quality import ID, LEXICON, VI, alignment, diagonal, doc
except ImportError:  # pragma: no cover
    from tests.test_quality import ID, LEXICON, VI, alignment, diagonal, doc

INJECT = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
EVIL_URL = "http://evil.example/steal.js"


def faulty_alignment(inject: bool = True) -> tuple[Alignment, np.ndarray]:
    """The test article with planted faults: a changed number, an omission, an addition, site noise,
    and (``inject``) markup and a URL in the text and the file name. Returns it flagged, with its cosines."""
    vi = list(VI)
    id_ = list(ID)
    id_[3] = (2, "Menteri Luong Tam Quang berbicara pada tahun 1993.")
    del id_[6]  # sentence 6 not translated
    id_.insert(8, (5, "Catatan redaksi: artikel ini diperbarui."))
    if inject:
        vi[9] = (5, vi[9][1] + " " + INJECT)
        id_[9] = (5, id_[9][1] + " " + INJECT + " " + EVIL_URL)
    s = doc(vi, "vi", noise=("Trang chủ | Tin tức", f'<a href="{EVIL_URL}">menu</a>'))
    t = doc(id_, "id", noise=("Beranda",))
    s = type(s)(path='vi"<b>.txt', lang=s.lang, text=s.text, segments=s.segments, warnings=("guessed cp1258 <i>",))
    enc = HashEncoder(lexicon=LEXICON)
    sv, tv = enc.encode([x.text for x in s.content]), enc.encode([x.text for x in t.content])
    pairs = [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), (3,)), ((4,), (4,)), ((5,), (5,)), ((6,), ()),
             ((7,), (6,)), ((8,), (7,)), ((), (8,)), ((9,), (9,))]
    beads = tuple(Bead(a, b, float(sv[list(a)].sum(0) @ tv[list(b)].sum(0)) if a and b else 0.0) for a, b in pairs)
    al = Alignment(s, t, s.content, t.content, beads, "hash-256", {"min_score": 0.0}, "align:test|model:hash-256")
    sim = sv @ tv.T
    return flag_beads(al, sv, tv), sim


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    al, sim = faulty_alignment()
    summary = write_report(al, out / "r.html", out / "r.json", sim_matrix=sim)
    return al, sim, summary, (out / "r.html").read_text("utf-8"), json.loads((out / "r.json").read_text("utf-8")), out


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse(html: str) -> Tags:
    p = Tags()
    p.feed(html)
    return p


# ----------------------------------------------------------------------------- JSON


def test_json_agrees_with_the_alignment(report):
    al, _, summary, _, data, _ = report
    assert data["format"] == "align-report" and data["signature"] == al.signature
    assert len(data["beads"]) == len(al.beads)
    assert data["summary"]["tus"] == sum(1 for b in al.beads if not b.is_null) == 9
    for b, j in zip(al.beads, data["beads"], strict=True):
        assert (tuple(j["src"]), tuple(j["tgt"]), j["score"], tuple(j["flags"])) == (b.src, b.tgt, b.score, b.flags)
        assert j["type"] == b.kind
        assert j["src_text"] == "\n".join(al.src[i].text for i in b.src)
        assert j["tgt_text"] == "\n".join(al.tgt[k].text for k in b.tgt)
        assert set(j["issues"]) == set(b.flags)
    assert data["summary"]["score"]["mean"] == pytest.approx(np.mean([b.score for b in al.beads if not b.is_null]))
    assert summary["tus"] == data["summary"]["tus"] and summary["unaligned"] == data["unaligned"]


def test_every_segment_is_in_a_tu_or_listed_unaligned(report):
    al, _, _, _, data, _ = report
    for side, segs, doc_ in (("src", al.src, al.source), ("tgt", al.tgt, al.target)):
        in_tu = {i for j in data["beads"] if j["src"] and j["tgt"] for i in j[side]}
        listed = {u["pos"] for u in data["unaligned"] if u["side"] == side and u["pos"] is not None}
        assert in_tu.isdisjoint(listed)
        assert in_tu | listed == set(range(len(segs)))
        noise = [u["text"] for u in data["unaligned"] if u["side"] == side and u["reason"].startswith("noise")]
        assert noise == [s.text for s in doc_.noise]
    reasons = {(u["side"], u["pos"]): u["reason"] for u in data["unaligned"] if u["pos"] is not None}
    assert reasons[("src", 6)].startswith("omission") and reasons[("tgt", 8)].startswith("addition")


def test_planted_faults_are_in_the_json(report):
    _, _, _, _, data, _ = report
    by_src = {tuple(b["src"]): b for b in data["beads"]}
    assert "number-mismatch" in by_src[(3,)]["flags"] and "1993" in by_src[(3,)]["issues"]["number-mismatch"]
    assert by_src[(6,)]["flags"][0] == "omission"
    assert data["summary"]["flags"]["omission"] == 1 and data["summary"]["flags"]["addition"] == 1
    assert set(data["flag_legend"]) >= {"omission", "low-score", "drift", "number-mismatch"}


def test_json_holds_a_compact_similarity_matrix(report):
    _, sim, _, _, data, _ = report
    m = data["matrix"]
    assert m["shape"] == list(sim.shape) and m["block"] == [1, 1]
    assert np.allclose(decode_matrix(m), sim, atol=(sim.max() - sim.min()) / 255 + 1e-6)


def test_non_finite_numbers_become_null_and_survive_a_rebuild(tmp_path):
    al, _ = faulty_alignment(inject=False)
    beads = list(al.beads)
    beads[0] = Bead(beads[0].src, beads[0].tgt, float("nan"))
    params = {**al.params, "max_gap": float("inf"), "weights": (0.5, 0.5)}
    al = Alignment(al.source, al.target, al.src, al.tgt, tuple(beads), al.model_id, params, al.signature)
    write_report(al, tmp_path / "r.html", tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["beads"][0]["score"] is None and data["summary"]["params"]["max_gap"] is None
    assert data["summary"]["score"]["mean"] == pytest.approx(np.mean([b.score for b in beads[1:] if not b.is_null]))
    rebuild_report(tmp_path / "r.json", tmp_path / "again.html")
    assert (tmp_path / "again.html").read_text() == (tmp_path / "r.html").read_text()


# ----------------------------------------------------------------------------- HTML


def test_html_loads_nothing_from_outside(report):
    _, _, _, html, _, _ = report
    tags = parse(html)
    for tag, attrs in tags.tags:
        for name in ("src", "href", "action", "data", "poster", "srcset"):
            if name in attrs:
                assert attrs[name].startswith(("data:image/png;base64,", "#")), (tag, name, attrs[name][:60])
        assert tag not in ("link", "iframe", "object", "embed", "base")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "@import" not in html and "url(" not in html


def test_input_markup_is_shown_not_run(report):
    _, _, _, html, _, _ = report
    tags = parse(html)
    assert len(tags.scripts) == 1 and "__pwned" not in tags.scripts[0]
    assert not any(k.startswith("on") for _, attrs in tags.tags for k in attrs)
    assert [t for t, _ in tags.tags].count("img") == 2  # the two plots
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert "<script>window.__pwned" not in html
    assert 'vi&#34;&lt;b&gt;.txt' in html and "guessed cp1258 &lt;i&gt;" in html
    assert EVIL_URL in html  # shown as text, escaped context


def test_csp_allows_only_the_page_script(report):
    _, _, _, html, _, _ = report
    tags = parse(html)
    meta = [a for t, a in tags.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(meta) == 1
    csp = meta[0]["content"]
    digest = base64.b64encode(hashlib.sha256(tags.scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp and "default-src 'none'" in csp and "img-src data:" in csp


def test_html_shows_summary_rows_flags_and_unaligned(report):
    al, _, _, html, data, _ = report
    s = data["summary"]
    assert "<h1>Alignment report</h1>" in html
    assert f'<div class="value" id="card-tus">{s["tus"]}</div>' in html
    assert f'<div class="value" id="card-flagged">{s["flagged_beads"]}</div>' in html
    rows = re.findall(r'<tr id="bead-(\d+)"', html)
    assert rows == [str(k) for k in range(len(al.beads))]
    flagged_rows = re.findall(r'<tr id="bead-\d+" class="flagged', html)
    assert len(flagged_rows) == s["flagged_beads"]
    assert 'data-flags="omission' in html and "number-mismatch" in html
    for u in data["unaligned"]:
        # content under the unaligned segments; noise by its reason under "Left out by the reader"
        assert u["reason"].removeprefix("noise: ") in html
    assert html.count('<option value="') == len(s["flags"]) + 1  # one per flag present, and "any"
    assert data["signature"] in html


def test_plots_are_inline_pngs(report):
    _, _, _, html, _, _ = report
    pngs = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(pngs) == 2
    for p in pngs:
        raw = base64.b64decode(p)
        assert raw[:8] == b"\x89PNG\r\n\x1a\n" and len(raw) > 5000


def test_rebuild_from_json_gives_the_same_page(report, tmp_path):
    _, _, _, html, _, out = report
    rebuild_report(out / "r.json", tmp_path / "again.html")
    again = (tmp_path / "again.html").read_text("utf-8")
    table = lambda h: h[h.index('<table id="beads">') : h.index("</table>", h.index('<table id="beads">'))]  # noqa: E731
    assert table(again) == table(html)
    assert again == html


def test_report_is_deterministic(tmp_path):
    al, sim = faulty_alignment()
    write_report(al, tmp_path / "a.html", tmp_path / "a.json", sim_matrix=sim)
    write_report(al, tmp_path / "b.html", tmp_path / "b.json", sim_matrix=sim)
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_report_without_matrix_or_flags(tmp_path):
    al, _ = faulty_alignment(inject=False)
    bare = Alignment(al.source, al.target, al.src, al.tgt, tuple(Bead(b.src, b.tgt, b.score) for b in al.beads),
                     al.model_id, {"min_score": 0.0}, al.signature)
    s = write_report(bare, tmp_path / "r.html", None)
    html = (tmp_path / "r.html").read_text("utf-8")
    assert s["flagged_by_report"] and s["flags"]["omission"] == 1 and s["flags"]["number-mismatch"] == 1
    assert "were run while writing this report, without vectors" in html
    assert not (tmp_path / "r.json").exists()


def test_wrong_matrix_shape_is_refused():
    al, sim = faulty_alignment()
    with pytest.raises(ValueError, match="similarity matrix is 10×9"):
        write_report(al, None, None, sim_matrix=sim[:, :-1])


# ----------------------------------------------------------------------------- big documents


def test_downsample_is_block_max():
    rng = np.random.default_rng(0)
    sim = rng.random((1234, 601)).astype(np.float32)
    small, (bs, bt) = downsample(sim, 600)
    assert (bs, bt) == (3, 2) and small.shape == (412, 301)
    ref = np.full((412 * 3, 301 * 2), -np.inf, np.float32)
    ref[:1234, :601] = sim
    assert np.array_equal(small, ref.reshape(412, 3, 301, 2).max(axis=(1, 3)))


def test_long_document_matrix_is_capped(tmp_path, monkeypatch):
    import align.formats.report.plots as plots

    monkeypatch.setattr(plots, "_ROW_CHUNK_CELLS", 50_000)  # force many chunks
    n, m = 2500, 1900
    sim = np.lib.format.open_memmap(tmp_path / "sim.npy", mode="w+", dtype=np.float32, shape=(n, m))
    sim[:] = 0.1
    sim[np.arange(n), np.minimum(np.arange(n) * m // n, m - 1)] = 0.9
    small, block = downsample(sim)
    assert max(small.shape) <= 600 and block == (5, 4)
    enc = encode_matrix(small, sim.shape, block)
    assert len(enc["data"]) < 200_000
    back = decode_matrix(enc)
    assert back.shape == small.shape and back.max() == pytest.approx(0.9, abs=0.01)


# ----------------------------------------------------------------------------- files


def test_missing_folder_is_an_output_error(tmp_path):
    al, _ = faulty_alignment(inject=False)
    with pytest.raises(OutputError, match="output folder does not exist") as e:
        write_report(al, tmp_path / "nope" / "r.html", None)
    assert e.value.exit_code == 5 and "nope" in str(e.value)


def test_failed_render_keeps_the_old_report(tmp_path, monkeypatch):
    import align.formats.report.html as rh

    al, _ = faulty_alignment(inject=False)
    (tmp_path / "r.html").write_text("old")
    monkeypatch.setattr(rh, "render_report", lambda payload, **kw: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError):
        write_report(al, tmp_path / "r.html", tmp_path / "r.json")
    assert (tmp_path / "r.html").read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["r.html", "r.json"]  # JSON written first, no temp files left


def test_rebuild_refuses_what_is_not_a_report(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "other.json").write_text('{"format": "something-else"}')
    with pytest.raises(InputError, match="not a readable JSON report"):
        rebuild_report(tmp_path / "bad.json", tmp_path / "x.html")
    with pytest.raises(InputError, match="not an alignment report"):
        load_report(tmp_path / "other.json")
    with pytest.raises(InputError, match="file not found"):
        load_report(tmp_path / "missing.json")
    assert not (tmp_path / "x.html").exists()


# ----------------------------------------------------------------------------- corpus index


def test_corpus_index_ranks_worst_first_with_relative_links(tmp_path):
    good, _ = faulty_alignment(inject=False)
    clean = flag_beads(alignment(VI, ID, diagonal(len(VI))))
    (tmp_path / "reports" / "a").mkdir(parents=True)
    (tmp_path / "reports" / "b").mkdir()
    entries = []
    for name, al in (("pair-good", clean), ("pair-faulty", good)):
        d = tmp_path / "reports" / ("a" if name == "pair-good" else "b")
        s = write_report(al, d / "r.html", d / "r.json")
        entries.append({"name": name, "summary": s, "html": d / "r.html", "json": d / "r.json"})
    entries.append({"name": "pair-broken", "error": "tgt.txt: file is empty"})
    rows = write_corpus_index(entries, tmp_path / "index.html", tmp_path / "index.json")
    assert [r["name"] for r in rows] == ["pair-broken", "pair-faulty", "pair-good"]
    assert rows[1]["quality"] < rows[2]["quality"] == 1.0
    data = json.loads((tmp_path / "index.json").read_text())
    assert [d["name"] for d in data["documents"]] == ["pair-broken", "pair-faulty", "pair-good"]
    assert data["documents"][1]["html"] == "reports/b/r.html" and data["documents"][2]["json"] == "reports/a/r.json"
    assert "quality" in data["quality_definition"]
    html = (tmp_path / "index.html").read_text()
    hrefs = [a.get("href") for t, a in parse(html).tags if t == "a"]
    assert hrefs == ["reports/b/r.html", "reports/a/r.html"]
    assert all((tmp_path / h).exists() for h in hrefs)
    assert "file is empty" in html and not parse(html).scripts


def test_corpus_index_escapes_names(tmp_path):
    write_corpus_index([{"name": "<script>x()</script>", "error": "<b>bad</b>"}], tmp_path / "i.html", None)
    html = (tmp_path / "i.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html and "&lt;b&gt;bad" in html


def test_paths_are_strings_or_pathlike(tmp_path):
    al, _ = faulty_alignment(inject=False)
    write_report(al, str(tmp_path / "r.html"), str(tmp_path / "r.json"))
    assert Path(tmp_path / "r.html").stat().st_size > 10_000
