"""Scale benchmark: speed, memory and growth of an end-to-end run; cost of a re-run.

Not a test (pytest does not collect it); run it and read the table::

    python tests/benchmarks/bench_scale.py              # everything (several minutes on 2 cores)
    python tests/benchmarks/bench_scale.py --quick      # smaller sizes, for a smoke run
    python tests/benchmarks/bench_scale.py --only growth,rerun
    python tests/benchmarks/bench_scale.py --only stages --sizes 10000   # time and peak RSS per stage
    python tests/benchmarks/bench_scale.py --only floor --repeat 3 \
        --floor-data ../shared/eval/ntrex_vi_id --floor-segments 400      # align corpus vs embedding floor

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
2. **Embedding floor** (real model, ``e5-small``): ``run_corpus`` as ``align corpus``
   runs it (reports on, default workers and cache, fresh OUTDIR) over a folder of
   pairs -- ``parallel/`` by default, or ``--floor-data`` (``parallel/``-style
   ``vi.txt``/``id.txt`` folders, or pre-split ``src.txt``/``tgt.txt`` folders such as
   the eval sets, copied into a corpus folder and read as ``presplit``), generated
   sentences if there is none -- against the *floor*: ONE encode call over all the
   distinct content segments of those pairs, model loaded and warmed up, with as many
   threads as the corpus run uses in all. The model load (as many fresh processes as
   workers loading at once) is measured apart and the ratio given with and without it.
   Target: (end-to-end - load) / floor <= 1.5. ``--repeat 3`` prints the median.
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

from align.embedding import Encoder  # noqa: E402

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
    from align.embedding import load_encoder
    from align.pipeline.pair import RunOptions, align_pair
    from align.reading.read import read_document

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
        res = align_pair(str(tmp / "vi.txt"), str(tmp / "id.txt"), enc, opts,
                         outputs={"tmx": str(tmp / "o.tmx"), "beads": str(tmp / "o.beads"),
                                  "report_html": str(tmp / "o.html"), "report_json": str(tmp / "o.json")})
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


def _children_of(pid: int) -> list[int]:
    """Direct children of ``pid`` (Linux ``/proc/PID/task/*/children``), else none."""
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                out += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    except OSError:
        pass
    return out


def _status_mb(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


class _TreeRss:
    """Samples the resident memory of this process and all its descendants (pool workers,
    forkserver), because ``getrusage`` of the driver does not see grandchildren.

    ``total_mb``: the highest sum over the tree at one sample; ``largest_mb``: the highest
    peak (VmHWM) of any one process of the tree.
    """

    def __init__(self, interval: float = 0.3) -> None:
        import threading

        self.interval = interval
        self.total_mb = self.largest_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        pids, frontier = [], [os.getpid()]
        while frontier:
            pids += frontier
            frontier = [c for p in frontier for c in _children_of(p)]
        self.total_mb = max(self.total_mb, sum(_status_mb(p, "VmRSS") for p in pids))
        self.largest_mb = max([self.largest_mb, *(_status_mb(p, "VmHWM") for p in pids)])

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> _TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def _content_texts(pairs: list[tuple[str, str, str]], force: bool) -> list[str]:
    """Every content segment of the pairs, as ``align`` reads and segments them (noise left out)."""
    from align.reading.read import read_document

    texts: list[str] = []
    for src, tgt, fmt in pairs:
        texts += [x.text for x in read_document(src, "vi", fmt=fmt, force=force).content]
        texts += [x.text for x in read_document(tgt, "id", fmt=fmt, force=force).content]
    return texts


def one_floor_embed(model: str, threads: int, pairs: list[tuple[str, str, str]], force: bool) -> dict:
    """The floor: ONE encode call over every distinct content segment, model loaded and warm, no cache."""
    from align.corpus.executors import set_thread_limits
    from align.embedding import load_encoder

    set_thread_limits(threads)
    texts = _content_texts(pairs, force)
    enc = load_encoder(model)
    set_thread_limits(threads)
    enc.encode(["Một câu khởi động cho mô hình.", "Kalimat pemanasan untuk model."])  # warm-up
    enc.forget()
    before = enc.texts_embedded
    t0 = time.perf_counter()
    enc.encode(texts)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "segments": len(texts), "distinct": len(set(texts)),
            "texts_embedded": enc.texts_embedded - before, "maxrss_mb": _maxrss_mb()}


class TimedModel(Encoder):
    """Stands for the model name in the corpus run and records when each worker has it loaded.

    Built lazily from ``load_encoder(name)`` where it is first used: in a pool worker
    when the job's encoder is unpickled (where the worker would load the name), in
    this process on first use. It writes ``pid start end`` (epoch seconds) into
    ``timing_dir``, so the benchmark knows how much of the run's wall time went to
    starting workers and loading the model, without timing a second run.
    """

    def __init__(self, name: str, timing_dir: str) -> None:
        from align.embedding import model_fingerprint

        super().__init__()
        self.name, self.timing_dir, self._inner = name, timing_dir, None
        self.model_id = model_fingerprint(name)

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["_inner"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._load()

    def _load(self) -> Encoder:
        if self._inner is None:
            from align.embedding import load_encoder

            t0 = time.time()
            self._inner = load_encoder(self.name)
            with open(Path(self.timing_dir) / f"{os.getpid()}.txt", "w") as f:
                f.write(f"{os.getpid()} {t0} {time.time()}\n")
        return self._inner

    @property
    def batch_size(self) -> int:  # the model's own: read before encode chunks its texts, so it loads first
        return self._load().batch_size

    def _embed(self, texts: list[str]):
        return self._load()._embed(texts)

    @property
    def dim(self) -> int:
        return self._load().dim


def one_corpus(model: str, corpus: str, fmt: str, force: bool, workers: int | None) -> dict:
    """``run_corpus`` over a folder of pairs as ``align corpus`` runs it: reports on, default cache
    (in a fresh OUTDIR, so it starts empty), ``workers`` (None: one per core, the default for a
    model name). Also: when the first and the last worker had the model loaded."""
    from align.corpus.run import run_corpus
    from align.pipeline.pair import RunOptions

    out = Path(tempfile.mkdtemp(prefix="bench-corpus-out-"))
    timing = out / "timing"
    timing.mkdir()
    try:
        enc = TimedModel(model, str(timing))
        workers = workers or os.cpu_count() or 1  # a model name's default (an Encoder's is 1)
        with _TreeRss() as rss:
            start = time.time()
            t0 = time.perf_counter()
            res = run_corpus(corpus, str(out / "out"), model=enc, options=RunOptions(fmt=fmt, force=force),
                             workers=workers, progress=False, reports=True)
            seconds = time.perf_counter() - t0
        if res.failed:
            raise SystemExit(f"{len(res.failed)} pairs failed, first: {res.failed[0].error}")
        loads = [tuple(map(float, f.read_text().split()[1:])) for f in timing.iterdir()]
        ready = sorted(end - start for _, end in loads)
        return {"seconds": seconds, "pairs": len(res.pairs), "workers": res.workers,
                "texts_embedded": res.texts_embedded,
                "first_ready": ready[0], "last_ready": ready[-1],
                "load_one": sorted(end - begin for begin, end in loads)[len(loads) // 2],
                "rss_total_mb": rss.total_mb, "rss_largest_mb": rss.largest_mb}
    finally:
        shutil.rmtree(out, ignore_errors=True)


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
    from align.core.aligner import align_documents
    from align.embedding import load_encoder
    from align.formats.report.payload import write_report
    from align.formats.tmx import write_tmx
    from align.quality.flags import flag_beads
    from align.reading.read import read_document

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
    (vi.txt + id.txt, read as ``auto``) or pre-split ones (src.txt + tgt.txt, one segment
    a line, as in the eval sets; read as ``presplit``)."""
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


def _corpus_folder(pairs: list[tuple[str, str, str]], root: Path) -> str:
    """The pairs laid out as ``align corpus`` reads them (``<pair>/vi.txt``, ``<pair>/id.txt``); one format."""
    fmts = {fmt for _, _, fmt in pairs}
    if len(fmts) != 1:
        raise SystemExit(f"floor data mixes formats {sorted(fmts)}: give a folder of one kind")
    for k, (src, tgt, _) in enumerate(pairs):
        d = root / f"{k:04d}-{Path(src).parent.name}"
        d.mkdir(parents=True)
        shutil.copyfile(src, d / "vi.txt")
        shutil.copyfile(tgt, d / "id.txt")
    return fmts.pop()


def _median(xs: list[float]) -> float:
    xs = sorted(xs)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def bench_floor(model: str, limit: int, data: Path | None, repeat: int, workers: int | None) -> None:
    """End-to-end ``run_corpus`` over a folder of pairs against the embedding floor of the same segments."""
    print(f"\n## End-to-end `align corpus` vs embedding floor (real model {model})")
    data = data or ROOT / "parallel"
    pairs = _floor_pairs(data, limit)
    tmp = Path(tempfile.mkdtemp(prefix="bench-floor-data-"))
    source, force = str(data), False
    try:
        if not pairs:
            s, t = synthetic_pair(limit // 2, seed=7)
            (tmp / "vi.txt").write_text(s, encoding="utf-8")
            (tmp / "id.txt").write_text(t, encoding="utf-8")
            pairs = [(str(tmp / "vi.txt"), str(tmp / "id.txt"), "auto")]
            source, force = "generated sentences", True  # made-up words: skip the language check
        fmt = _corpus_folder(pairs, tmp / "corpus")
        cores = os.cpu_count() or 1
        rows = []
        for _ in range(repeat):
            c = _subprocess(["--one-corpus", model, str(tmp / "corpus"), fmt, str(int(force)), str(workers or 0)])
            per_worker = max(1, cores // c["workers"])
            threads = c["workers"] * per_worker  # what the corpus run used in all
            f = _subprocess(["--one-floor-embed", model, str(threads), json.dumps(pairs), str(int(force))])
            warm = c["seconds"] - c["first_ready"]
            rows.append({"floor": f["seconds"], "e2e": c["seconds"], "ready": c["first_ready"],
                         "last": c["last_ready"], "load_one": c["load_one"], "warm": warm,
                         "incl": c["seconds"] / f["seconds"], "excl": warm / f["seconds"],
                         "excl_all": (c["seconds"] - c["last_ready"]) / f["seconds"],
                         "texts": c["texts_embedded"], "rss_total": c["rss_total_mb"],
                         "rss_largest": c["rss_largest_mb"], "floor_rss": f["maxrss_mb"]})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"data: {source}: {c['pairs']} pairs ({fmt}), {f['segments']} content segments, {f['distinct']} distinct; "
          f"reports on; {c['workers']} worker process(es) x {per_worker} thread(s); floor with {threads} thread(s)")
    print(f"{'run':>6} {'floor s':>8} {'e2e s':>7} {'load s':>7} {'e2e-load s':>10} {'x incl':>7} {'x excl':>7} "
          f"{'x excl*':>8} {'texts e2e':>10} {'RSS all MB':>11} {'RSS max MB':>11} {'floor RSS':>10}")

    def line(name: str, r: dict) -> None:
        print(f"{name:>6} {r['floor']:>8.2f} {r['e2e']:>7.2f} {r['ready']:>7.2f} {r['warm']:>10.2f} "
              f"{r['incl']:>7.2f} {r['excl']:>7.2f} {r['excl_all']:>8.2f} {r['texts']:>10.0f} {r['rss_total']:>11.0f} "
              f"{r['rss_largest']:>11.0f} {r['floor_rss']:>10.0f}")

    for k, r in enumerate(rows, 1):
        line(str(k), r)
    if len(rows) > 1:
        line("median", {k: _median([r[k] for r in rows]) for k in rows[0]})
    med = {k: _median([r[k] for r in rows]) for k in ("last", "load_one")}
    print(f"floor: ONE encode call over the {f['distinct']} distinct content segments ({f['texts_embedded']} reached "
          "the model), model loaded and warmed up, no cache.\n"
          "e2e: run_corpus wall time, fresh OUTDIR (its embedding cache starts empty); it INCLUDES starting the "
          "workers and loading the model in each.\n"
          "load: from the start of run_corpus until the first worker had the model loaded (the last: "
          f"{med['last']:.2f} s; the load alone in a worker: {med['load_one']:.2f} s); the model is given as a thin "
          "wrapper of load_encoder(name) that records this, with workers = cores as for a model name.\n"
          "x incl = e2e / floor (model load included); x excl = (e2e - load) / floor (model load excluded, "
          "as in the floor); x excl* = the same from when the LAST worker had the model (work the first did "
          "meanwhile is then free). RSS all = peak sum over the driver and its workers; RSS max = the largest "
          "process.")
    print("(target, issue 24: x excl <= 1.3)")


def bench_rerun(n_pairs: int, sentences: int) -> None:
    from align.corpus.run import run_corpus
    from align.pipeline.pair import RunOptions

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
    ap.add_argument("--repeat", type=int, default=1,
                    help="floor: measure this many times and print the median too (a shared machine is noisy)")
    ap.add_argument("--workers", type=int, default=None,
                    help="floor: worker processes of the corpus run (default: align's default, one per core)")
    ap.add_argument("--one-floor-embed", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--one-corpus", nargs=5, help=argparse.SUPPRESS)
    ap.add_argument("--one-stages", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one_growth:
        print(json.dumps(one_growth(a.one_growth, a.trace)))
        return
    if a.one_stages:
        print(json.dumps(one_stages(a.one_stages)))
        return
    if a.one_floor_embed:
        model, threads, pairs, force = a.one_floor_embed
        print(json.dumps(one_floor_embed(model, int(threads), [tuple(p) for p in json.loads(pairs)], force == "1")))
        return
    if a.one_corpus:
        model, corpus, fmt, force, workers = a.one_corpus
        print(json.dumps(one_corpus(model, corpus, fmt, force == "1", int(workers) or None)))
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
        bench_floor(a.model, a.floor_segments or (200 if a.quick else 400), a.floor_data, a.repeat, a.workers)
    if "rerun" in only:
        bench_rerun(20 if a.quick else 100, 20)


if __name__ == "__main__":
    main()
