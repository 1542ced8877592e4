"""Where the pairs of a corpus are aligned: in this process, a local process pool, or a Dask cluster.

The corpus runner (``align._corpus``) decides *what* to do and keeps the books
(done markers, index, merged TMX); this module only runs *bundles* (the jobs
that share one source document, so the source is embedded once for all its
target languages) and yields their outcomes as they finish, in whatever order
they finish. Three executors share that contract:

* :class:`InProcessExecutor` -- ``workers=1``: one encoder, no pickling; what a
  laptop run, a debugger and the tests want.
* :class:`PoolExecutor` -- ``concurrent.futures.ProcessPoolExecutor`` over the
  local cores, started with ``forkserver`` (or ``spawn``) so that no worker
  inherits a half-initialised torch thread pool; an initializer creates ONE
  encoder per worker process and caps its threads at ``cores // workers``, so
  the workers do not fight over the cores.
* :class:`DaskExecutor` -- a ``dask.distributed`` scheduler at any address
  (``tcp://host:8786``): one task per bundle, ``retries=2``, the encoder created
  lazily once per worker (per worker thread) and kept in this module's globals.
  On Slurm, PBS, SGE or LSF start the cluster yourself with ``dask-jobqueue``
  (``SLURMCluster(cores=8, memory="16GB").scale(jobs=10)``) and pass
  ``cluster.scheduler_address`` as ``--scheduler``; Dask's own ``dask scheduler``
  / ``dask worker`` commands or Kubernetes work the same way. Start workers
  with one thread each (``--nthreads 1``; ``processes=`` = cores per job / model
  threads) and set ``OMP_NUM_THREADS`` in their environment (dask-jobqueue's
  ``job_script_prologue``) so that the model's threads match the cores.

Workers write the outputs of a job themselves (atomically, into the pair's
output folder), so on a cluster the input and output folders must be on a file
system every worker sees (the usual shared home/scratch of an HPC cluster); the
driver alone writes the done markers, after the outputs are in place. The
SQLite embedding cache should also be on a file system with working POSIX locks
(local disk, Lustre, GPFS; not an old NFS): give ``--cache`` a path that is.
"""

from __future__ import annotations

import os
import pickle
import secrets
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ._encoders import EmbeddingCache, Encoder, load_encoder
from ._errors import AlignError, ModelError, UsageError
from ._pipeline import RunOptions

#: Files a job writes, by kind, as suffixes of the job's stem.
OUTPUT_SUFFIXES = {
    "tmx": ".tmx",
    "beads": ".beads.txt",
    "report_html": ".report.html",
    "report_json": ".report.json",
}
TMP_PREFIX = ".tmp-"


@dataclass(frozen=True)
class Job:
    """One source document aligned with one translation; everything a worker needs, picklable."""

    pair_id: str
    src: str  # absolute paths
    tgt: str
    src_lang: str
    tgt_lang: str
    outdir: str  # the pair's output folder (absolute)
    stem: str  # file stem of every output: <pair>.<src>-<tgt>
    options: RunOptions
    reports: bool = True  # HTML + JSON report per pair (plots cost about a second a pair)

    @property
    def name(self) -> str:
        return f"{self.pair_id} ({self.src_lang}-{self.tgt_lang})"


@dataclass
class Outcome:
    """What came of one job: its outputs and numbers, or the error that stopped it."""

    job: Job
    ok: bool
    seconds: float = 0.0
    outputs: dict[str, str] = field(default_factory=dict)  # kind -> file name inside job.outdir
    summary: dict = field(default_factory=dict)
    texts_embedded: int = 0
    model_id: str = ""
    error: str = ""
    error_class: str = ""
    exit_code: int = 1

    @property
    def segments(self) -> int:
        return int(self.summary.get("src_segments", 0)) + int(self.summary.get("tgt_segments", 0))


