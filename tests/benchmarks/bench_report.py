"""Report benchmark: the size of the HTML and JSON report of a long run, and how fast a browser opens the page.

Not a test (pytest does not collect it); run it and read the lines::

    python tests/benchmarks/bench_report.py                  # 200,000 beads (about a minute on 2 cores)
    python tests/benchmarks/bench_report.py --beads 20000    # a smaller run
    python tests/benchmarks/bench_report.py --no-browser     # sizes and times only

No aligning: a synthetic ``Alignment`` of ``--beads`` beads is built directly
(``synthetic_alignment``: mostly 1-1 beads with some 2-1, 1-2, omissions and
additions, fake Vietnamese and Indonesian sentences of news length, random
scores, flags with their detail lines; ``--checks`` runs the real checks), and
written by ``write_report`` as ``align run`` writes it (no similarity matrix: the
pipeline draws none above ``MAX_SIM_CELLS``). It prints the size of both files,
the time to write them, the rows the page holds, and the time headless Chromium
(``/usr/bin/chromium`` through Playwright) takes to load the page and run its
script. Targets (issue 19): HTML under 10 MB, loaded in under 5 s, for 200k beads.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

from align.common.model import Alignment, Bead, Document, Segment
from align.formats.report import html as report_html
from align.formats.report.payload import write_report
from align.quality.flags import QualityParams, _remember_details, flag_beads

CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]
_VI = ("người", "Việt", "Nam", "hợp", "tác", "phát", "triển", "kinh", "tế", "chính", "phủ", "bộ", "trưởng", "năm",
       "thành", "phố", "Hà", "Nội", "đã", "sẽ", "và", "của", "cho", "với", "trong", "những", "được", "mạng")
_ID = ("orang", "Indonesia", "kerja", "sama", "pembangunan", "ekonomi", "pemerintah", "menteri", "tahun", "kota",
       "Jakarta", "telah", "akan", "dan", "dari", "untuk", "dengan", "dalam", "yang", "para", "jaringan", "baru")


def _sentence(rng: random.Random, words: tuple[str, ...], number: int) -> str:
    n = rng.randint(12, 28)  # news sentences: 80-200 characters
    body = " ".join(rng.choice(words) for _ in range(n))
    return f"{body[0].upper()}{body[1:]} {number}."


def synthetic_alignment(n_beads: int, *, seed: int = 0, checks: bool = False) -> Alignment:
    """An alignment of ``n_beads`` beads over fake documents, flagged as ``align run`` would give it to the report.

    Bead kinds: 90 % 1-1, 3 % 2-1, 3 % 1-2, 2 % omissions (1-0), 2 % additions
    (0-1); a paragraph every 5 beads; scores mostly high (85 % in [0.6, 1.0]);
    one pair in fifty carries a number the other side lacks. The flags are set
    here (omission, addition, low-score below 0.5, number-mismatch), with
    their detail lines: running the real checks (``checks=True``:
    ``flag_beads``) costs about 1 ms a bead on this text, minutes at 200k, and
    measures the checks, not the report.
    """
    rng = random.Random(seed)
    src: list[Segment] = []
    tgt: list[Segment] = []
    beads: list[Bead] = []
    details: list[dict[str, str]] = []
    for k in range(n_beads):
        para = k // 5
        r = rng.random()
        ns, nt = (1, 1) if r < 0.90 else (2, 1) if r < 0.93 else (1, 2) if r < 0.96 else (1, 0) if r < 0.98 else (0, 1)
        planted = ns and nt and rng.random() < 0.02
        s_idx = tuple(range(len(src), len(src) + ns))
        t_idx = tuple(range(len(tgt), len(tgt) + nt))
        src += [Segment(_sentence(rng, _VI, k), "sentence", para, i) for i in range(ns)]
        tgt += [Segment(_sentence(rng, _ID, k + 1 if planted else k), "sentence", para, i) for i in range(nt)]
        score = round(rng.uniform(0.6, 1.0) if rng.random() < 0.85 else rng.uniform(0.2, 0.6), 4) if ns and nt else 0.0
        d: dict[str, str] = {}
        if not nt:
            d["omission"] = "no counterpart in the translation"
        elif not ns:
            d["addition"] = "no counterpart in the original"
        else:
            if score < QualityParams().low_score:
                d["low-score"] = f"score {score:.2f} < {QualityParams().low_score:.2f}"
            if planted:
                d["number-mismatch"] = f"{k} only in the source; {k + 1} only in the translation"
        beads.append(Bead(s_idx, t_idx, score, tuple(d)))
        details.append(d)
    source = Document("synthetic/vi.txt", "vi", "\n".join(s.text for s in src), tuple(src))
    target = Document("synthetic/id.txt", "id", "\n".join(t.text for t in tgt), tuple(tgt))
    params = {"min_score": 0.0}
    al = Alignment(source, target, source.content, target.content, tuple(beads), "hash-256", params,
                   f"align:bench|beads:{n_beads}")
    if checks:
        return flag_beads(al)
    al = dataclasses.replace(al, params={**params, "quality": dataclasses.asdict(QualityParams())})
    _remember_details(al, details)  # what flag_beads leaves for the report, so it does not run the checks
    return al


def browser_load_seconds(html: Path) -> tuple[float, int]:
    """Seconds headless Chromium takes to load ``html`` and run its script; the table rows it holds."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1100})
            t0 = time.perf_counter()
            page.goto(html.as_uri(), wait_until="load", timeout=120_000)
            page.wait_for_function("document.getElementById('f-count').textContent.indexOf('shown') >= 0")
            seconds = time.perf_counter() - t0
            rows = page.locator("#beads tbody tr").count()
        finally:
            browser.close()
    return seconds, rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--beads", type=int, default=200_000)
    ap.add_argument("--out", default=None, help="folder for the report (default: a temporary folder)")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--checks", action="store_true", help="flag with the real checks (slow: about 1 ms a bead)")
    ap.add_argument("--screenshot", default=None, metavar="PNG", help="save a screenshot of the page's top")
    args = ap.parse_args(argv)
    out = Path(args.out or tempfile.mkdtemp(prefix="bench_report_"))
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    al = synthetic_alignment(args.beads, checks=args.checks)
    t1 = time.perf_counter()
    html, js = out / "bench.report.html", out / "bench.report.json"
    write_report(al, html, js)
    t2 = time.perf_counter()
    page = html.read_text("utf-8")
    rows = len(re.findall(r'<tr id="bead-', page))
    print(f"beads: {args.beads:,} ({len(al.src):,} source, {len(al.tgt):,} target segments; "
          f"{sum(1 for b in al.beads if b.flags):,} flagged); built and flagged in {t1 - t0:.1f} s")
    print(f"report written in {t2 - t1:.1f} s: HTML {html.stat().st_size / 2**20:.2f} MB "
          f"({rows:,} rows; limit {getattr(report_html, 'MAX_HTML_ROWS', 0):,}), JSON {js.stat().st_size / 2**20:.1f} MB (every row)")
    status = 0
    if html.stat().st_size >= 10 * 2**20:
        print("FAIL: HTML is 10 MB or more")
        status = 1
    if not args.no_browser:
        if not os.path.exists(CHROMIUM):
            print(f"browser: skipped ({CHROMIUM} not installed)")
        else:
            seconds, shown = browser_load_seconds(html)
            print(f"headless Chromium: loaded and scripted in {seconds:.2f} s ({shown:,} table rows)")
            if seconds >= 5:
                print("FAIL: the page takes 5 s or more to open")
                status = 1
            if args.screenshot:
                _screenshot(html, Path(args.screenshot))
                print(f"screenshot: {args.screenshot}")
    print(f"files: {out}")
    return status


def _screenshot(html: Path, png: Path) -> None:
    from playwright.sync_api import sync_playwright

    png.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1100})
            page.goto(html.as_uri(), wait_until="load", timeout=120_000)
            page.screenshot(path=str(png), full_page=False)
        finally:
            browser.close()


if __name__ == "__main__":
    sys.exit(main())
