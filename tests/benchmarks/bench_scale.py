"""Scale benchmark: speed, memory and growth of an end-to-end run; cost of a re-run.

Not a test (pytest does not collect it); run it and read the table::

    python tests/benchmarks/bench_scale.py              # everything (several minutes on 2 cores)
    python tests/benchmarks/bench_scale.py --quick      # smaller sizes, for a smoke run
    python tests/benchmarks/bench_scale.py --only growth,rerun
    python tests/benchmarks/bench_scale.py --only stages --sizes 10000   # time and peak RSS per stage

Three measurements:

1. **Growth** (1,000 -> 20,000 segments a side): end-to-end time of ``align_pair``
   (read, segment, embed, align, flag, TMX, beads, HTML+JSON report) with the
   *hash* encoder, peak Python memory (tracemalloc, in a second run: tracing
   slows Python down) and peak RSS (``getrusage`` maxrss minus the RSS after
   imports). The real model at 20k segments a side would take about an hour on
   a laptop CPU and would measure the model, not the search; the hash encoder
   makes the curve show what the toolkit adds around the model. Each size runs
   in a fresh subprocess so that maxrss is that size's own peak. Synthetic
   documents: sentences of shared names and numbers in language-specific filler
   words, with some sentences merged, split or dropped in the translation.
   Targets: time 2k -> 20k <= 12x, memory <= 12x, peak < 2 GB beyond the model.
2. **Embedding floor** (real model, ``e5-small``): the end-to-end time of the
   sample pairs in ``parallel/`` (or generated sentences if it is missing),
   against the time of embedding every content segment once with the same
   model (fresh encoders, no cache, model load excluded from both). Target <= 1.5x.
3. **Re-run**: ``run_corpus`` over 100 small synthetic pairs (hash encoder,
   one process), then again over the unchanged corpus. Target: < 10% of the
   first run's time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

VI_FILLER = ("của và các những được trong cho với người này đã là có không một tại về theo khi đến từ "
             "nhiều cũng như sẽ vào năm ngày phát triển hợp tác quốc tế chính phủ kinh tế xã hội "
             "thành phố chương trình dự án quan trọng tăng cường thực hiện").split()
ID_FILLER = ("yang dan di dari untuk dengan ini itu dalam pada akan tidak ada oleh juga sebagai "
             "tahun hari pembangunan kerja sama internasional pemerintah ekonomi sosial kota "
             "program proyek penting memperkuat melaksanakan telah bahwa lebih").split()
SYLLABLES = "ba ko ri ta mu ne so lan vin dor kha tri pel gu zan mo ka lu sen".split()


# --------------------------------------------------------------------------- synthetic data


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _sentence(rng: random.Random, filler: list[str], shared: list[str]) -> str:
    words = [rng.choice(filler) for _ in range(rng.randint(8, 16))]
    for tok in shared:
        words.insert(rng.randrange(len(words) + 1), tok)
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def synthetic_pair(n: int, seed: int = 0) -> tuple[str, str]:
    """Two documents of about ``n`` sentences: 5 sentences a paragraph; ~4% merged, ~2% split, ~2% dropped."""
    rng = random.Random(seed)
    src_paras, tgt_paras = [], []
    k = 0
    while k < n:
        src, tgt = [], []
        for _ in range(5):
            shared = [_name(rng), _name(rng), str(rng.randint(10, 99999))]
            s = _sentence(rng, VI_FILLER, shared)
            t = _sentence(rng, ID_FILLER, shared)
            r = rng.random()
            src.append(s)
            if r < 0.02:
                pass  # dropped in the translation
            elif r < 0.06 and tgt:
                tgt[-1] = tgt[-1][:-1] + ", " + t[0].lower() + t[1:]  # merged with the previous one
            elif r < 0.08:
                cut = t.split(" ")
                mid = len(cut) // 2
                tgt.append(" ".join(cut[:mid]) + ".")
                tgt.append(cut[mid].capitalize() + " " + " ".join(cut[mid + 1:]))
            else:
                tgt.append(t)
            k += 1
        src_paras.append(" ".join(src))
        tgt_paras.append(" ".join(tgt) if tgt else _sentence(rng, ID_FILLER, [_name(rng)]))
    return "\n\n".join(src_paras) + "\n", "\n\n".join(tgt_paras) + "\n"


def _rss_kb() -> int:
    """Current resident set size in kB (Linux), else 0."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _maxrss_mb() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 1024 / (1024 if sys.platform == "darwin" else 1)


