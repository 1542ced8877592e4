"""Where the pairs of a corpus are aligned: in this process, a local process pool, or a Dask cluster.

The corpus runner (``align.corpus.run``) decides *what* to do and keeps the books
(index, merged TMX); this module only runs *bundles* and yields their outcomes
as they finish, in whatever order they finish. A bundle is several small pairs
(never splitting the jobs that share a source document): the worker reads them
all, embeds all their texts in ONE encode call (the model is several times
faster on big, length-sorted batches than on the few sentences of one small
pair), then aligns and writes each pair with the vectors from the encoder's
memo (``run_jobs``). Three executors implement that contract, the
:class:`Executor` protocol ``run_corpus`` is typed against:

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
output folder) and then its done marker (``_write_marker``: as soon as the
pair is written, so that a kill loses no finished pair and a retried bundle
skips what it already did), so on a cluster the input and output folders must
be on a file system every worker sees (the usual shared home/scratch of an HPC
cluster). The SQLite embedding cache should also be on a file system with
working POSIX locks (local disk, Lustre, GPFS; not an old NFS): give
``--cache`` a path that is.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import secrets
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Protocol

from align.common.errors import AlignError, ModelError, UsageError
from align.corpus.plan import TMP_PREFIX, Job, Outcome, read_marker, stage_outputs, write_marker
from align.embedding import EmbeddingCache, Encoder, load_encoder
from align.pipeline.pair import PairResult, RunOptions, align_pair, warm_up
from align.quality.flags import summary
from align.reading.read import read_document


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

_local = threading.local()  # per worker thread: {token: encoder}


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
        warm_up()  # start-up costs (imports, template, font) here, not inside the first pair
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
    return run_jobs(jobs, worker_encoder(spec), raise_unexpected=raise_unexpected)


def run_jobs(jobs: Sequence[Job], encoder: Encoder, *, raise_unexpected: bool = False) -> list[Outcome]:
    """Run a bundle: read every pair, embed all their texts in ONE encode call, then align each.

    The model runs best on big batches of texts sorted by length (little
    padding, full batches on every thread), and a small pair alone fills
    neither: embedding a bundle of pairs together costs a third to a half
    less than embedding them pair by pair. The encoder's memo then serves each pair's
    alignment, flags and report. It is cleared before and after the bundle, so
    a worker that runs thousands of bundles stays at the size of one.

    Each job still stands alone: a pair that cannot be read fails with its own
    error and the others go on; if the shared encode fails, each pair embeds
    its own texts and meets the error itself. A job whose done marker is
    already in place (a retried bundle whose worker died half way) is not run
    again. With ``raise_unexpected`` (Dask), an unexpected error of one pair is
    raised only after the other pairs are done and marked, so that the retry
    of the task redoes that pair alone.
    """
    encoder.forget()
    try:
        marked: dict[int, Outcome] = {}
        docs: dict[int, object] = {}  # index -> (source, target) Documents, or the error reading them
        seconds: dict[int, float] = {}
        read_cache: dict[tuple, object] = {}
        for i, job in enumerate(jobs):
            done = _already_marked(job)
            if done is not None:
                marked[i] = done
                continue
            t0 = time.perf_counter()
            try:
                docs[i] = (_read(job.src, job.src_lang, job.options, read_cache),
                           _read(job.tgt, job.tgt_lang, job.options, read_cache))
            except Exception as e:  # noqa: BLE001 - that pair's own failure, raised again by run_job
                docs[i] = e
            seconds[i] = time.perf_counter() - t0
        shares = _embed_together(encoder, docs, raise_unexpected)
        out: list[Outcome] = []
        unexpected: Exception | None = None
        for i, job in enumerate(jobs):
            if i in marked:
                out.append(marked[i])
                continue
            sec, texts = shares.get(i, (0.0, 0))
            try:
                out.append(run_job(job, encoder, raise_unexpected=raise_unexpected, documents=docs[i],
                                   shared=(seconds[i] + sec, texts)))
            except Exception as e:  # noqa: BLE001 - only with raise_unexpected: raised below
                unexpected = unexpected or e
        if unexpected is not None:
            raise unexpected
        return out
    finally:
        encoder.forget()


def _read(path: str, lang: str, options: RunOptions, cache: dict):
    """``read_document`` once per (file, language) in a bundle: a source with several targets is read once."""
    key = (path, lang)
    if key not in cache:
        try:
            cache[key] = read_document(path, lang, fmt=options.fmt, force=options.force)
        except Exception as e:  # noqa: BLE001 - remembered, so each pair of this file reports it
            cache[key] = e
    found = cache[key]
    if isinstance(found, BaseException):
        raise found
    return found


def _embed_together(encoder: Encoder, docs: dict, raise_unexpected: bool) -> dict[int, tuple[float, int]]:
    """Embed the content segments of every readable pair in one call; each pair's share of it.

    A pair's share: the time in proportion to the texts it brought first (texts
    shared with an earlier pair of the bundle count for that one), and the texts
    that reached the model, shared out the same way (exactly those texts when
    none came from the disk cache), so that the corpus totals stay exact.
    """
    first: dict[int, int] = {}
    seen: set[str] = set()
    texts: list[str] = []
    for i, d in docs.items():
        if isinstance(d, BaseException):
            continue
        new = [t for t in dict.fromkeys([s.text for s in d[0].content] + [s.text for s in d[1].content]) if t not in seen]
        seen.update(new)
        texts += new
        first[i] = len(new)
    if not texts:
        return {}
    before = encoder.texts_embedded
    t0 = time.perf_counter()
    try:
        encoder.encode(texts)
    except Exception as e:  # noqa: BLE001 - each pair then embeds its own texts and meets the error itself
        if raise_unexpected and not isinstance(e, AlignError):
            raise
        return {}
    seconds = time.perf_counter() - t0
    embedded = encoder.texts_embedded - before
    total = sum(first.values())
    shares, given, acc = {}, 0, 0
    for i, n in first.items():
        acc += n
        upto = embedded * acc // total  # cumulative rounding: the shares add up to ``embedded``
        shares[i] = (seconds * n / total, upto - given)
        given = upto
    return shares


def _already_marked(job: Job) -> Outcome | None:
    """The Outcome recorded by a done marker that matches ``job.key``, if there is one."""
    if not job.key:
        return None
    data = read_marker(job, job.key)
    if data is None:
        return None
    return Outcome(job, True, float(data.get("seconds", 0.0)), {k: v["file"] for k, v in data["outputs"].items()},
                   data.get("summary", {}), int(data.get("texts_embedded", 0)), data.get("model_id", ""), marked=True)


def run_job(job: Job, encoder: Encoder, *, raise_unexpected: bool = False, documents=None,
            shared: tuple[float, int] = (0.0, 0)) -> Outcome:
    """Align one pair and move its outputs into place; errors become a failed Outcome.

    Outputs are written into a private temporary folder inside the pair folder
    and renamed into place one by one, so a reader (or a re-run after a kill)
    never sees a half-written file whatever the writers of each format do.
    With ``job.key``, the done marker is written right after (see
    ``_write_marker``), so a kill loses no finished pair.

    ``documents``: the pair as ``run_jobs`` read it (or the error reading it);
    ``shared``: this pair's share (seconds, texts embedded) of the bundle's work
    done before it, added to its own numbers.

    An AlignError (bad input, ...) is an answer, never retried. Any other
    exception is a failed Outcome too, unless ``raise_unexpected`` (Dask): then
    it propagates so that the scheduler retries the task, as it would after a
    lost worker.
    """
    before = encoder.texts_embedded - shared[1]
    t0 = time.perf_counter() - shared[0]
    tmp = None
    try:
        if isinstance(documents, BaseException):
            raise documents
        os.makedirs(job.outdir, exist_ok=True)
        tmp = os.path.join(job.outdir, f"{TMP_PREFIX}{job.stem}-{os.getpid()}-{secrets.token_hex(3)}")
        os.mkdir(tmp)
        paths = stage_outputs(job, tmp)  # the job's outputs (and with --append, the TMX files to add to)
        res = align_pair(job.src, job.tgt, encoder, job.options, outputs=paths, documents=documents)
        outputs = {}
        for kind, path in paths.items():
            if os.path.exists(path):
                name = os.path.basename(path)
                os.replace(path, os.path.join(job.outdir, name))
                outputs[kind] = name
        outcome = Outcome(
            job, True, time.perf_counter() - t0, outputs, summarize(res),
            encoder.texts_embedded - before, encoder.model_id,
        )
        _write_marker(outcome)
        return outcome
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


def _write_marker(outcome: Outcome) -> None:
    """The job's done marker, written by the worker as soon as the outputs are in place.

    Written here rather than by the driver when the whole bundle comes back, so
    that a kill (of the driver, a worker or a cluster node) loses no pair that
    was finished, and a retried bundle skips the pairs it already did. The
    marker is what a re-run trusts, and it is valid whoever writes it: it names
    the key (inputs, model, options, version) and the sizes of outputs that are
    already in place. A pool worker whose driver has died writes nothing more:
    it exits, as its watchdog would a moment later.
    """
    if not outcome.job.key:
        return
    if _driver_gone():
        os._exit(1)
    write_marker(outcome, outcome.job.key)
    outcome.marked = True


def summarize(res: PairResult) -> dict:
    """The numbers of one aligned pair for the done marker and the corpus index (JSON-ready).

    ``align.quality.flags.summary`` (what ``write_report`` returns and ``write_corpus_index``
    ranks) without its per-segment unaligned list, plus the TUs actually written
    and every warning of the pair (``PairResult.warnings``: the readers' and the
    writers'), which the driver prints and the index lists.
    """
    a = res.alignment
    out = summary(a)
    out.pop("unaligned", None)
    out["src_segments"] = len(a.src)
    out["tgt_segments"] = len(a.tgt)
    out["tus_written"] = int(res.tus_written)
    out.update(res.tmx_counts())  # what the TMX options did (kept, repeated, below --min-score, review TMX)
    out["warnings"] = list(res.warnings)
    return out


# --------------------------------------------------------------------------- executors


class Executor(Protocol):
    """Where bundles run: what ``run_corpus`` needs of an executor, and all it needs.

    ``slots``: bundles it runs at once (0 if unknown), which sizes the bundles
    (``align.corpus.plan.make_bundles``). ``run`` yields the outcomes of each
    bundle as a list, as bundles finish (in any order); a pair that fails is a
    failed Outcome, never an exception (only a model that cannot load stops the
    run, with ModelError). ``close`` frees the workers; ``cancel=True`` (Ctrl-C)
    does not wait for the bundles in flight; closing twice is harmless.
    """

    @property
    def slots(self) -> int: ...

    def run(self, bundles: Sequence[Sequence[Job]]) -> Iterator[list[Outcome]]: ...

    def close(self, cancel: bool = False) -> None: ...


class InProcessExecutor:
    """Runs bundles one after another in this process, with one encoder."""

    slots = 1  # bundles run one at a time

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder

    def run(self, bundles: Sequence[Sequence[Job]]) -> Iterator[list[Outcome]]:
        """The outcomes of each bundle, in the order given."""
        for bundle in bundles:
            yield run_jobs(bundle, self.encoder)

    def close(self, cancel: bool = False) -> None:
        """Nothing to free: the encoder belongs to the caller."""


_driver: tuple[int, int] | None = None  # pool worker: (driver pid, parent pid at start)


def _driver_gone() -> bool:
    """In a pool worker: has the driver died (or this worker been orphaned)? Elsewhere: False."""
    return _driver is not None and (os.getppid() != _driver[1] or not _alive(_driver[0]))


def _pool_init(spec: EncoderSpec, driver: int) -> None:
    """Pool worker start: thread caps, driver watchdog, the one encoder of this process."""
    global _driver
    set_thread_limits(spec.threads)
    _driver = (driver, os.getppid())
    _watch_driver()
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


def _watch_driver() -> None:
    """Exit when the driver dies (even by SIGKILL), so no orphan keeps writing into OUTDIR.

    The direct parent is the driver (spawn) or the forkserver (which exits with
    the driver); a change of parent or a dead driver both mean: stop now.
    """
    def watch() -> None:
        while True:
            time.sleep(0.5)
            if _driver_gone():
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
        self.workers = self.slots = workers
        self.retries = retries
        self.pool = self._new_pool()
        self._closed = False

    def _new_pool(self) -> ProcessPoolExecutor:
        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context(method),
                                   initializer=_pool_init, initargs=(self.spec, os.getpid()))

    def run(self, bundles: Sequence[Sequence[Job]]) -> Iterator[list[Outcome]]:
        """The outcomes of each bundle as it finishes; a lost worker's bundles are run again."""
        # A bounded number of bundles in flight: thousands of futures at once
        # would pickle every job up front and delay the first results.
        pending = [(b, 0) for b in reversed(bundles)]
        running: dict[Future[list[Outcome]], tuple[Sequence[Job], int]] = {}
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
                    result = [_done_or_failed(job, e, "a worker process died (out of memory? killed?)") for job in b]
                except ModelError:
                    raise  # no pair can run without the model: stop, with the model's own message
                except Exception as e:  # noqa: BLE001 - the bundle failed as a whole (pickling...)
                    result = [_done_or_failed(job, e) for job in b]
                yield result
            if broken:
                for b, tries in running.values():  # every other bundle in flight is lost too
                    if tries < self.retries:
                        pending.append((b, tries + 1))
                    else:
                        yield [_done_or_failed(job, BrokenProcessPool(), "a worker process died") for job in b]
                running.clear()
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self._new_pool()

    def close(self, cancel: bool = False) -> None:
        """Stop the worker processes (waiting for the bundles in flight unless ``cancel``)."""
        if self._closed:
            return
        self._closed = True
        self.pool.shutdown(wait=not cancel, cancel_futures=True)


def _done_or_failed(job: Job, e: BaseException, why: str | None = None) -> Outcome:
    """For a job of a bundle that failed as a whole: done if its worker marked it before, else failed."""
    return _already_marked(job) or _failed(job, e, why)


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
    task elsewhere, where the pairs already marked done are skipped. Results are
    gathered as they complete; each pair's done marker is written by its worker
    as soon as the pair is, so an interrupted run loses nothing that finished.
    """

    def __init__(self, spec: EncoderSpec, address: str | None = None, client: Any = None) -> None:
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
        self._closed = False

    @property
    def slots(self) -> int:
        """Tasks the cluster runs at once now (its worker threads), 0 if unknown: how many bundles to make at least."""
        try:
            return int(sum(self.client.nthreads().values()))
        except Exception:  # noqa: BLE001 - only a hint for the bundle size
            return 0

    def run(self, bundles: Sequence[Sequence[Job]]) -> Iterator[list[Outcome]]:
        """One task per bundle; the outcomes of each as it completes (after Dask's retries)."""
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
                    result = [_done_or_failed(job, e) for job in b]
                yield result
        finally:
            if futures:  # interrupted: nobody wants the rest
                self.client.cancel(list(futures))

    def close(self, cancel: bool = False) -> None:
        """Close the client this executor opened (a caller's Client stays open)."""
        if self._own and not self._closed:
            self.client.close()
        self._closed = True
