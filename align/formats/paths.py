"""Output file names derived from the TMX's: ``out.tmx`` -> ``out.report.html``, ``out.review.tmx``.

One rule, used by the command line (default report paths), the pipeline and
the corpus runner, so every output of a pair sits beside its TMX under the
same stem.
"""

from __future__ import annotations


def stem(out_tmx: str) -> str:
    """``out.tmx`` -> ``out``; a name without the ``.tmx`` suffix (any case) is its own stem."""
    return out_tmx[:-4] if out_tmx.lower().endswith(".tmx") else out_tmx


def sibling(out_tmx: str, suffix: str) -> str:
    """The file beside ``out_tmx`` with ``suffix`` in place of ``.tmx`` (``sibling("a.tmx", ".beads.txt")``)."""
    return stem(out_tmx) + suffix