@dataclass(frozen=True)
class EncoderSpec:
    """How a worker gets its encoder: a model name to load, or a pickled Encoder instance.

    ``token`` identifies the spec, so a worker that runs many bundles creates the
    encoder once and reuses it; ``threads`` caps torch/OpenMP threads in the worker.
    """

    name: str | None = None
    payload: bytes | None = None
    cache_path: str | None = None
    threads: int | None = None
    token: str = field(default_factory=lambda: secrets.token_hex(8))

    @classmethod
    def from_model(cls, model: str | Encoder | None, cache_path: str | None, threads: int | None = None) -> EncoderSpec:
        if isinstance(model, Encoder):
            return cls(payload=pickle_encoder(model), cache_path=cache_path, threads=threads)
        return cls(name=model, cache_path=cache_path, threads=threads)


def pickle_encoder(encoder: Encoder) -> bytes:
    """An Encoder instance as bytes for another process, without its cache and memo.

    The SQLite connection cannot travel; the worker opens the cache file itself.
    """
    try:
        return pickle.dumps(encoder)  # Encoder.__getstate__ leaves the memo and the cache behind
    except Exception as e:  # noqa: BLE001 - any pickling failure means the same thing here
        raise UsageError(
            f"the encoder {type(encoder).__name__} cannot be sent to worker processes ({type(e).__name__})",
            hint="pass the model by name (model='e5-small') or use workers=1",
        ) from e


# --------------------------------------------------------------------------- worker side

_local = threading.local()  # per worker thread: {token: encoder}, last source path


def set_thread_limits(threads: int | None) -> None:
    """Cap BLAS/OpenMP/torch threads of this process (before the model is loaded)."""
    if not threads:
        return
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            torch.set_num_threads(threads)
        except RuntimeError:  # pragma: no cover - torch refuses once its pool started
            pass


def worker_encoder(spec: EncoderSpec) -> Encoder:
    """The encoder of this worker (thread) for ``spec``, created on first use and kept."""
    encoders = getattr(_local, "encoders", None)
    if encoders is None:
        encoders = _local.encoders = {}
    enc = encoders.get(spec.token)
    if enc is None:
        set_thread_limits(spec.threads)
        if spec.payload is not None:
            enc = pickle.loads(spec.payload)
            if spec.cache_path:
                enc.cache = EmbeddingCache(spec.cache_path)
        else:
            enc = load_encoder(spec.name, cache=spec.cache_path)
        set_thread_limits(spec.threads)  # torch may only now be imported
        encoders.clear()  # one encoder per worker: a new spec replaces the old one
        encoders[spec.token] = enc
    return enc


def run_bundle(jobs: Sequence[Job], spec: EncoderSpec, *, raise_unexpected: bool = False) -> list[Outcome]:
    """Run the jobs of one bundle with this worker's encoder (the task sent to workers)."""
    encoder = worker_encoder(spec)
    return [run_job(job, encoder, raise_unexpected=raise_unexpected) for job in jobs]


