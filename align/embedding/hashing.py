"""A deterministic fake encoder, for tests of logic: no model, no download, instant."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping

import numpy as np

from align.embedding.base import Encoder, normalise_rows

_WORD = re.compile(r"\w+", re.UNICODE)


def _fold(text: str) -> str:
    """Lower-case and strip diacritics (``đ`` → ``d``), for the fake encoder."""
    t = unicodedata.normalize("NFKD", text.lower()).replace("đ", "d")
    return "".join(c for c in t if not unicodedata.combining(c))


class HashEncoder(Encoder):
    """A deterministic fake encoder for tests: hashed bag of words, no model.

    Words are lower-cased, stripped of diacritics and mapped through ``lexicon``
    (so a test can declare ``{"nha": "rumah"}``) before hashing into ``dim``
    buckets. Texts that share words get similar vectors, as a real multilingual
    model gives translations similar vectors.
    """

    def __init__(self, dim: int = 256, lexicon: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self._dim = dim
        self.lexicon = {_fold(k): _fold(v) for k, v in (lexicon or {}).items()}
        self.model_id = f"hash-{dim}"
        self.calls: list[list[str]] = []

    @property
    def dim(self) -> int:
        return self._dim

    def _embed(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in _WORD.findall(_fold(t)):
                w = self.lexicon.get(w, w)
                h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
                out[i, h % self._dim] += 1.0 if (h >> 32) & 1 else -1.0
            out[i, 0] += 0.05  # no zero vectors
        return normalise_rows(out)
