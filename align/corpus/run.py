"""Many document pairs: run them, resume, merge the TMX files and write the corpus index.

``run_corpus`` is the driver. What there is to do (the pairs of a folder or
manifest, their keys and done markers, the bundles) is planned by
``align.corpus.plan``; where the bundles run (this process, a process pool, a
Dask cluster) is ``align.corpus.executors``. Each (source, target language) is
a *job*; its outputs go to
``OUTDIR/<pair>/<pair>.<src>-<tgt>.{tmx,beads.txt,report.html,report.json}``
(and, when asked, ``.review.tmx``, ``.review.tsv``, ``.review.xlsx``: the
TMX and review options of ``align run`` apply to each pair, see
``align.pipeline.options``) and, written last and atomically,
``<pair>.<src>-<tgt>.done.json``.

Why it is safe to kill at any moment and cheap to re-run:

* every output is written to a temporary name and renamed into place; the done
  marker is written only after all outputs of the job are in place (by the
  worker, as soon as that pair is written: a kill loses no finished pair),
  and holds a key: the SHA-256 of the input bytes, the model
  fingerprint, the options and the align version. A re-run skips a job whose
  marker key matches and whose outputs still exist with the recorded sizes;
  anything changed (input, model, options, version) re-runs, and its old
  marker is removed before the new outputs start to land;
* embeddings go to an SQLite cache (``OUTDIR/.cache/embeddings.sqlite`` or
  ``cache=``) keyed by model and text, so a re-run or a second target language
  never embeds the same source text twice;
* a lock file refuses a second run on the same OUTDIR at the same time.

``merge=True`` also writes one TMX per language pair
(``OUTDIR/corpus.<src>-<tgt>.tmx``; with ``split_by_score`` also
``corpus.<src>-<tgt>.review.tmx`` of the pairs' review TMX files). It is built at the end by *streaming*
the per-pair TMX files (lxml ``iterparse`` into ``xmlfile``), not from
in-memory Alignments: memory stays flat for any corpus size, and pairs skipped
on a re-run (whose Alignments exist only on disk) are merged like fresh ones.
The per-pair files are kept: they are the unit of resume. In the merged file
the TUs keep their stable tuids, ``x-document`` is the pair id and an
identical (source, target) unit is kept once, as ``write_tmx`` does in one file
(every one with ``dedupe=False``, ``--no-dedupe``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout
from tqdm import tqdm

from align.common.atomic import atomic_write
from align.common.errors import AlignError, InputError, ModelError, OutputError, UsageError
from align.corpus.executors import DaskExecutor, EncoderSpec, Executor, InProcessExecutor, PoolExecutor
from align.corpus.plan import (
    Job,
    Missing,
    clean_stale,
    discover,
    file_sha256,
    job_key,
    make_bundles,
    marker_path,
    read_marker,
    write_marker,
)
from align.embedding import EmbeddingCache, Encoder, load_encoder, model_fingerprint
from align.formats.report.payload import write_corpus_index
from align.formats.tmx import merge_tmx
from align.pipeline.pair import RunOptions, warm_up


@dataclass
class PairStatus:
    """One job of a corpus run: ``aligned`` now, ``unchanged`` (done before), or ``failed``."""

    job: Job
    status: str
    key: str = ""
    seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)  # kind -> path relative to OUTDIR
    summary: dict = field(default_factory=dict)
    model_id: str = ""
    error: str = ""
    error_class: str = ""
    exit_code: int = 0
    texts_embedded: int = 0


@dataclass
class CorpusResult:
    """What a corpus run did, for the CLI's summary line and for callers."""

    outdir: str
    pairs: list[PairStatus]
    missing: list[Missing]
    merged: dict[str, str]  # "vi-id" -> path of the merged TMX
    index_html: str
    index_json: str
    seconds: float
    texts_embedded: int
    workers: int

    def _with(self, status: str) -> list[PairStatus]:
        return [p for p in self.pairs if p.status == status]

    @property
    def aligned(self) -> list[PairStatus]:
        return self._with("aligned")

    @property
    def unchanged(self) -> list[PairStatus]:
        return self._with("unchanged")

    @property
    def failed(self) -> list[PairStatus]:
        return self._with("failed")

    def error(self) -> AlignError | None:
        """An error summarising the failed pairs (class of theirs if they agree), or None."""
        failed = self.failed
        if not failed:
            return None
        by_code = {1: AlignError, 2: UsageError, 3: InputError, 4: ModelError, 5: OutputError}
        codes = {p.exit_code for p in failed}
        cls = by_code.get(codes.pop(), AlignError) if len(codes) == 1 else AlignError
        return cls(
            f"{len(failed)} of {len(self.pairs)} pairs failed, first: {failed[0].job.name}: {failed[0].error}",
            path=self.index_json,
            hint="fix them and re-run; finished pairs are kept",
        )


