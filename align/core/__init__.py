"""The aligner core: two documents' segments and an encoder in, scored beads out.

Read in this order (each module imports only those above it):

* ``kernels``: the compiled loops (Cython, ``_kernels.pyx``): the banded DP and the bead scores
  of a block of rows, over plain arrays;
* ``search``: the monotone DP inside a band, over a ``RowSource`` of bead
  scores (it knows nothing of vectors, nor of the rest of the package);
* ``params``: ``AlignParams`` (every knob, with its default) and ``signature``;
* ``vectors``: unit, centred vectors (``prepare_vectors``) and ``TextEncoder``;
* ``lexical``: numbers and names shared by both sides (anchors), and numbers
  one side lacks (orphans);
* ``side``: ``Segments`` (one document side, built once), ``Side`` (one side
  as a search reads it) and ``Evidence`` (the sentence search's two sides and
  shared anchors);
* ``members``: merged windows checked against real embeddings of their text;
* ``scores``: the document model and ``WindowScorer``, the bead scores;
* ``find``: one search between two sides (band, model, posteriors);
* ``paragraphs``: the paragraph-first pass and paragraph beads;
* ``reorder``: pairs the monotone path cannot make (moved sentences);
* ``aligner``: ``align_documents`` and ``align_segments``;
* ``warm``: the aligner loaded ahead of its first use (the editor's server).
"""

from align.core.aligner import align_documents, align_segments
from align.core.params import AlignParams, signature
from align.core.scores import score_matrix
from align.core.vectors import prepare_vectors

__all__ = ["AlignParams", "align_documents", "align_segments", "prepare_vectors", "score_matrix", "signature"]