# --------------------------------------------------------------------------- one measurement (subprocess)


def one_growth(n: int, trace: bool) -> dict:
    """End-to-end run of one synthetic pair of ``n`` sentences a side with the hash encoder."""
    from align._encoders import load_encoder
    from align._pipeline import RunOptions, align_pair
    from align._read import read_document

    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        s, t = synthetic_pair(n, seed=n)
        (tmp / "vi.txt").write_text(s, encoding="utf-8")
        (tmp / "id.txt").write_text(t, encoding="utf-8")
        opts = RunOptions(force=True)  # synthetic words: skip the language check
        enc = load_encoder("hash")
        base_rss_mb = _rss_kb() / 1024
        if trace:
            import tracemalloc

            tracemalloc.start()
        t0 = time.perf_counter()
        res = align_pair(str(tmp / "vi.txt"), str(tmp / "id.txt"), enc, opts, tmx_path=str(tmp / "o.tmx"),
                         beads_path=str(tmp / "o.beads"), report_html=str(tmp / "o.html"), report_json=str(tmp / "o.json"))
        seconds = time.perf_counter() - t0
        out = {"n": n, "src": len(res.alignment.src), "tgt": len(res.alignment.tgt), "seconds": seconds,
               "tus": res.tus_written, "maxrss_mb": _maxrss_mb(), "base_rss_mb": base_rss_mb}
        if trace:
            out["py_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        # the embedding floor of the hash encoder itself, for reference
        doc_s, doc_t = read_document(tmp / "vi.txt", "vi", force=True), read_document(tmp / "id.txt", "id", force=True)
        fresh = load_encoder("hash")
        t0 = time.perf_counter()
        fresh.encode([x.text for x in doc_s.content])
        fresh.encode([x.text for x in doc_t.content])
        out["embed_seconds"] = time.perf_counter() - t0
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def one_floor(model: str, pairs: list[tuple[str, str, str]]) -> dict:
    """Real model: embedding every content segment once vs the end-to-end run, per pair, summed."""
    from align._encoders import load_encoder
    from align._pipeline import RunOptions, align_pair
    from align._read import read_document

    load_encoder(model)  # warm the engine and the OS file cache; load time is excluded below
    embed = e2e = 0.0
    segs = floor_texts = e2e_texts = 0
    tmp = Path(tempfile.mkdtemp(prefix="bench-floor-"))
    try:
        for src, tgt, fmt in pairs:
            a, b = read_document(src, "vi", fmt=fmt, force=True), read_document(tgt, "id", fmt=fmt, force=True)
            texts = [x.text for x in a.content] + [x.text for x in b.content]
            segs += len(texts)
            enc = load_encoder(model)
            t0 = time.perf_counter()
            enc.encode(texts)
            embed += time.perf_counter() - t0
            floor_texts += enc.texts_embedded
            enc = load_encoder(model)
            t0 = time.perf_counter()
            align_pair(src, tgt, enc, RunOptions(force=True, fmt=fmt), tmx_path=str(tmp / "o.tmx"), beads_path=str(tmp / "o.b"),
                       report_html=str(tmp / "o.html"), report_json=str(tmp / "o.json"))
            e2e += time.perf_counter() - t0
            e2e_texts += enc.texts_embedded
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"model": model, "pairs": len(pairs), "segments": segs, "embed_seconds": embed, "e2e_seconds": e2e,
            "floor_texts": floor_texts, "e2e_texts": e2e_texts, "maxrss_mb": _maxrss_mb()}