# --------------------------------------------------------------------------- merge


def _merge_all(outdir: Path, done: list[PairStatus], log: Callable[[str], None], *,
               dedupe: bool = True) -> dict[str, str]:
    """One merged TMX per language pair (and one of the review TMX files, with ``split_by_score``).

    Each is skipped when its inputs did not change since the last merge.
    ``dedupe`` is the run's: with ``--no-dedupe`` the merged file keeps every
    unit, as each pair's file does. Returns ``{"vi-id": path,
    "vi-id review": path}``.
    """
    groups: dict[str, list[PairStatus]] = {}
    for p in done:
        groups.setdefault(f"{p.job.src_lang}-{p.job.tgt_lang}", []).append(p)
    merged = {}
    for langs, items in sorted(groups.items()):
        items.sort(key=lambda p: (p.job.pair_id, p.job.src))
        for kind, label, suffix in (("tmx", langs, ".tmx"), ("review_tmx", f"{langs} review", ".review.tmx")):
            parts = [p for p in items if kind in p.outputs]
            if not parts:
                continue
            out = outdir / f"corpus.{langs}{suffix}"
            state_path = outdir / f".corpus.{langs}{suffix[:-4]}.merge.json"
            state: dict[str, object] = {"parts": [[p.job.pair_id, p.key] for p in parts], "dedupe": dedupe}
            try:
                old = json.loads(state_path.read_text(encoding="utf-8"))
                same = (old.get("parts") == state["parts"] and old.get("dedupe", True) == dedupe
                        and out.stat().st_size == old.get("size"))
            except (OSError, ValueError, AttributeError):
                same = False
            if not same:
                stats = merge_tmx([(p.job.pair_id, str(outdir / p.outputs[kind])) for p in parts], out, dedupe=dedupe)
                state.update(stats, size=out.stat().st_size)
                atomic_write(state_path, json.dumps(state) + "\n")
                log(f"align: merged {stats['files']} pairs into {out} ({stats['tus']} TUs, "
                    f"{stats['duplicates']} duplicates dropped)")
            merged[label] = str(out)
    return merged


# --------------------------------------------------------------------------- index


def index_entries(outdir: Path, pairs: Sequence[PairStatus], missing: Sequence[Missing]) -> list[dict]:
    """The entries ``write_corpus_index`` ranks: one per job, and one per missing file.

    ``{"name", "summary", "html", "json"}`` for a finished pair (its summary from
    this run or from its done marker), ``{"name", "error"}`` for a failed or
    missing one, so that nothing the user asked for is silently absent.
    """
    entries: list[dict] = []
    for p in pairs:
        name = p.job.stem
        if p.status == "failed":
            entries.append({"name": name, "error": p.error or "failed"})
            continue
        html, js = p.outputs.get("report_html"), p.outputs.get("report_json")
        entries.append({
            "name": name,
            "summary": p.summary,
            "html": str(outdir / html) if html else None,
            "json": str(outdir / js) if js else None,
        })
    for m in missing:
        entries.append({"name": f"{m.pair_id}.{m.src_lang}-{m.tgt_lang}", "error": f"missing: {m.reason}"})
    return entries


def _write_index(outdir: Path, entries: list[dict]) -> tuple[str, str]:
    """``OUTDIR/index.html`` and ``index.json``, the ranking of every pair; their paths."""
    html, js = outdir / "index.html", outdir / "index.json"
    write_corpus_index(entries, str(html), str(js))
    return str(html), str(js)


# --------------------------------------------------------------------------- run


