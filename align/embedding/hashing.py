"""A deterministic fake encoder, for tests of logic: no model, no download, instant."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping

import numpy as np

from align.common.text import strip_marks
from align.embedding.base import Encoder, normalise_rows

_WORD = re.compile(r"\w+", re.UNICODE)
_CACHE_MAX = 1 << 20  # words whose bucket an encoder keeps (a corpus meets fewer; beyond, it starts over)


def _fold(text: str) -> str:
    """Lower-case and strip diacritics (``đ`` → ``d``), for the fake encoder."""
    return strip_marks(unicodedata.normalize("NFKD", text.lower()).replace("đ", "d"))


class HashEncoder(Encoder):
    """A deterministic fake encoder for tests: hashed bag of words, no model.

    Words are lower-cased, stripped of diacritics and mapped through ``lexicon``
    (so a test can declare ``{"nha": "rumah"}``) before hashing into ``dim``
    buckets. Texts that share words get similar vectors, as a real multilingual
    model gives translations similar vectors. ``lexicon`` is read when a word is
    first met (its bucket is kept): set it when making the encoder.
    """

    def __init__(self, dim: int = 256, lexicon: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self._dim = dim
        self.lexicon = {_fold(k): _fold(v) for k, v in (lexicon or {}).items()}
        self.model_id = f"hash-{dim}"
        self.calls: list[list[str]] = []
        self._slots: dict[str, int] = {}  # word -> 2 * bucket + (1 if it adds, 0 if it subtracts)

    @property
    def dim(self) -> int:
        return self._dim

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Bag of hashed words, summed with one ``bincount``: it stands in for a free encoder, so its time counts.

        Each distinct word is hashed once per encoder (the vocabulary of a
        document repeats); the sums are small integers, exact in any order.
        """
        self.calls.append(list(texts))
        words = [_WORD.findall(_fold(t)) for t in texts]
        flat = [w for ws in words for w in ws]
        slots = self._slots
        if len(slots) > _CACHE_MAX:
            slots.clear()
        for w in dict.fromkeys(flat).keys() - slots.keys():
            slots[w] = self._slot(w)
        code = np.array([slots[w] for w in flat], dtype=np.int64)
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), [len(ws) for ws in words])
        sums = np.bincount(rows * self._dim + (code >> 1), weights=(code & 1) * 2.0 - 1.0,
                           minlength=len(texts) * self._dim)
        out = sums.reshape(len(texts), self._dim).astype(np.float32)
        out[:, 0] += 0.05  # no zero vectors
        return normalise_rows(out)

    def _slot(self, word: str) -> int:
        """The word's bucket and sign (``lexicon`` applied), from its BLAKE2b hash."""
        w = self.lexicon.get(word, word)
        h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
        return 2 * (h % self._dim) + ((h >> 32) & 1)
