"""The encoder contract: texts in, L2-normalised float32 vectors out, each text embedded once.

Embedding is nearly all of an aligner's run time, so the contract is built
around never paying for it twice: ``Encoder.encode`` de-duplicates the texts of
a call, remembers every vector it has computed during the run, and consults the
optional on-disk ``EmbeddingCache``. ``LazyEncoder`` adds the other half: a
model is loaded on the first text that needs it, so creating an encoder costs
nothing and a run whose vectors are all cached never loads the model at all.

Also here: the e5 prompt, which every e5 text gets and which is part of the
model's identity (``with_prompt``, ``e5_model_id``).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

import numpy as np

from align.common.errors import ModelError
from align.embedding.cache import EmbeddingCache


class Encoder(ABC):
    """Turns texts into L2-normalised float32 vectors.

    Subclasses implement ``_embed`` (a batch of distinct texts, in order);
    callers use ``encode``, which de-duplicates, memoises within the run and
    consults the optional on-disk cache. ``model_id`` names the model exactly
    enough to key a cache and to sign a result.
    """

    model_id: str = "unknown"
    batch_size: int = 64

    def __init__(self) -> None:
        self._memo: dict[str, np.ndarray] = {}
        self.cache: EmbeddingCache | None = None
        self.texts_embedded = 0  # texts that reached the model (for budgets and benchmarks)

    @abstractmethod
    def _embed(self, texts: list[str]) -> np.ndarray:
        """Embed distinct texts; returns an (n, dim) float32 array, rows L2-normalised."""

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Vectors for ``texts`` (n, dim), each distinct text embedded at most once per run."""
        texts = list(texts)
        todo = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if todo and self.cache is not None:
            found = self.cache.get_many(self.model_id, todo)
            self._memo.update(found)
            todo = [t for t in todo if t not in found]
        if todo:
            # Sort by length so a batch pads little; order is restored by the memo.
            order = sorted(todo, key=len)
            bar = None
            if progress and len(order) > self.batch_size:
                from tqdm import tqdm  # 20 ms to import (it reads its package metadata): only where a bar is drawn

                bar = tqdm(total=len(order), desc="embedding", unit="seg", leave=False)
            for k in range(0, len(order), self.batch_size):
                chunk = order[k : k + self.batch_size]
                vecs = np.asarray(self._embed(chunk), dtype=np.float32)
                new = dict(zip(chunk, vecs))
                self._memo.update(new)
                self.texts_embedded += len(chunk)
                if self.cache is not None:
                    self.cache.put_many(self.model_id, new)
                if bar is not None:
                    bar.update(len(chunk))
            if bar is not None:
                bar.close()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[t] for t in texts])

    def forget(self) -> None:
        """Drop the vectors held in memory (the disk cache keeps them).

        A corpus worker calls it between source documents so that a process
        aligning thousands of pairs does not grow without bound.
        """
        self._memo.clear()

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the memo and the SQLite connection (which cannot travel): the receiver opens its own."""
        state = self.__dict__.copy()
        state["_memo"] = {}
        state["cache"] = None
        return state

    @property
    def dim(self) -> int:
        """Length of a vector (embeds one text if nothing is known yet)."""
        if self._memo:
            return len(next(iter(self._memo.values())))
        return len(self._embed(["x"])[0])


M = TypeVar("M")


class LazyEncoder(Encoder, Generic[M]):
    """An Encoder whose model is loaded on first use, not when the encoder is made.

    Why: the CLI and the corpus runner make the encoder before they read any
    input, and loading a model costs seconds (torch, weights, maybe a first
    build). Made lazily, a run that fails on its input fails at once, and a
    re-run whose vectors are all in the disk cache never loads the model.
    Subclasses check cheaply in ``__init__`` what can be checked without the
    model (so a missing model is still a ``ModelError`` there), set
    ``model_id`` there, and load in ``_load``. A ``ModelError`` from ``_load``
    is remembered and raised again, not retried for every pair of a corpus.
    The loaded model does not travel in a pickle: the receiver loads its own.
    """

    def __init__(self) -> None:
        super().__init__()
        self._loaded: M | None = None
        self._load_error: ModelError | None = None
        # the editor loads the model in the background while a realign may ask for it: loaded once
        self._load_lock = threading.Lock()

    @abstractmethod
    def _load(self) -> M:
        """Load the model (the expensive part); called once, on first use."""

    def loaded(self) -> M:
        """The model, loaded now if this is its first use (once, whichever thread asks first)."""
        if self._loaded is None:
            with self._load_lock:
                if self._loaded is None:
                    if self._load_error is not None:
                        raise self._load_error
                    try:
                        self._loaded = self._load()
                    except ModelError as e:
                        self._load_error = e
                        raise
        return self._loaded

    @property
    def is_loaded(self) -> bool:
        """Whether the model has been loaded (for tests and diagnostics)."""
        return self._loaded is not None

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state["_loaded"] = None
        state["_load_error"] = None
        del state["_load_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._load_lock = threading.Lock()


def normalise_rows(m: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero), as float32."""
    m = np.asarray(m, dtype=np.float32)
    n = np.linalg.norm(m, axis=1, keepdims=True)
    n[n == 0] = 1.0
    out: np.ndarray = m / n
    return out


# E5's two prompts: ``query: `` for symmetric tasks and search queries, ``passage: `` for searched documents.
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}

E5_PROMPT = E5_PROMPTS["query"]
"""The prompt every e5 text gets. E5 was trained with ``query: `` on both sides
for symmetric tasks (its model card names bitext mining) and ``passage: `` for the
documents of a search; alignment compares like with like, so both sides get
``query: ``. On the development sets this moved strict F1 up a little on every
set (Text+Berg 0.919 -> 0.920, NTREX-hard 0.979 -> 0.980, paragraphs 0.985 -> 0.989).
"""


def with_prompt(stem: str, prompt: str) -> str:
    """A model id with the prompt in it (``st/x`` + ``query: `` -> ``st/x/query``): the prompt changes
    every vector, so cached vectors of another prompt must never be reused."""
    return f"{stem}/{prompt.strip().rstrip(':')}" if prompt.strip() else stem


def e5_model_id(stem: str) -> str:
    """Model id of the bundled e5 under ``E5_PROMPT``."""
    return with_prompt(stem, E5_PROMPT)