def run_job(job: Job, encoder: Encoder, *, raise_unexpected: bool = False) -> Outcome:
    """Align one pair and move its outputs into place; errors become a failed Outcome.

    Outputs are written into a private temporary folder inside the pair folder
    and renamed into place one by one, so a reader (or a re-run after a kill)
    never sees a half-written file whatever the writers of each format do.
    The encoder's in-memory memo is kept only while consecutive jobs share a
    source document (the disk cache serves everything else), so a worker that
    runs thousands of pairs does not grow without bound.

    An AlignError (bad input, ...) is an answer, never retried. Any other
    exception is a failed Outcome too, unless ``raise_unexpected`` (Dask): then
    it propagates so that the scheduler retries the task, as it would after a
    lost worker.
    """
    from ._pipeline import align_pair

    if getattr(_local, "last_src", None) != job.src:
        encoder.forget()
        _local.last_src = job.src
    before = encoder.texts_embedded
    t0 = time.perf_counter()
    tmp = None
    try:
        os.makedirs(job.outdir, exist_ok=True)
        tmp = os.path.join(job.outdir, f"{TMP_PREFIX}{job.stem}-{os.getpid()}-{secrets.token_hex(3)}")
        os.mkdir(tmp)
        paths = {kind: os.path.join(tmp, job.stem + suffix) for kind, suffix in OUTPUT_SUFFIXES.items()}
        if not job.reports:
            del paths["report_html"], paths["report_json"]
        res = align_pair(
            job.src, job.tgt, encoder, job.options,
            tmx_path=paths["tmx"], beads_path=paths["beads"],
            report_html=paths.get("report_html"), report_json=paths.get("report_json"),
        )
        outputs = {}
        for kind, path in paths.items():
            if os.path.exists(path):
                name = os.path.basename(path)
                os.replace(path, os.path.join(job.outdir, name))
                outputs[kind] = name
        return Outcome(
            job, True, time.perf_counter() - t0, outputs, summarize(res),
            encoder.texts_embedded - before, encoder.model_id,
        )
    except AlignError as e:
        return Outcome(job, False, time.perf_counter() - t0, texts_embedded=encoder.texts_embedded - before,
                       model_id=encoder.model_id, error=str(e), error_class=type(e).__name__, exit_code=e.exit_code)
    except Exception as e:  # noqa: BLE001 - one broken pair must not stop a corpus of thousands
        if raise_unexpected:
            raise
        tb = traceback.format_exc(limit=-3).strip().splitlines()
        where = tb[-3].strip() if len(tb) >= 3 else ""
        return Outcome(job, False, time.perf_counter() - t0, texts_embedded=encoder.texts_embedded - before,
                       model_id=encoder.model_id, error=f"internal error: {type(e).__name__}: {e} [{where}]",
                       error_class=type(e).__name__, exit_code=1)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def summarize(res) -> dict:
    """The numbers of one aligned pair for the done marker and the corpus index (JSON-ready).

    ``_quality.summary`` (what ``write_report`` returns and ``write_corpus_index``
    ranks) without its per-segment unaligned list, plus the TUs actually written
    and the reading/writing warnings.
    """
    from ._quality import summary

    a = res.alignment
    out = summary(a)
    out.pop("unaligned", None)
    out["src_segments"] = len(a.src)
    out["tgt_segments"] = len(a.tgt)
    out["tus_written"] = int(res.tus_written)
    out["warnings"] = [*a.source.warnings, *a.target.warnings, *(getattr(res.stats, "warnings", ()) or ())]
    return out


# --------------------------------------------------------------------------- executors


class InProcessExecutor:
    """Runs bundles one after another in this process, with one encoder."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder

    def run(self, bundles: Sequence[Sequence[Job]]) -> Iterator[list[Outcome]]:
        _local.last_src = None
        for bundle in bundles:
            yield [run_job(job, self.encoder) for job in bundle]

    def close(self, cancel: bool = False) -> None:
        pass


def _pool_init(spec: EncoderSpec, driver: int) -> None:
    """Pool worker start: thread caps, driver watchdog, the one encoder of this process."""
    set_thread_limits(spec.threads)
    _watch_driver(driver)
    try:
        worker_encoder(spec)
    except Exception:  # noqa: BLE001 - the first task raises it again, where the driver sees it
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - exists, owned by someone else
        return True
    return True


def _watch_driver(driver: int) -> None:
    """Exit when the driver dies (even by SIGKILL), so no orphan keeps writing into OUTDIR.

    The direct parent is the driver (spawn) or the forkserver (which exits with
    the driver); a change of parent or a dead driver both mean: stop now.
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent or not _alive(driver):
                os._exit(1)

    threading.Thread(target=watch, name="align-parent-watch", daemon=True).start()


def _pool_task(jobs: Sequence[Job], spec: EncoderSpec) -> list[Outcome]:
    return run_bundle(jobs, spec)


