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
from align.core import AlignParams, align_documents, align_segments
from align.corpus import run_corpus
from align.embedding import EmbeddingCache, Encoder, HashEncoder, load_encoder
from align.formats.report.payload import write_report
from align.formats.tmx import read_tmx, write_tmx
from align.quality import flag_beads
from align.reading import read_document
from align.tools.evaluate import evaluate_dirs as evaluate

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
