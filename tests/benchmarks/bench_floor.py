"""`align run` on one 1,000-line pair against its embedding floor (issue 24): is embedding the only cost?

Not a test; run it and read the table::

    python tests/benchmarks/bench_floor.py ../shared/eval/ntrex_vi_id          # 1,000 lines a side, 3 repeats
    python tests/benchmarks/bench_floor.py DIR --lines 500 --repeat 1 --model e5-small

DIR holds pre-split pairs (one folder per document with ``src.txt`` and
``tgt.txt``, as the eval sets); their lines are concatenated, in folder order,
up to ``--lines`` a side, into one pair. Each measurement runs in a fresh
process, one after the other:

* **floor**: the model loaded and warmed up (not counted), then ONE ``encode``
  call over every distinct line of both sides;
* **run**: ``align_pair`` as ``align run --presplit`` runs it (HTML and JSON
  report, TMX, no embedding cache), with the encoder loaded first (load time
  printed apart, as the floor's is).

The ratio run ÷ floor is what the toolkit adds around the model (target:
≤ 1.15). ``texts`` counts the texts the run embedded (the member check embeds
the windows of the merges it chose). Medians of ``--repeat``. The load average
is printed before and after: on a shared machine timings vary.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def build_pair(data: Path, lines: int, out: Path) -> tuple[Path, Path]:
    src, tgt = [], []
    for doc in sorted(p for p in data.iterdir() if (p / "src.txt").is_file() and (p / "tgt.txt").is_file()):
        s = [x for x in (doc / "src.txt").read_text(encoding="utf-8").splitlines() if x.strip()]
        t = [x for x in (doc / "tgt.txt").read_text(encoding="utf-8").splitlines() if x.strip()]
        src += s
        tgt += t
        if len(src) >= lines and len(tgt) >= lines:
            break
    out.mkdir(parents=True, exist_ok=True)
    (out / "vi.txt").write_text("\n".join(src[:lines]) + "\n", encoding="utf-8")
    (out / "id.txt").write_text("\n".join(tgt[:lines]) + "\n", encoding="utf-8")
    return out / "vi.txt", out / "id.txt"


def child(kind: str, model: str, src: str, tgt: str, out_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    from align.embedding import load_encoder
    from align.pipeline.pair import RunOptions, align_pair

    enc = load_encoder(model)
    t0 = time.perf_counter()
    enc.encode(["warm up: một câu ngắn.", "pemanasan: kalimat pendek."])  # loads the model
    load = time.perf_counter() - t0
    enc.texts_embedded = 0
    if kind == "floor":
        texts = [x for p in (src, tgt) for x in Path(p).read_text(encoding="utf-8").splitlines() if x.strip()]
        texts = list(dict.fromkeys(texts))
        t = time.perf_counter()
        enc.encode(texts)
        secs = time.perf_counter() - t
    else:
        out = Path(out_dir)
        t = time.perf_counter()
        align_pair(src, tgt, enc, RunOptions(fmt="presplit"),
                   outputs={"tmx": str(out / "out.tmx"), "report_html": str(out / "out.report.html"),
                            "report_json": str(out / "out.report.json")})
        secs = time.perf_counter() - t
    engine = getattr(enc, "engine", None) or type(enc).__name__
    print(json.dumps({"kind": kind, "seconds": secs, "load": load, "texts": enc.texts_embedded, "engine": engine}))


def run_child(kind: str, model: str, src: Path, tgt: Path) -> dict:
    with tempfile.TemporaryDirectory() as out:
        p = subprocess.run([sys.executable, __file__, "--child", kind, model, str(src), str(tgt), out],
                           capture_output=True, text=True, check=False, env={**os.environ, "ALIGN_EMBED_CACHE": ""})
    if p.returncode:
        raise SystemExit(f"{kind} failed:\n{p.stdout}\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path, nargs="?")
    ap.add_argument("--lines", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--model", default="e5-small")
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(*a.child)
        return
    if a.data is None:
        ap.error("give DIR (pre-split pairs, e.g. ../shared/eval/ntrex_vi_id)")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        src, tgt = build_pair(a.data, a.lines, Path(tmp))
        n = [len(p.read_text(encoding="utf-8").splitlines()) for p in (src, tgt)]
        floors, runs = [], []
        for _ in range(a.repeat):
            floors.append(run_child("floor", a.model, src, tgt))
            runs.append(run_child("run", a.model, src, tgt))
    f = statistics.median(x["seconds"] for x in floors)
    r = statistics.median(x["seconds"] for x in runs)
    print(f"pair: {n[0]} + {n[1]} lines; model {a.model} on {runs[0]['engine']}; {a.repeat} repeats (medians)")
    print(f"{'':8} {'seconds':>8} {'load s':>7} {'texts':>6}  each run")
    print(f"{'floor':8} {f:8.2f} {statistics.median(x['load'] for x in floors):7.2f} {floors[0]['texts']:6}  "
          + " ".join(f"{x['seconds']:.2f}" for x in floors))
    print(f"{'run':8} {r:8.2f} {statistics.median(x['load'] for x in runs):7.2f} {runs[0]['texts']:6}  "
          + " ".join(f"{x['seconds']:.2f}" for x in runs))
    print(f"run / floor: {r / f:.2f} (target <= 1.15); texts embedded / distinct lines: {runs[0]['texts'] / floors[0]['texts']:.2f}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
