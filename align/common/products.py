"""Matrix products whose values do not depend on the machine.

A float32 matrix product rounds each sum along the way, in an order that the
BLAS library picks for the shape of the product, the CPU's kernels and the
number of threads: the same vectors give cosines a few units of the last
place apart on another machine (or with another block size), enough to move
a rounded score or tip a tie between two candidates. Summing in float64 and
rounding to float32 once gives the same float32 value whatever the order
(apart from a sum landing within 1e-16 of a rounding boundary).

Many small products also run faster on one BLAS thread than on two that wait
for each other, and far faster on a busy machine, where spinning threads
compete with other processes (``one_blas_thread``).
"""

from __future__ import annotations

import functools
from contextlib import AbstractContextManager
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

__all__ = ["one_blas_thread", "products"]


@functools.cache
def _controller() -> ThreadpoolController:
    return ThreadpoolController()


def one_blas_thread() -> AbstractContextManager[Any]:
    """A context in which numpy's BLAS runs on one thread (threadpoolctl; restored on exit)."""
    limit: AbstractContextManager[Any] = _controller().limit(limits=1, user_api="blas")
    return limit


def products(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` (2-D, or stacks of them) summed in float64 and rounded to float32 once."""
    out: np.ndarray = np.matmul(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)).astype(np.float32)
    return out
