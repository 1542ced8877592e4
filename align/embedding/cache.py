"""Vectors on disk, across runs and processes, and the per-user cache folder.

A re-run, or a second target language for the same source, must not re-embed
what was embedded before: ``EmbeddingCache`` keeps every vector in SQLite,
keyed by the model id and the text's hash, so ``Encoder.encode`` finds it there.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np


class EmbeddingCache:
    """Vectors on disk in SQLite, keyed by (model id, SHA-1 of the text).

    Safe to share between processes (SQLite's own locking, WAL journal); a
    re-run or a second target language does not re-embed the source.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
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
        """The cached vectors of ``texts`` under ``model``; texts not cached are absent."""
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
        """Store vectors under ``model`` (replacing any of the same text)."""
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
    import platformdirs  # only where no folder is named

    return Path(platformdirs.user_cache_dir("align"))
