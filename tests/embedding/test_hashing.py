"""The fake encoder's vectors, bit for bit: tests, benchmarks and compare.sh rely on them."""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata

import numpy as np

from align.embedding.base import normalise_rows
from align.embedding.hashing import HashEncoder


def _loop_embed(texts, dim, lexicon=None):
    """The encoder as a loop over every word: the definition the vectorised ``_embed`` must keep."""

    def fold(text):
        t = unicodedata.normalize("NFKD", text.lower()).replace("đ", "d")
        return "".join(c for c in t if not unicodedata.combining(c))

    lex = {fold(k): fold(v) for k, v in (lexicon or {}).items()}
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, t in enumerate(texts):
        for w in re.findall(r"\w+", fold(t)):
            w = lex.get(w, w)
            h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
            out[i, h % dim] += 1.0 if (h >> 32) & 1 else -1.0
        out[i, 0] += 0.05
    return normalise_rows(out)


def test_vectors_are_those_of_the_word_loop_bit_for_bit():
    rng = random.Random(11)
    alpha = [*"aAbBzZđĐéÉ\u0301\u0323ΣσςΟΔ _9٣.,\n\tǅﬁİ", "𝐀", "nhà", "Nhà", "rumah", "  "]
    texts = ["", " ", "Ông Lương Tam Quang gặp UNODC năm 2019.", "ΟΔΟΣ οδος", "nhà nhà nhà"]
    texts += ["".join(rng.choice(alpha) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    for dim, lexicon in ((256, None), (7, {"Nhà": "rumah", "a": "b"})):
        enc = HashEncoder(dim, lexicon)
        for k in range(0, len(texts), 97):  # several batches: the word buckets kept between them
            got = enc._embed(texts[k : k + 97])
            want = _loop_embed(texts[k : k + 97], dim, lexicon)
            assert got.dtype == np.float32 and got.tobytes() == want.tobytes()


def test_a_text_embeds_the_same_alone_or_in_a_batch():
    enc = HashEncoder()
    batch = enc._embed(["Hà Nội", "Jakarta", "Hà Nội mưa"])
    assert enc._embed(["Jakarta"]).tobytes() == batch[1:2].tobytes()
