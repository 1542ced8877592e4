"""The aligner loaded ahead of its first real use (a long-lived process: the editor's server).

A process's first alignment pays for compiling the lexical and sentence
patterns and for building the tables behind them (the capitals of every
script). A command line run cannot hide that (a warm-up thread would only
hold the interpreter's lock while the documents are read), but the editor can:
it warms up in the background while the reviewer reads the page, so that the
first realign costs what every later one does.
"""

from __future__ import annotations

import numpy as np

from align.core.aligner import align_segments
from align.core.params import AlignParams

__all__ = ["warm_up"]


def warm_up(src_lang: str | None = None, tgt_lang: str | None = None) -> None:
    """Align a tiny made-up pair with every kind of evidence, exactly and coarse-to-fine.

    Paragraphs, shared numbers and names, sentence counts and a left-out line
    take the search through every path a real document takes (the patterns,
    the anchors, the paragraph pass, the coarse levels);
    ``src_lang``/``tgt_lang`` load those languages' sentence segmenters.
    """
    n = 12
    rng = np.random.default_rng(0)
    base = rng.standard_normal((n, 16)).astype(np.float32)
    # made-up words: what matters is a capitalised name, a number and two sentences a line, in any language
    src = [f"Ana Berg saw {1000 + 7 * k} more in Tarn. Then." for k in range(n)]
    tgt = [f"Ana Berg vit {1000 + 7 * k} plus au Tarn. Puis." for k in range(n)]
    tgt_vecs = base + 0.1 * rng.standard_normal(base.shape).astype(np.float32)
    paras = [k // 3 for k in range(n)]
    keep = [k for k in range(n) if k != 5]  # one line without a counterpart
    for params in (AlignParams(), AlignParams(max_cells=16, para_max_cells=16)):
        align_segments(src, [tgt[k] for k in keep], None, params=params, src_vecs=base, tgt_vecs=tgt_vecs[keep],
                       src_paras=paras, tgt_paras=[paras[k] for k in keep], src_lang=src_lang, tgt_lang=tgt_lang)
