"""Core benchmark: what ``align run`` costs beyond embedding, at 2k, 10k and 50k segments a side.

Not a test (pytest does not collect it); run it and read the table::

    python tests/benchmarks/bench_core.py                       # 2k, 10k, 50k; with and without reports
    python tests/benchmarks/bench_core.py --sizes 2000,10000    # fewer sizes
    python tests/benchmarks/bench_core.py --data ../shared/eval/ntrex_vi_id

Each row is one ``align run --presplit --model hash`` in a fresh process
(``python -m align run``, as a user runs it), timed from the outside: wall
time, CPU time (user + system) and peak RSS of that process (``wait4``); a
second table splits each wall time into the steps ``--timings`` prints. The
hash encoder embeds a line in microseconds, so the run's time is the time of
everything but the embedding: reading, sentence counts, lexical evidence, the
search, the member check, the flags, TMX (and the reports).

The input is the NTREX vi-id eval set concatenated (line-aligned pre-split
pairs, 1,997 lines a side) and repeated up to the size asked, or generated
sentences where that folder is missing. Each configuration runs
``--repeat`` times (3 by default) after one untimed run (the file cache
warm); the table gives the median wall and CPU time and the largest peak
RSS. The kernels are compiled when the package is installed, so there is no
first-run compile to time. Targets (issue 24): 10,000 a side without reports <= 3 s on 2 cores; 50,000 <= 15 s and
peak RSS <= 1 GB.
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "ntrex_vi_id"


def _lines(data: Path) -> tuple[list[str], list[str]]:
    """Line-aligned source and target lines of every pre-split pair under ``data`` (none if missing)."""
    src: list[str] = []
    tgt: list[str] = []
    for d in sorted(data.iterdir()) if data.is_dir() else []:
        s, t = d / "src.txt", d / "tgt.txt"
        if s.is_file() and t.is_file():
            src += s.read_text(encoding="utf-8").splitlines()
            tgt += t.read_text(encoding="utf-8").splitlines()
    return src, tgt


def _generated(n: int) -> tuple[list[str], list[str]]:
    """Made-up sentence pairs sharing names and numbers, when there is no eval data."""
    rng = random.Random(0)
    words = "ba ko ri ta mu ne so lan vin dor kha tri pel gu zan mo ka lu sen".split()
    src, tgt = [], []
    for _ in range(n):
        name, num = "".join(rng.choice(words) for _ in range(3)).capitalize(), str(rng.randint(10, 9999))
        src.append(" ".join([name, *rng.choices(words, k=rng.randint(6, 14)), num]) + ".")
        tgt.append(" ".join([name, *rng.choices(words, k=rng.randint(6, 14)), num]) + ".")
    return src, tgt


def write_inputs(n: int, data: Path, folder: Path) -> tuple[Path, Path, str]:
    """``n`` lines a side (the data repeated as often as needed) in ``folder``; returns the paths and the source."""
    src, tgt = _lines(data)
    where = f"{data} ({len(src)} lines a side, repeated)"
    if not src:
        src, tgt = _generated(min(n, 2000))
        where = "generated sentences (repeated)"
    reps = -(-n // len(src))
    s, t = folder / f"src_{n}.txt", folder / f"tgt_{n}.txt"
    s.write_text("\n".join((src * reps)[:n]) + "\n", encoding="utf-8")
    t.write_text("\n".join((tgt * reps)[:n]) + "\n", encoding="utf-8")
    return s, t, where


def one_run(src: Path, tgt: Path, out: Path, *, reports: bool, force: bool) -> dict[str, float]:
    """One ``align run`` in a fresh process: wall seconds, CPU seconds and peak RSS (MB)."""
    cmd = [sys.executable, "-m", "align", "run", str(src), str(tgt), "-o", str(out / "out.tmx"), "--presplit",
           "--model", "hash", "--src-lang", "vi", "--tgt-lang", "id"]
    cmd += ["--no-report", "--timings"] if not reports else ["--timings"]
    cmd += ["--force"] if force else []  # generated words: no language check
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"align run failed ({proc.returncode}):\n{err[-3000:]}")
    out = {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024}
    # ``--timings``: "align: time: read 0.23 s, embed 0.20 s, ...; 6.67 s since the command started"
    line = next((ln for ln in err.splitlines() if ln.startswith("align: time: ")), "")
    steps, _, total = line.removeprefix("align: time: ").partition("; ")
    for part in steps.split(", ") if steps else []:
        name, sec, _ = part.rsplit(" ", 2)
        out[f"step:{name}"] = float(sec)
    if total:
        out["step:start"] = wall - float(total.split(" s ")[0])  # Python's start, the imports, the CLI, the exit
    out["non_embed"] = wall - out.get("step:embed", 0.0)  # the measure: all but the (hash) encoder's own time
    return out


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The median of each time over ``runs`` (the largest peak RSS)."""
    keys = dict.fromkeys(k for r in runs for k in r)
    out = {k: statistics.median(r.get(k, 0.0) for r in runs) for k in keys}
    out["rss"] = max(r["rss"] for r in runs)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="2000,10000,50000", help="segments a side, comma separated")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of pre-split pairs (src.txt, tgt.txt)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per configuration (the median is shown)")
    a = ap.parse_args()
    sizes = [int(x) for x in a.sizes.split(",")]
    # the package's bytecode, as an installation has it: with PYTHONDONTWRITEBYTECODE set (as on some machines) an
    # editable install would compile every module from source in each timed run
    compileall.compile_dir(str(ROOT / "align"), quiet=1)
    tmp = Path(tempfile.mkdtemp(prefix="bench-core-"))
    try:
        print(f"# align core benchmark: `align run --presplit --model hash` ({os.cpu_count()} cores, "
              f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f} at start)")
        rows = []
        for n in sizes:
            src, tgt, where = write_inputs(n, a.data, tmp)
            force = where.startswith("generated")
            for reports in (False, True):
                one_run(src, tgt, tmp, reports=reports, force=force)  # untimed: the inputs in the file cache
                runs = [one_run(src, tgt, tmp, reports=reports, force=force) for _ in range(max(a.repeat, 1))]
                r = median_run(runs)
                rows.append((n, reports, r))
                walls = ", ".join(f"{x['wall']:.2f}" for x in runs)
                print(f"  {n:>6} a side, {'reports' if reports else 'no report':<9}: wall {walls} s, "
                      f"median {r['wall']:.2f} s, {r['cpu']:.2f} s CPU, {r['rss']:.0f} MB", flush=True)
        print(f"\ninput: {where}")
        print(f"{'seg/side':>8} {'reports':>8} {'wall s':>7} {'wall-embed s':>12} {'CPU s':>7} {'peak RSS MB':>12}"
              f"   (medians of {a.repeat})")
        for n, reports, r in rows:
            print(f"{n:>8} {'yes' if reports else 'no':>8} {r['wall']:>7.2f} {r['non_embed']:>12.2f} {r['cpu']:>7.2f} "
                  f"{r['rss']:>12.0f}")
        print(f"(load average {os.getloadavg()[0]:.2f} at the end; targets without reports: 10k <= 3 s, "
              "50k <= 15 s and <= 1024 MB; wall-embed is the wall time less the hash encoder's own embedding)")
        print("\nwhere the wall time went (s; `align run --timings`; start = Python's start, the imports, the CLI, "
              "the exit):")
        names = list(dict.fromkeys(["step:start"] + [k for _, _, r in rows for k in r if k.startswith("step:")]))
        print(f"{'seg/side':>8} {'reports':>8} " + " ".join(f"{k[5:]:>11}" for k in names))
        for n, reports, r in rows:
            print(f"{n:>8} {'yes' if reports else 'no':>8} " + " ".join(f"{r.get(k, 0.0):>11.2f}" for k in names))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
