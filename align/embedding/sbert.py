"""Any sentence-transformers model (LaBSE, ...), by hub name from the local cache or by local folder.

Nothing is downloaded at run time. Whether a name can resolve at all (a model
folder, or a model in the local Hugging Face cache) is checked without
importing torch, so a missing model is a ``ModelError`` as soon as the encoder
is made; the model itself is loaded on first use.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import numpy as np

from align.common.errors import ModelError
from align.embedding.base import E5_PROMPT, LazyEncoder, with_prompt


def _hint(name: str) -> str:
    return (
        "give a local model folder, or download it once on a connected machine with "
        f"`python -c \"from sentence_transformers import SentenceTransformer; SentenceTransformer('{name}')\"`"
    )


def _hub_caches() -> list[Path]:
    """Every folder where sentence-transformers or huggingface_hub may keep downloaded models.

    A superset of where the libraries look (their environment variables and
    defaults), so a model they would find is never refused here.
    """
    env = os.environ
    out = [Path(env[v]).expanduser() for v in ("SENTENCE_TRANSFORMERS_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE",
                                               "TRANSFORMERS_CACHE") if env.get(v)]
    hf_home = env.get("HF_HOME") or os.path.join(env.get("XDG_CACHE_HOME") or "~/.cache", "huggingface")
    out.append(Path(hf_home).expanduser() / "hub")
    out.append(Path("~/.cache/huggingface/hub").expanduser())
    return out


def unresolvable(name: str) -> str | None:
    """Why ``name`` cannot be a sentence-transformers model here, or None if it may be one.

    Mirrors how ``SentenceTransformer(name, local_files_only=True)`` resolves a
    name: a folder; else a hub id (at most one ``/``; a bare name also as
    ``sentence-transformers/NAME``) that must be in a local cache. Only a
    certain "no" counts: a cached model that then fails to load is reported
    when it is first used.
    """
    if os.path.isdir(name):
        return None
    if os.path.exists(name):
        return "it is a file, not a model folder"
    if name.count("/") > 1 or (os.sep == "\\" and "\\" in name):
        return "no such folder"
    ids = [name] if "/" in name else [name, f"sentence-transformers/{name}"]
    for cache in _hub_caches():
        for hub_id in ids:
            if (cache / f"models--{hub_id.replace('/', '--')}").is_dir() or (cache / hub_id.replace("/", "_")).is_dir():
                return None
    return "no such folder, and not in the local Hugging Face cache"


class SentenceTransformerEncoder(LazyEncoder[Any]):
    """Any sentence-transformers model, by hub name (from the local cache) or local path.

    Nothing is downloaded at run time: a name that is not in the local cache is a
    ``ModelError`` saying how to get it. ``prefix`` is prepended to every text
    (default: ``E5_PROMPT`` for e5 models, nothing for others such as LaBSE).
    ``device``: a torch device; default CUDA when available, else CPU (decided
    when the model loads, on first use).
    """

    def __init__(self, name_or_path: str, device: str | None = None, prefix: str | None = None) -> None:
        super().__init__()
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        if importlib.util.find_spec("sentence_transformers") is None:
            raise ModelError(f"model {name_or_path!r} needs sentence-transformers", hint="pip install sentence-transformers")
        why = unresolvable(str(name_or_path))
        if why is not None:
            raise ModelError(f"cannot load sentence-transformers model {name_or_path!r}: {why}", hint=_hint(name_or_path))
        if prefix is None:
            prefix = E5_PROMPT if "e5" in Path(str(name_or_path)).name.lower() else ""
        self.name_or_path = name_or_path
        self.prefix = prefix
        self.device = device  # None until the model loads and picks one
        p = Path(name_or_path)
        self.model_id = with_prompt(f"st/{p.name if p.exists() else name_or_path}", prefix)

    def _load(self) -> Any:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ModelError(
                f"model {self.name_or_path!r} needs sentence-transformers", hint="pip install sentence-transformers"
            ) from e
        if self.device is None:
            try:
                import torch

                self.device = "cuda" if torch.cuda.is_available() else "cpu"
            except ImportError:  # pragma: no cover
                self.device = "cpu"
        try:
            return SentenceTransformer(self.name_or_path, device=self.device, local_files_only=True)
        except Exception as e:  # the library raises many kinds for "not there"
            raise ModelError(
                f"cannot load sentence-transformers model {self.name_or_path!r}: {type(e).__name__}",
                hint=_hint(self.name_or_path),
            ) from e

    def _embed(self, texts: list[str]) -> np.ndarray:
        v = self.loaded().encode(
            [self.prefix + t for t in texts],
            prompt="",  # the prefix above is the whole prompt: not the folder's default prompt as well
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(v, dtype=np.float32)