def _acquire_lock(outdir: Path) -> FileLock:
    """The lock that refuses a second run writing to the same OUTDIR (held until the run ends)."""
    lock = FileLock(str(outdir / ".align-corpus.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout as e:
        raise UsageError("another `align corpus` is writing to this folder", path=str(outdir),
                         hint="wait for it to finish or choose another output folder") from e
    return lock


def _cache_path(cache: str | os.PathLike | bool | None, outdir: Path) -> str | None:
    """The embedding cache file: OUTDIR's by default, the given path, or None (``cache=False``)."""
    if cache is False or cache == "":
        return None
    if cache is None or cache is True:
        return str(outdir / ".cache" / "embeddings.sqlite")
    return str(cache)


def _relative(outdir: Path, job: Job, outputs: dict[str, str]) -> dict[str, str]:
    """A job's output names (inside its pair folder) as paths relative to OUTDIR, for the index."""
    rel = os.path.relpath(job.outdir, outdir)
    return {k: f"{rel}/{v}" for k, v in outputs.items()}


def run_corpus(
    input: str | os.PathLike,
    outdir: str | os.PathLike,
    *,
    model: str | Encoder | None = None,
    options: RunOptions | None = None,
    merge: bool = False,
    workers: int | None = None,
    scheduler: object = None,
    cache: str | os.PathLike | bool | None = None,
    progress: bool = True,
    reports: bool = True,
    log: Callable[[str], None] | None = None,
    follow_links: bool = False,
    outputs: Sequence[str] = (),
) -> CorpusResult:
    """Align every document pair of a corpus folder or manifest into ``outdir``; resumable.

    ``model``: a model name (each worker loads its own) or an Encoder instance
    (used as is in-process; pickled to pool workers). ``options.tgt_lang`` may
    list several languages (``"id,en"``) or be ``"all"``. ``workers``: 1 runs
    in this process; N > 1 a local process pool; None: one per core (capped by
    the number of pairs to do; 1 for an Encoder instance). ``scheduler``: a
    Dask scheduler address (``tcp://host:8786``, e.g. of a dask-jobqueue
    ``SLURMCluster``) or a ``distributed.Client``; it overrides ``workers``.
    ``cache``: SQLite embedding cache (default ``OUTDIR/.cache/embeddings.sqlite``;
    False for none). ``reports=False`` writes no per-pair HTML/JSON report (the
    index still ranks every pair). Failed pairs do not stop the run: they are in the result
    (and the index) and are retried by the next run. ``follow_links``: follow
    input links that lead outside the input folder (by default such a pair is
    listed as missing, never read: see ``align.corpus.plan``). ``outputs``:
    what each pair writes beyond its TMX, beads and reports: ``review_tsv``,
    ``review_xlsx`` (review sheets) and ``review_tmx`` (also implied by
    ``options.split_by_score``), beside the pair's TMX. The TMX options of
    ``options`` (``TmxOptions``) apply to each pair as in ``align run``; the
    merged TMX is built from the pairs' files (``--append`` adds to each
    pair's TMX, which the merge then holds) and keeps ``options.dedupe``.
    """
    t0 = time.perf_counter()
    options = options or RunOptions()
    log = log or (lambda msg: None)
    out = Path(outdir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create the output folder: {e.strerror or e}", path=str(out)) from e
    out = out.resolve()
    jobs, missing = discover(input, options, out, reports=reports, follow_links=follow_links, extra=outputs)
    lock = _acquire_lock(out)
    try:
        clean_stale(out, jobs)
        fingerprint = model_fingerprint(model)
        cache_path = _cache_path(cache, out)
        statuses: dict[str, PairStatus] = {}
        todo: list[Job] = []
        sha: dict[str, str] = {}
        for job in jobs:
            try:
                for p in (job.src, job.tgt):
                    if p not in sha:
                        sha[p] = file_sha256(p)
            except InputError as e:
                statuses[job.stem] = PairStatus(job, "failed", error=str(e), error_class="InputError", exit_code=3)
                continue
            key = job_key(job, fingerprint, sha[job.src], sha[job.tgt])
            marker = read_marker(job, key)
            if marker is not None:
                statuses[job.stem] = PairStatus(
                    job, "unchanged", key, float(marker.get("seconds", 0.0)),
                    _relative(out, job, {k: v["file"] for k, v in marker["outputs"].items()}),
                    marker.get("summary", {}), marker.get("model_id", ""),
                )
            else:
                marker_path(job).unlink(missing_ok=True)
                todo.append(dataclasses.replace(job, key=key))  # the worker writes its marker
        n_workers = _choose_workers(workers, model, len({j.src for j in todo}), scheduler)
        bundles = None  # on Dask: sized for the cluster's worker threads, once connected
        if scheduler is None:
            bundles = make_bundles(todo, n_workers)
            n_workers = max(1, min(n_workers, len(bundles)))  # no process loads a model it will not use
        if todo:
            where = f"Dask scheduler {scheduler}" if scheduler is not None else (
                "this process" if n_workers == 1 else f"{n_workers} worker processes")
            log(f"align: {len(jobs)} pairs: {len(jobs) - len(todo)} unchanged, {len(todo)} to align in {where}")
            executor, restore = _make_executor(model, cache_path, n_workers, scheduler)
            interrupted = True
            try:
                if bundles is None:
                    bundles = make_bundles(todo, executor.slots)
                _execute(executor, bundles, statuses, out, progress=progress)
                interrupted = False
            finally:
                executor.close(cancel=interrupted)  # Ctrl-C: do not wait for the pairs in flight
                restore()
            clean_stale(out, todo)  # what a lost (and retried) worker left behind
        pairs = [statuses[j.stem] for j in jobs]
        done = [p for p in pairs if p.status in ("aligned", "unchanged") and "tmx" in p.outputs]
        merged = _merge_all(out, done, log, dedupe=options.dedupe) if merge and done else {}
        html, js = _write_index(out, index_entries(out, pairs, missing))
    finally:
        lock.release()
    return CorpusResult(
        str(out), pairs, list(missing), merged, html, js, time.perf_counter() - t0,
        sum(p.texts_embedded for p in pairs), n_workers,
    )


def _choose_workers(workers: int | None, model: str | Encoder | None, n_sources: int, scheduler: object) -> int:
    """Worker processes: as asked (default one per core; 1 for an Encoder instance), at most one per source."""
    if scheduler is not None:
        return 0
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be at least 1 (got {workers})")
    if workers is None:
        workers = 1 if isinstance(model, Encoder) else (os.cpu_count() or 1)
    return max(1, min(workers, n_sources))


def _execute(executor: Executor, bundles: Sequence[Sequence[Job]], statuses: dict[str, PairStatus], out: Path, *,
             progress: bool) -> None:
    """Run the bundles on ``executor``; record each outcome in ``statuses`` as it arrives, with a progress bar.

    Workers write each pair's done marker as soon as the pair is written (the
    jobs carry their keys); the driver writes one only for an outcome that
    comes back without.
    """
    todo = [j for b in bundles for j in b]
    total = len(todo)
    # The bar advances by input bytes, so that "time left" holds when pair sizes differ;
    # the text says pairs done and segments per second.
    weight = {j.stem: _input_bytes(j) for j in todo}
    bar = tqdm(total=sum(weight.values()), desc="align corpus", file=sys.stderr, disable=not progress,
               dynamic_ncols=True, smoothing=0.1,
               bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix} [{elapsed}<{remaining}]")
    bar.set_postfix_str(f"0/{total} pairs")
    t0 = time.perf_counter()
    segments = finished = 0
    try:
        for outcomes in executor.run(bundles):
            for o in outcomes:
                job = o.job
                st = PairStatus(job, "failed", job.key, o.seconds, {}, o.summary, o.model_id, o.error,
                                o.error_class, o.exit_code, o.texts_embedded)
                if o.ok:
                    try:
                        if not o.marked:
                            write_marker(o, job.key)
                        st.status = "aligned"
                        st.outputs = _relative(out, job, o.outputs)
                        st.exit_code = 0
                    except AlignError as e:
                        st.error, st.error_class, st.exit_code = str(e), type(e).__name__, e.exit_code
                statuses[job.stem] = st
                segments += o.segments
                finished += 1
                bar.update(weight.get(job.stem, 0))
            rate = segments / max(time.perf_counter() - t0, 1e-9)
            bar.set_postfix_str(f"{finished}/{total} pairs, {rate:.0f} seg/s")
    finally:
        bar.close()


def _input_bytes(job: Job) -> int:
    """The progress bar's weight of a job: its input bytes (0 if a file went missing)."""
    try:
        return os.path.getsize(job.src) + os.path.getsize(job.tgt)
    except OSError:
        return 0


def _make_executor(model: str | Encoder | None, cache_path: str | None, n_workers: int,
                   scheduler: object) -> tuple[Executor, Callable[[], None]]:
    """The executor, and a function undoing any change made to a caller's encoder.

    ``scheduler`` (a Dask address or ``distributed.Client``) picks Dask; else
    ``n_workers > 1`` a process pool; else this process, with the caller's
    Encoder (given the run's cache for the run only) or one loaded by name.
    """
    if scheduler is not None:
        spec = EncoderSpec.from_model(model, cache_path, threads=None)
        if isinstance(scheduler, str):
            return DaskExecutor(spec, address=scheduler), lambda: None
        return DaskExecutor(spec, client=scheduler), lambda: None
    if n_workers > 1:
        threads = max(1, (os.cpu_count() or 1) // n_workers)
        return PoolExecutor(EncoderSpec.from_model(model, cache_path, threads=threads), n_workers), lambda: None
    warm_up()  # start-up costs (imports, template, font) with the model load, not inside the first pair
    if isinstance(model, Encoder):
        enc = model
        if enc.cache is None and cache_path:
            enc.cache = EmbeddingCache(cache_path)

            def restore() -> None:
                if enc.cache is not None:
                    enc.cache.close()
                enc.cache = None

            return InProcessExecutor(enc), restore
        return InProcessExecutor(enc), lambda: None
    enc = load_encoder(model, cache=cache_path)
    return InProcessExecutor(enc), (lambda: enc.cache.close() if enc.cache is not None else None)

