"""The report's two plots, as inline PNGs, and the compact similarity matrix they are drawn from.

The similarity matrix of two long documents is large (20,000 × 20,000 floats
is 1.6 GB), so it is reduced by block maximum to at most ``MAX_CELLS`` ×
``MAX_CELLS`` cells, one block of rows at a time, before anything else sees it:
the report, its JSON and its picture stay bounded whatever the length. Block
maximum rather than mean keeps the bright diagonal of a good alignment visible
after reduction.

matplotlib is used through its object API with the Agg canvas (no pyplot, no
global state, no display), and PNGs are written without a timestamp, so the
same input gives the same bytes.
"""

from __future__ import annotations

import base64
import functools
import io
import math
import zlib
from collections.abc import Sequence

import numpy as np

MAX_CELLS = 600
_ROW_CHUNK_CELLS = 4_000_000  # rows of the input read at a time, in cells


def downsample(sim: np.ndarray, max_cells: int = MAX_CELLS) -> tuple[np.ndarray, tuple[int, int]]:
    """Block-maximum reduction of ``sim`` to at most ``max_cells`` per side.

    Returns the reduced float32 matrix and the block size ``(rows, cols)``;
    cell ``[a, b]`` covers source rows ``a*rows ...`` and target columns
    ``b*cols ...``. Works through a memory-mapped or huge array in chunks.
    """
    n, m = sim.shape
    bs, bt = max(1, math.ceil(n / max_cells)), max(1, math.ceil(m / max_cells))
    rows, cols = math.ceil(n / bs), math.ceil(m / bt)
    out = np.full((rows, cols), -np.inf, dtype=np.float32)
    step = max(bs, (max(1, _ROW_CHUNK_CELLS // max(m, 1)) // bs) * bs)
    pad_cols = cols * bt - m
    for r0 in range(0, n, step):
        chunk = np.asarray(sim[r0 : r0 + step], dtype=np.float32)
        if pad_cols:
            chunk = np.pad(chunk, ((0, 0), (0, pad_cols)), constant_values=-np.inf)
        pad_rows = -len(chunk) % bs
        if pad_rows:
            chunk = np.pad(chunk, ((0, pad_rows), (0, 0)), constant_values=-np.inf)
        block = chunk.reshape(len(chunk) // bs, bs, cols, bt).max(axis=(1, 3))
        out[r0 // bs : r0 // bs + len(block)] = block
    return out, (bs, bt)


def encode_matrix(sim: np.ndarray, shape: tuple[int, int], block: tuple[int, int]) -> dict:
    """The reduced matrix as JSON: 8-bit levels between ``lo`` and ``hi``, zlib-compressed, base64."""
    finite = sim[np.isfinite(sim)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    span = hi - lo or 1.0
    q = np.clip(np.round((np.nan_to_num(sim, nan=lo, neginf=lo) - lo) / span * 255), 0, 255).astype(np.uint8)
    return {
        "shape": list(shape),  # segments: source, target
        "cells": list(q.shape),  # rows, columns of the reduced matrix
        "block": list(block),
        "lo": lo,
        "hi": hi,
        "encoding": "uint8-zlib-base64",
        "data": base64.b64encode(zlib.compress(q.tobytes(), 9)).decode("ascii"),
    }


def decode_matrix(d: dict) -> np.ndarray:
    """Inverse of ``encode_matrix`` (to the 8-bit precision)."""
    rows, cols = d["cells"]
    q = np.frombuffer(zlib.decompress(base64.b64decode(d["data"])), dtype=np.uint8).reshape(rows, cols)
    return d["lo"] + q.astype(np.float32) / 255.0 * (d["hi"] - d["lo"])


def _png(fig) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(w: float, h: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w, h), layout="constrained")
    fig.patch.set_facecolor("white")
    return fig


@functools.cache
def _palette() -> tuple[str, ...]:
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["RdYlGn"]
    return tuple(to_hex(cmap(k / 255 * 0.9 + 0.05)) for k in range(256))


def score_colour(score: float | None) -> str:
    """Hex colour of a score on the red-yellow-green scale the table and histogram share."""
    if score is None or not math.isfinite(score):
        return "#9e9e9e"
    return _palette()[round(min(max(score, 0.0), 1.0) * 255)]


def dot_plot(
    beads: Sequence[dict],
    n_src: int,
    n_tgt: int,
    matrix: dict | None,
) -> str:
    """Base64 PNG: the similarity heat map with the chosen path drawn over it.

    ``beads`` are the report's bead dicts (``src``, ``tgt``, ``flags``);
    ``matrix`` the encoded reduced matrix or None (then the path alone).
    """
    fig = _figure(6.2, 6.2)
    ax = fig.add_subplot()
    if matrix is not None:
        img = decode_matrix(matrix)
        bs, bt = matrix["block"]
        rows, cols = matrix["cells"]
        # White up to the median cell: most pairs are not translations, and the eye should
        # find the few that are (the diagonal) at once.
        lo, hi = np.percentile(img, [50, 99.8]) if img.size else (0, 1)
        im = ax.imshow(
            img, cmap="Blues", vmin=lo, vmax=hi if hi > lo else lo + 1e-6, interpolation="nearest",
            extent=(-0.5, cols * bt - 0.5, rows * bs - 0.5, -0.5), aspect="auto",
        )
        cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02, shrink=0.8)
        cb.set_label("cosine similarity", fontsize=8)
        cb.ax.tick_params(labelsize=7)
    else:
        ax.text(0.5, 0.02, "similarity matrix not available: path only", transform=ax.transAxes,
                ha="center", va="bottom", fontsize=8, color="#666")
        ax.set_facecolor("#fafafa")
    xs, ys, fx, fy, om, ad = [], [], [], [], [], []
    last_t, last_s = -0.5, -0.5
    for b in beads:
        if b["src"] and b["tgt"]:
            y, x = float(np.mean(b["src"])), float(np.mean(b["tgt"]))
            xs.append(x)
            ys.append(y)
            if b["flags"]:
                fx.append(x)
                fy.append(y)
            last_t, last_s = max(b["tgt"]), max(b["src"])
        elif b["src"]:
            om.extend((last_t + 0.5, i) for i in b["src"])
            last_s = max(b["src"])
        else:
            ad.extend((j, last_s + 0.5) for j in b["tgt"])
            last_t = max(b["tgt"])
    # Markers shrink as documents grow, so that they mark the path without hiding it.
    big = len(beads) > 150
    ms = 1.5 if big else 2.4
    ax.plot(xs, ys, "-", color="#f28e2b", lw=0.9 if big else 1.3, alpha=0.95, label="alignment path")
    ax.plot(xs, ys, "o", color="#f28e2b", ms=ms)
    if fx:
        ax.plot(fx, fy, "o", mfc="none", mec="#c0143c", ms=3.5 if big else 7, mew=0.8 if big else 1.4,
                alpha=0.8 if big else 1.0, label="flagged pair")
    if om:
        ax.plot(*zip(*om, strict=True), "x", color="#d62728", ms=3 if big else 5, mew=1.0 if big else 1.3,
                label="omission (source only)")
    if ad:
        ax.plot(*zip(*ad, strict=True), "+", color="#9467bd", ms=3.5 if big else 6, mew=1.0 if big else 1.3,
                label="addition (target only)")
    ax.set_xlim(-0.5, max(n_tgt, 1) - 0.5)
    ax.set_ylim(max(n_src, 1) - 0.5, -0.5)
    ax.set_xlabel(f"target segment ({n_tgt})", fontsize=9)
    ax.set_ylabel(f"source segment ({n_src})", fontsize=9)
    ax.tick_params(labelsize=8)
    fig.legend(loc="outside lower center", ncols=2, fontsize=7.5, frameon=False)
    return _png(fig)


def score_histogram(scores: Sequence[float], low_score: float | None) -> str:
    """Base64 PNG: histogram of the two-sided beads' scores, bars coloured like the table."""
    from matplotlib.ticker import MaxNLocator

    fig = _figure(6.2, 2.9)
    ax = fig.add_subplot()
    edges = np.linspace(0.0, 1.0, 21)
    counts, _ = np.histogram(np.clip(np.asarray(scores, dtype=float), 0, 1), bins=edges)
    centres = (edges[:-1] + edges[1:]) / 2
    ax.bar(centres, counts, width=0.048, color=[score_colour(c) for c in centres], edgecolor="#555", linewidth=0.4)
    if low_score is not None:
        ax.axvline(low_score, color="#444", ls="--", lw=1)
        ax.text(low_score, 0.97, f" low-score < {low_score:.2f}", transform=ax.get_xaxis_transform(),
                fontsize=7.5, va="top", ha="left", color="#444")
    ax.set_xlim(0, 1)
    ax.set_xlabel("bead score (two-sided beads)", fontsize=9)
    ax.set_ylabel("beads", fontsize=9)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    if not len(scores):
        ax.text(0.5, 0.5, "no translation units", transform=ax.transAxes, ha="center", color="#666")
    return _png(fig)