def _vm(field: str) -> float:
    """A /proc/self/status memory field in MB (VmHWM: peak RSS so far), else 0."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def one_stages(n: int) -> dict:
    """Time and peak RSS after each stage of one pair (hash encoder): where a size limit comes from."""
    from align._aligner import align_documents
    from align._encoders import load_encoder
    from align._quality import flag_beads
    from align._read import read_document
    from align._report import write_report
    from align._tmx import write_tmx

    tmp = Path(tempfile.mkdtemp(prefix="bench-stages-"))
    rows = []
    try:
        s, t = synthetic_pair(n, seed=n)
        (tmp / "vi.txt").write_text(s, encoding="utf-8")
        (tmp / "id.txt").write_text(t, encoding="utf-8")
        enc = load_encoder("hash")
        t0 = time.perf_counter()

        def mark(stage: str) -> None:
            nonlocal t0
            rows.append((stage, time.perf_counter() - t0, _vm("VmHWM")))
            t0 = time.perf_counter()

        mark("start")
        a = read_document(tmp / "vi.txt", "vi", force=True)
        b = read_document(tmp / "id.txt", "id", force=True)
        mark("read + segment")
        al = align_documents(a, b, enc)
        mark("align_documents")
        al = flag_beads(al, enc.encode([x.text for x in al.src]), enc.encode([x.text for x in al.tgt]))
        mark("flag_beads")
        write_tmx(al, tmp / "o.tmx")
        mark("write_tmx")
        write_report(al, tmp / "o.html", tmp / "o.json")
        mark("write_report")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"n": n, "stages": rows}


def _subprocess(args: list[str], timeout: float = 3600) -> dict:
    p = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise SystemExit(f"bench subprocess {args} failed:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- sections


def bench_growth(sizes: list[int], trace_sizes: set[int]) -> None:
    print("\n## Growth with document size (hash encoder; real-model time is embedding-bound, see the floor)")
    rows = []
    for n in sizes:
        r = _subprocess(["--one-growth", str(n)])
        if n in trace_sizes:  # tracemalloc slows Python about 5x: a separate run, on chosen sizes
            r["py_peak_mb"] = _subprocess(["--one-growth", str(n), "--trace"])["py_peak_mb"]
        r["rss_plus_mb"] = r["maxrss_mb"] - r["base_rss_mb"]
        rows.append(r)
    base = next((r for r in rows if r["n"] == 2000), rows[0])
    print(f"{'seg/side':>9} {'src':>6} {'tgt':>6} {'time s':>8} {'seg/s':>8} {'embed s':>8} "
          f"{'py peak MB':>11} {'RSS+ MB':>8} {'x time':>7} {'x RSS+':>7}")
    for r in rows:
        peak = f"{r['py_peak_mb']:>11.1f}" if "py_peak_mb" in r else f"{'-':>11}"
        print(f"{r['n']:>9} {r['src']:>6} {r['tgt']:>6} {r['seconds']:>8.2f} "
              f"{(r['src'] + r['tgt']) / r['seconds']:>8.0f} {r['embed_seconds']:>8.2f} {peak} "
              f"{r['rss_plus_mb']:>8.0f} {r['seconds'] / base['seconds']:>7.2f} "
              f"{r['rss_plus_mb'] / max(base['rss_plus_mb'], 1e-9):>7.2f}")
    print(f"(x time, x RSS+: relative to {base['n']} segments a side, target 2k -> 20k <= 12x; RSS+ = peak RSS "
          "beyond the imports, target < 2048 MB; py peak = tracemalloc peak of the run)")


def bench_stages(n: int) -> None:
    print(f"\n## Stages of one pair of {n} segments a side (hash encoder)")
    r = _subprocess(["--one-stages", str(n)])
    print(f"{'stage':<18} {'time s':>8} {'peak RSS MB':>12}")
    for stage, sec, hwm in r["stages"]:
        print(f"{stage:<18} {sec:>8.2f} {hwm:>12.0f}")


def _floor_pairs(data: Path | None, limit: int) -> list[tuple[str, str, str]]:
    """Pairs for the floor, up to about ``limit`` segments: ``parallel/``-style folders
    (vi.txt + id.txt) or pre-split ones (src.txt + tgt.txt, as in the eval sets)."""
    pairs: list[tuple[str, str, str]] = []
    total = 0
    for d in sorted(data.iterdir()) if data and data.is_dir() else []:
        if (d / "src.txt").is_file() and (d / "tgt.txt").is_file():
            pair = (str(d / "src.txt"), str(d / "tgt.txt"), "presplit")
        elif (d / "vi.txt").is_file() and (d / "id.txt").is_file():
            pair = (str(d / "vi.txt"), str(d / "id.txt"), "auto")
        else:
            continue
        pairs.append(pair)
        total += sum(1 for p in pair[:2] for line in open(p, encoding="utf-8") if line.strip())
        if total >= limit:
            break
    return pairs


def bench_floor(model: str, limit: int, data: Path | None) -> None:
    print(f"\n## End-to-end vs embedding floor (real model {model})")
    data = data or ROOT / "parallel"
    pairs = _floor_pairs(data, limit)
    tmp = None
    source = str(data)
    if not pairs:
        tmp = Path(tempfile.mkdtemp(prefix="bench-floor-data-"))
        s, t = synthetic_pair(limit // 2, seed=7)
        (tmp / "vi.txt").write_text(s)
        (tmp / "id.txt").write_text(t)
        pairs = [(str(tmp / "vi.txt"), str(tmp / "id.txt"), "auto")]
        source = "generated sentences"
    try:
        r = _subprocess(["--one-floor", model, json.dumps(pairs)])
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    ratio = r["e2e_seconds"] / r["embed_seconds"]
    print(f"data: {source} ({r['pairs']} pairs, {r['segments']} segments; texts embedded: "
          f"{r['floor_texts']} for the floor, {r['e2e_texts']} end to end)")
    print(f"{'embed once s':>13} {'end-to-end s':>13} {'ratio':>6} {'seg/s e2e':>10} {'maxrss MB':>10}")
    print(f"{r['embed_seconds']:>13.2f} {r['e2e_seconds']:>13.2f} {ratio:>6.2f} "
          f"{r['segments'] / r['e2e_seconds']:>10.1f} {r['maxrss_mb']:>10.0f}")
    print("(target: ratio <= 1.5)")


def bench_rerun(n_pairs: int, sentences: int) -> None:
    from align._corpus import run_corpus
    from align._pipeline import RunOptions

    print(f"\n## Re-run over an unchanged corpus ({n_pairs} pairs of {sentences} sentences, hash encoder, 1 process)")
    tmp = Path(tempfile.mkdtemp(prefix="bench-rerun-"))
    try:
        for k in range(n_pairs):
            d = tmp / "in" / f"pair{k:03d}"
            d.mkdir(parents=True)
            s, t = synthetic_pair(sentences, seed=1000 + k)
            (d / "vi.txt").write_text(s)
            (d / "id.txt").write_text(t)
        opts = RunOptions(force=True)
        t0 = time.perf_counter()
        first = run_corpus(str(tmp / "in"), str(tmp / "out"), model="hash", options=opts, workers=1,
                           progress=False, merge=True)
        t1 = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = run_corpus(str(tmp / "in"), str(tmp / "out"), model="hash", options=opts, workers=1,
                           progress=False, merge=True)
        t2 = time.perf_counter() - t0
        assert len(first.aligned) == n_pairs and len(again.unchanged) == n_pairs, "unexpected re-run result"
        print(f"{'first run s':>12} {'re-run s':>9} {'share':>7}")
        print(f"{t1:>12.2f} {t2:>9.3f} {100 * t2 / t1:>6.1f}%")
        print("(target: < 10%)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    ap.add_argument("--only", default="growth,floor,rerun",
                    help="sections to run, comma separated: growth, floor, rerun, stages (default: the first three)")
    ap.add_argument("--sizes", default=None, help="growth sizes, e.g. 1000,2000,5000,10000,20000")
    ap.add_argument("--trace-sizes", default="1000,2000,5000",
                    help="sizes also measured with tracemalloc (slow), or 'all' (default 1000,2000,5000)")
    ap.add_argument("--model", default="e5-small", help="real model for the floor (default e5-small)")
    ap.add_argument("--floor-data", type=Path, default=None,
                    help="folder of pairs for the floor (default parallel/; e.g. ../shared/eval/ntrex_vi_id)")
    ap.add_argument("--floor-segments", type=int, default=None, help="about this many segments for the floor")
    ap.add_argument("--one-growth", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--one-floor", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--one-stages", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one_growth:
        print(json.dumps(one_growth(a.one_growth, a.trace)))
        return
    if a.one_stages:
        print(json.dumps(one_stages(a.one_stages)))
        return
    if a.one_floor:
        print(json.dumps(one_floor(a.one_floor[0], [tuple(p) for p in json.loads(a.one_floor[1])])))
        return
    only = set(a.only.split(","))
    sizes = [int(x) for x in a.sizes.split(",")] if a.sizes else ([500, 2000, 4000] if a.quick else [1000, 2000, 5000, 10000, 20000])
    print(f"# align scale benchmark ({os.cpu_count()} cores, Python {sys.version.split()[0]})")
    if "growth" in only:
        traced = set(sizes) if a.trace_sizes == "all" else {int(x) for x in a.trace_sizes.split(",") if x}
        bench_growth(sizes, traced)
    if "stages" in only:
        bench_stages(max(sizes))
    if "floor" in only:
        bench_floor(a.model, a.floor_segments or (200 if a.quick else 400), a.floor_data)
    if "rerun" in only:
        bench_rerun(20 if a.quick else 100, 20)


if __name__ == "__main__":
    main()
