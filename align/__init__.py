"""align: sentence and paragraph alignment of translated documents into TMX.

The public API is what a notebook user needs; everything else lives in private
``_module.py`` files and may change::

    import align
    src = align.read_document("vi.txt", "vi")
    tgt = align.read_document("id.txt", "id")
    alignment = align.align_documents(src, tgt, align.load_encoder())
    align.write_tmx(alignment, "out.tmx")
    align.write_report(alignment, "out.report.html", "out.report.json")
"""

__version__ = "0.6.0"  # the only place it is written (pyproject reads it); before the imports: modules read it

from align.core.aligner import AlignParams, align_documents, align_segments
from align.corpus.run import run_corpus
from align.embedding.encoders import EmbeddingCache, Encoder, HashEncoder, load_encoder
from align.common.errors import AlignError, InputError, ModelError, OutputError, UsageError
from align.tools.evaluate import evaluate_dirs as evaluate
from align.common.model import Alignment, Bead, Document, Segment, Unaligned
from align.quality.flags import flag_beads
from align.reading.read import read_document
from align.formats.report.payload import write_report
from align.formats.tmx import read_tmx, write_tmx


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
