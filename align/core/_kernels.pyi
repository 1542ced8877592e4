"""Types of the compiled kernels (``_kernels.pyx``); what each does is said there."""

from typing import Any

import numpy as np

NEG: float

def logaddexp(x: float, y: float) -> float: ...
def forward_rows(
    dp: tuple[np.ndarray, np.ndarray, np.ndarray],
    steps: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    band: tuple[np.ndarray, np.ndarray],
    types: tuple[np.ndarray, np.ndarray],
    rows: tuple[int, int],
    consts: tuple[float, bool],
) -> None: ...
def trace_back(back: np.ndarray, lo: np.ndarray, sizes: np.ndarray, n: int, m: int) -> tuple[np.ndarray, int, int]: ...
def backward_rows(
    Bm_: np.ndarray,
    steps: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    band: tuple[np.ndarray, np.ndarray],
    types: tuple[np.ndarray, np.ndarray, np.ndarray],
    rows: tuple[int, int, int, int],
    consts: tuple[float],
) -> None: ...
def integral_image(
    values: np.ndarray, start: np.ndarray, end: np.ndarray, window: tuple[int, int, int, int]
) -> np.ndarray: ...
def column_max(values: np.ndarray, start: np.ndarray, end: np.ndarray, m: int) -> np.ndarray: ...
def bead_scores(
    out_: np.ndarray,
    geometry: tuple[Any, ...],
    tables: tuple[np.ndarray, ...],
    marks: tuple[np.ndarray, ...],
    weights: tuple[float, ...],
    flags: tuple[bool, bool, bool, bool],
) -> None: ...
def near_top(fast: np.ndarray, top: np.ndarray, loose: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...
