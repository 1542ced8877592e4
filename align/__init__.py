"""align: sentence and paragraph alignment of translated documents into TMX.

The public API is what a notebook user needs; it is the names below and
nothing else. The stage packages behind it (``reading``, ``embedding``,
``core``, ``quality``, ``formats``, ``pipeline``, ``corpus``, ``tools``,
``cli``) each have a small surface of their own in their ``__init__``, but
they are the implementation and may change::

    import align
    src = align.read_document("vi.txt", "vi")
    tgt = align.read_document("id.txt", "id")
    alignment = align.align_documents(src, tgt, align.load_encoder())
    align.write_tmx(alignment, "out.tmx")
    align.write_report(alignment, "out.report.html", "out.report.json")

Importing ``align`` loads no model and no torch: encoders load their model on
the first text they embed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from align.common import (
    AlignError,
    Alignment,
    Bead,
    Document,
    InputError,
    ModelError,
    OutputError,
    Segment,
    Unaligned,
    UsageError,
    __version__,
)

if TYPE_CHECKING:
    from align.core import AlignParams, align_documents, align_segments
    from align.corpus import run_corpus
    from align.embedding import EmbeddingCache, Encoder, HashEncoder, load_encoder
    from align.formats.report.payload import write_report
    from align.formats.tmx import read_tmx, write_tmx
    from align.quality import flag_beads
    from align.reading import read_document
    from align.tools.evaluate import evaluate_dirs as evaluate

# The stages behind the public names are imported on first use (PEP 562): ``import align``, which every
# ``align`` command runs first, would otherwise load the aligner, the pairing layer (scipy) and the corpus
# runner whatever the command.
_LAZY = {
    "AlignParams": ("align.core", "AlignParams"),
    "align_documents": ("align.core", "align_documents"),
    "align_segments": ("align.core", "align_segments"),
    "run_corpus": ("align.corpus", "run_corpus"),
    "EmbeddingCache": ("align.embedding", "EmbeddingCache"),
    "Encoder": ("align.embedding", "Encoder"),
    "HashEncoder": ("align.embedding", "HashEncoder"),
    "load_encoder": ("align.embedding", "load_encoder"),
    "write_report": ("align.formats.report.payload", "write_report"),
    "read_tmx": ("align.formats.tmx", "read_tmx"),
    "write_tmx": ("align.formats.tmx", "write_tmx"),
    "flag_beads": ("align.quality", "flag_beads"),
    "read_document": ("align.reading", "read_document"),
    "evaluate": ("align.tools.evaluate", "evaluate_dirs"),
}


def __getattr__(name: str) -> Any:
    """A public name of a stage, imported when first asked for (then kept as a module attribute)."""
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'align' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "AlignError",
    "AlignParams",
    "Alignment",
    "Bead",
    "Document",
    "EmbeddingCache",
    "Encoder",
    "HashEncoder",
    "InputError",
    "ModelError",
    "OutputError",
    "Segment",
    "Unaligned",
    "UsageError",
    "__version__",
    "align_documents",
    "align_segments",
    "evaluate",
    "flag_beads",
    "load_encoder",
    "read_document",
    "read_tmx",
    "run_corpus",
    "write_report",
    "write_tmx",
]
