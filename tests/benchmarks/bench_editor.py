"""Editor benchmark (issue 21): first screen of a 5,000-row alignment, an edit's round trip, realign on 2,000 segments.

Not a test (pytest does not collect it); run it and read the lines::

    python tests/benchmarks/bench_editor.py                 # 5,000 rows in the browser, realign on 2,000 segments
    python tests/benchmarks/bench_editor.py --rows 20000    # a longer alignment
    python tests/benchmarks/bench_editor.py --no-browser    # realign and the HTTP round trip only

The alignment is ``bench_report.synthetic_alignment`` (news-length fake Vietnamese and Indonesian sentences,
mostly 1-1 rows) written as ``align run`` writes its JSON report. ``align edit`` runs as a subprocess
(``--model hash``) and headless Chromium (``/usr/bin/chromium`` through Playwright) opens it:

* first screen: from ``page.goto`` to the rows rendered (the page sets ``data-ready`` once every row is in
  the DOM) and to the first paint after it;
* round trip: a key press that edits (``c``: confirm, the page then selects the next row) until the server's
  answer is applied to the page, median and 95th percentile of 50; and the same request over plain HTTP;
* realign: ``Session.realign`` on 2,000 segments with the first and last rows confirmed (one stretch of
  about 2,000 rows) and with every 200th row confirmed (ten stretches), with the hash encoder; first
  ``Session.warm`` (what the server does in the background once the page has its state: the model and the
  compiled search loaded), then the first call, which embeds every segment once (the encoder's memory then
  holds them, as the embedding cache does for a real model), then the realign a reviewer repeats.

Targets (issue 21): first screen < 1.5 s, round trip < 100 ms, realign on 2,000 segments < 1 s.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "editor")]

from bench_report import synthetic_alignment  # noqa: E402
from editor_data import start_server  # noqa: E402

from align.editor.session import Session  # noqa: E402
from align.embedding import load_encoder  # noqa: E402
from align.formats.report.payload import write_report  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def report(folder: Path, rows: int, name: str) -> Path:
    path = folder / f"{name}.report.json"
    write_report(synthetic_alignment(rows), None, path)
    return path


def bench_browser(path: Path) -> None:
    from playwright.sync_api import sync_playwright

    proc, url = start_server(path)
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
            pg = b.new_page(viewport={"width": 1440, "height": 1000})
            t0 = time.perf_counter()
            pg.goto(url)
            pg.wait_for_selector("body[data-ready='1']")
            ready = time.perf_counter() - t0
            pg.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            painted = time.perf_counter() - t0
            rows = pg.evaluate("() => window.__editor.rows.length")
            inside = pg.evaluate("() => window.__editor.rendered")
            print(f"first screen: {rows:,} rows, rendered {ready:.2f} s after goto (state fetched and DOM built in "
                  f"{inside / 1000:.2f} s inside the page), painted {painted:.2f} s   [target < 1.5 s]")
            pg.click("#rows .row[data-k='0'] .cell.src")
            times = []
            for _ in range(50):
                t = time.perf_counter()
                pg.keyboard.press("c")
                pg.evaluate("() => window.__editor.idle()")
                times.append(time.perf_counter() - t)
            times.sort()
            print(f"edit round trip in the page (key c to the answer applied): median {1000 * statistics.median(times):.0f} ms, "
                  f"p95 {1000 * times[int(0.95 * len(times)) - 1]:.0f} ms over {len(times)}   [target < 100 ms]")
            b.close()
        parts = urlsplit(url)
        base, token = f"http://{parts.netloc}", parts.query.split("token=", 1)[1]
        version = json.loads(urllib.request.urlopen(urllib.request.Request(
            base + "/api/state", headers={"X-Align-Token": token})).read())["version"]
        times = []
        for k in range(50):
            body = json.dumps({"version": version, "op": "set_status", "args": {"row": 100 + k, "status": "rejected"}})
            req = urllib.request.Request(base + "/api/op", data=body.encode(), method="POST", headers={
                "X-Align-Token": token, "Origin": base, "Content-Type": "application/json"})
            t = time.perf_counter()
            version = json.loads(urllib.request.urlopen(req).read())["version"]
            times.append(time.perf_counter() - t)
        times.sort()
        print(f"edit round trip over HTTP (journal fsync'd): median {1000 * statistics.median(times):.1f} ms, "
              f"p95 {1000 * times[int(0.95 * len(times)) - 1]:.1f} ms")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


def bench_realign(folder: Path, segments: int) -> None:
    path = report(folder, segments, "realign")
    for every in (None, 200):
        enc = load_encoder("hash")
        s = Session(path, encoder_factory=lambda model_id, enc=enc: enc)
        n = len(s.sheet.rows)
        confirm = [0, n - 1] if every is None else list(range(0, n, every))
        for k in confirm:
            s.do("set_status", {"row": k, "status": "confirmed"})
        stretches = s.stretches()
        seg = sum(len(r.src) + len(r.tgt) for a, b in stretches for r in s.sheet.rows[a:b])
        warm = ""
        if every is None:  # once per process: the server's warm-up, in the background after the first page
            t = time.perf_counter()
            s.warm()
            warm = f"after the server's warm-up ({time.perf_counter() - t:.2f} s, in the background) "
        t = time.perf_counter()
        s.realign()
        first = time.perf_counter() - t
        s.do("undo")
        t = time.perf_counter()
        s.realign()
        again = time.perf_counter() - t
        print(f"realign: {len(stretches)} stretch{'es' if len(stretches) > 1 else ''} between {len(confirm)} confirmed "
              f"rows, {seg:,} segments (both sides) of {len(s.sheet.src):,}+{len(s.sheet.tgt):,}: {warm}{first:.2f} s "
              f"(embedding them), {again:.2f} s again   [target < 1 s]")
        s.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--segments", type=int, default=2000, help="realign: rows of the synthetic alignment")
    ap.add_argument("--no-browser", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bench_realign(folder, a.segments)
        if not a.no_browser:
            bench_browser(report(folder, a.rows, "big"))


if __name__ == "__main__":
    main()