class PoolExecutor:
    """A local process pool: one encoder per worker process, threads split between workers.

    A worker that dies (killed, out of memory) breaks a ``ProcessPoolExecutor``
    for good; then a fresh pool is started and the bundles that were in flight
    are run again, each at most ``retries`` more times (the one that killed its
    worker cannot tell itself from the innocent ones), as Dask does.
    """

    def __init__(self, spec: EncoderSpec, workers: int, retries: int = 2) -> None:
        self.spec = spec
        self.workers = workers
        self.retries = retries
        self.pool = self._new_pool()

    def _new_pool(self):
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context(method),
                                   initializer=_pool_init, initargs=(self.spec, os.getpid()))

    def run(self, bundles: Sequence[Sequence[Job]]) -> Iterator[list[Outcome]]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        # A bounded number of bundles in flight: thousands of futures at once
        # would pickle every job up front and delay the first results.
        pending = [(b, 0) for b in reversed(bundles)]
        running: dict = {}
        limit = self.workers * 2
        while pending or running:
            while pending and len(running) < limit:
                b, tries = pending.pop()
                running[self.pool.submit(_pool_task, b, self.spec)] = (b, tries)
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                b, tries = running.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool as e:
                    broken = True
                    if tries < self.retries:
                        pending.append((b, tries + 1))
                        continue
                    result = [_failed(job, e, "a worker process died (out of memory? killed?)") for job in b]
                except ModelError:
                    raise  # no pair can run without the model: stop, with the model's own message
                except Exception as e:  # noqa: BLE001 - the bundle failed as a whole (pickling...)
                    result = [_failed(job, e) for job in b]
                yield result
            if broken:
                for fut, (b, tries) in running.items():  # every other bundle in flight is lost too
                    if tries < self.retries:
                        pending.append((b, tries + 1))
                    else:
                        yield [_failed(job, BrokenProcessPool(), "a worker process died") for job in b]
                running.clear()
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self._new_pool()

    def close(self, cancel: bool = False) -> None:
        self.pool.shutdown(wait=not cancel, cancel_futures=True)


def _failed(job: Job, e: BaseException, why: str | None = None) -> Outcome:
    if isinstance(e, AlignError):
        return Outcome(job, False, error=str(e), error_class=type(e).__name__, exit_code=e.exit_code)
    return Outcome(job, False, error=why or f"{type(e).__name__}: {e}", error_class=type(e).__name__, exit_code=1)


def _dask_task(jobs: Sequence[Job], spec: EncoderSpec) -> list[Outcome]:
    """The Dask task: a bundle, with the worker's encoder (created once per worker thread)."""
    return run_bundle(jobs, spec, raise_unexpected=True)


class DaskExecutor:
    """A ``dask.distributed`` cluster at ``address`` (or a given Client): one task per bundle.

    Tasks are submitted with ``retries=2`` and ``pure=False``; a worker that dies
    mid-task (killed, out of memory, node lost) makes the scheduler re-run the
    task elsewhere. Results are gathered as they complete; the driver writes the
    done markers, so an interrupted run loses nothing that finished.
    """

    def __init__(self, spec: EncoderSpec, address: str | None = None, client=None) -> None:
        try:
            from distributed import Client
        except ImportError as e:
            raise UsageError(
                "--scheduler needs dask.distributed", hint='pip install "align[dask]" (or "dask[distributed]")'
            ) from e
        self.spec = spec
        self._own = client is None
        if client is None:
            try:
                client = Client(address)  # connect timeout: dask's distributed.comm.timeouts.connect
            except (OSError, TimeoutError) as e:
                raise UsageError(
                    f"cannot reach the Dask scheduler at {address}: {e}",
                    hint="start it with `dask scheduler` (or a dask-jobqueue cluster) and check the address",
                ) from e
        self.client = client

    def run(self, bundles: Sequence[Sequence[Job]]) -> Iterator[list[Outcome]]:
        from distributed import as_completed

        futures = {}
        for b in bundles:
            fut = self.client.submit(_dask_task, list(b), self.spec, retries=2, pure=False,
                                     key=f"align-{b[0].pair_id}-{secrets.token_hex(4)}")
            futures[fut] = b
        try:
            for fut in as_completed(list(futures)):
                b = futures.pop(fut)  # dropping the future lets the cluster free its result
                try:
                    result = fut.result()
                except ModelError:
                    raise  # no pair can run without the model: stop, with the model's own message
                except Exception as e:  # noqa: BLE001 - KilledWorker after too many deaths, errors after retries
                    result = [_failed(job, e) for job in b]
                yield result
        finally:
            if futures:  # interrupted: nobody wants the rest
                self.client.cancel(list(futures))

    def close(self, cancel: bool = False) -> None:
        if self._own:
            self.client.close()
