"""The compiled loops of the search: the banded DP and the bead scores of a block of rows.

The kernels live in ``_kernels.pyx`` (Cython, compiled to C when the package
is installed) and take plain arrays; the Python side (``search``, ``scores``)
prepares the arrays and keeps the structure. They do, cell by cell and in the
same order, the arithmetic the vectorised numpy code did row by row (the same
sums in the same order, the same ``logaddexp``), so the beads, scores and
posteriors are the same bit for bit; ``tests/core/test_kernels.py`` checks
them against that numpy code.

Parameters travel in tuples (``dp``, ``steps``, ``band``, ``types``...) so a
kernel reads like the DP it runs rather than like a list of twenty arrays.
The kernels that threads share (``forward_rows``, ``backward_rows``,
``bead_scores``, ``near_top``) run their loops without the GIL.

Why Cython and not numba (0.8.4 and before): numba cost every process about
0.85 s before and after any work on 2 cores (0.2 s to import, 0.45 s to load
its cached machine code, which also imports scipy's linear algebra, 0.18 s
to tear LLVM down at exit) and 6 s of compiling on a machine's first run; an
extension module loads in milliseconds. The price is a C compiler when the
package is built from source (``pip install`` compiles this one file).
"""

from __future__ import annotations

from align.core._kernels import (
    NEG,
    backward_rows,
    bead_scores,
    column_max,
    forward_rows,
    integral_image,
    logaddexp,
    near_top,
    trace_back,
)

__all__ = [
    "NEG", "backward_rows", "bead_scores", "column_max", "forward_rows", "integral_image", "logaddexp", "near_top",
    "trace_back",
]
