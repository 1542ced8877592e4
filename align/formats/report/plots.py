"""The report's two plots, as inline PNGs, and the compact similarity matrix they are drawn from.

The similarity matrix of two long documents is large (20,000 × 20,000 floats
is 1.6 GB), so it is reduced by block maximum to at most ``MAX_CELLS`` ×
``MAX_CELLS`` cells, one block of rows at a time, before anything else sees it:
the report, its JSON and its picture stay bounded whatever the length. Block
maximum rather than mean keeps the bright diagonal of a good alignment visible
after reduction.

The plots are drawn with Pillow (see "drawing" below for why not matplotlib,
which still gives the colour maps, tick positions and font); PNGs are written
without metadata, so the same input gives the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import functools
import io
import math
import os
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

MAX_CELLS = 600
#: The most cells a side of a matrix read back from a JSON report (``decode_matrix``): the
#: writer's default is ``MAX_CELLS``; a caller may ask for more, never for a picture this large.
MAX_DECODE_CELLS = 2048
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
    """Inverse of ``encode_matrix`` (to the 8-bit precision); ``ValueError`` if the data is not what ``d`` says.

    The data may come from an edited file: the declared size is checked against
    ``MAX_DECODE_CELLS`` before anything is inflated, and no more than that many
    bytes are ever inflated, so a small file cannot expand to gigabytes.
    """
    rows, cols = d["cells"]
    if not (0 < rows <= MAX_DECODE_CELLS and 0 < cols <= MAX_DECODE_CELLS):
        raise ValueError(f"matrix of {rows}×{cols} cells; at most {MAX_DECODE_CELLS} a side is read")
    try:
        packed = base64.b64decode(d["data"], validate=True)
    except (binascii.Error, ValueError) as e:
        raise ValueError(f"matrix data is not base64 ({e})") from None
    inflate = zlib.decompressobj()
    try:
        raw = inflate.decompress(packed, rows * cols + 1)
    except zlib.error as e:
        raise ValueError(f"matrix data is not zlib-compressed ({e})") from None
    if len(raw) != rows * cols or not inflate.eof or inflate.unused_data:
        raise ValueError(f"matrix data does not hold the {rows}×{cols} cells its header says")
    q = np.frombuffer(raw, dtype=np.uint8).reshape(rows, cols)
    return d["lo"] + q.astype(np.float32) / 255.0 * (d["hi"] - d["lo"])


# --------------------------------------------------------------------------- drawing
#
# The two figures are drawn with Pillow, not matplotlib: a corpus of thousands of small
# pairs writes two figures per pair, and matplotlib's artists, tick machinery and text
# layout cost ~0.1-0.3 s a figure however little it shows, while these figures are always
# the same few shapes. matplotlib still gives the colour maps and the tick positions
# (``MaxNLocator``: the same "nice" steps as its own axes) and the font (DejaVu Sans,
# shipped with it). Text is anti-aliased by FreeType; the slanted lines and round
# markers are drawn at ``_SS`` times the size on a patch that is then reduced, which
# smooths them as an anti-aliasing renderer would.

#: From this cell size (pixels) up, the dot plot outlines each pair's cells; below, it draws the path beside them.
OUTLINE_MIN_CELL_PX = 4.0
_SS = 3  # supersampling factor of the patches holding slanted lines and markers
#: Where the axes lie (left, top, right, bottom pixels): the dot plot is 620 x 620 with room
#: for tick labels, a colour bar on the right and a legend below; the histogram 620 x 290.
DOT_BOX = (62, 12, 525, 520)
HIST_BOX = (60, 10, 605, 242)
PT = 100 / 72  # pixels per typographic point: the figures are laid out as at 100 dpi
_STEPS = (1, 2, 2.5, 5, 10)


@functools.cache
def _font(px: int):
    """DejaVu Sans (matplotlib's default face) at ``px`` pixels."""
    import matplotlib
    from PIL import ImageFont

    try:
        return ImageFont.truetype(os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf"), px)
    except OSError:  # pragma: no cover - a matplotlib without its fonts
        return ImageFont.load_default(px)


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


class _Canvas:
    """A picture drawn in figure pixels (floats): the whole figure, or a patch of it drawn at
    ``ss`` times the size (``patch``), to be reduced and put back (``put``)."""

    def __init__(self, w: int, h: int, img=None, origin: tuple[float, float] = (0, 0), ss: int = 1) -> None:
        from PIL import Image, ImageDraw

        self.w, self.h, self.ss, self.origin = w, h, ss, origin  # origin: figure pixel of img's corner
        self.img = img if img is not None else Image.new("RGB", (w * ss, h * ss), "white")
        self.draw = ImageDraw.Draw(self.img)

    def patch(self, box: tuple[float, float, float, float], ss: int = _SS) -> _Canvas:
        """The ``box`` region, enlarged ``ss`` times, to draw on in figure coordinates; what
        falls outside is cut off when ``put`` back (as matplotlib clips to the axes)."""
        from PIL import Image

        x0, y0, x1, y1 = (round(v) for v in box)
        part = self.img.crop((x0, y0, x1, y1)).resize(((x1 - x0) * ss, (y1 - y0) * ss), Image.Resampling.NEAREST)
        return _Canvas(self.w, self.h, part, (x0, y0), ss)

    def put(self, patch: _Canvas) -> None:
        self.img.paste(patch.img.reduce(patch.ss), (round(patch.origin[0]), round(patch.origin[1])))

    def _xy(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.origin[0]) * self.ss, (y - self.origin[1]) * self.ss

    def _w(self, width: float) -> int:
        return max(1, round(width * self.ss))

    def rect(self, x0: float, y0: float, x1: float, y1: float, *, fill: str | None = None,
             outline: str | None = None, width: float = 1.0) -> None:
        self.draw.rectangle((*self._xy(x0, y0), *self._xy(x1, y1)), fill=fill and _rgb(fill),
                            outline=outline and _rgb(outline), width=self._w(width) if outline else 0)

    def line(self, points: Sequence[tuple[float, float]], colour: str, width: float, *,
             dash: tuple[float, float] | None = None) -> None:
        if len(points) < 2:
            return
        if dash is None:
            self.draw.line([self._xy(x, y) for x, y in points], fill=_rgb(colour), width=self._w(width),
                           joint="curve")
            return
        (xa, ya), (xb, yb) = points[0], points[-1]  # dashed: straight lines only
        length = math.hypot(xb - xa, yb - ya) or 1.0
        on, off = dash
        t = 0.0
        while t < length:
            e = min(t + on, length)
            self.draw.line([self._xy(xa + (xb - xa) * t / length, ya + (yb - ya) * t / length),
                            self._xy(xa + (xb - xa) * e / length, ya + (yb - ya) * e / length)],
                           fill=_rgb(colour), width=self._w(width))
            t = e + off

    def marker(self, kind: str, x: float, y: float, size: float, colour: str, width: float = 1.0) -> None:
        """``size`` is the marker's diameter in pixels: ``o`` filled, ``O`` hollow, ``x``, ``+``."""
        self.markers(kind, np.array([x], dtype=float), np.array([y], dtype=float), size, colour, width)

    def markers(self, kind: str, xs: np.ndarray, ys: np.ndarray, size: float, colour: str, width: float = 1.0) -> None:
        """A marker (see ``marker``) at each point of ``xs``, ``ys``, stroke after stroke, their ends computed at once."""
        r = size / 2
        fill, w = _rgb(colour), self._w(width)
        ox, oy, ss = self.origin[0], self.origin[1], self.ss
        left, right = ((xs - r - ox) * ss).tolist(), ((xs + r - ox) * ss).tolist()
        top, bottom = ((ys - r - oy) * ss).tolist(), ((ys + r - oy) * ss).tolist()
        draw = self.draw
        if kind == "o" or kind == "O":
            style = {"fill": fill} if kind == "o" else {"outline": fill, "width": w}
            for box in zip(left, top, right, bottom, strict=True):
                draw.ellipse(box, **style)
            return
        if kind == "x":
            first = zip(zip(left, top), zip(right, bottom))
            second = zip(zip(left, bottom), zip(right, top))
        else:
            mid_x, mid_y = ((xs - ox) * ss).tolist(), ((ys - oy) * ss).tolist()
            first = zip(zip(left, mid_y), zip(right, mid_y))
            second = zip(zip(mid_x, top), zip(mid_x, bottom))
        for one, two in zip(first, second):
            draw.line(one, fill=fill, width=w, joint="curve")
            draw.line(two, fill=fill, width=w, joint="curve")

    def text(self, x: float, y: float, s: str, size_pt: float, *, colour: str = "#000000", anchor: str = "la",
             vertical: bool = False) -> None:
        """Text at (x, y); ``anchor`` as Pillow's (``"mt"``: middle-top ...); ``vertical``: read bottom-up."""
        font = _font(round(size_pt * PT * self.ss))
        if not vertical:
            self.draw.text(self._xy(x, y), s, fill=_rgb(colour), font=font, anchor=anchor)
            return
        from PIL import Image, ImageDraw

        left, top, right, bottom = font.getbbox(s, anchor="ls")
        mask = Image.new("L", (right - left + 2, bottom - top + 2), 0)
        ImageDraw.Draw(mask).text((1 - left, 1 - top), s, fill=255, font=font, anchor="ls")
        mask = mask.transpose(Image.Transpose.ROTATE_90)
        mw, mh = mask.size
        px, py = self._xy(x, y)
        dx = {"l": 0, "m": mw / 2, "r": mw}[anchor[0]]  # anchor: horizontal then vertical, of the rotated box
        dy = {"t": 0, "m": mh / 2, "b": mh}[anchor[1]]
        self.img.paste(_rgb(colour), (round(px - dx), round(py - dy)), mask)

    def image(self, rgb: np.ndarray, box: tuple[float, float, float, float], span: tuple[float, float]) -> None:
        """Paste ``rgb`` (rows, cols, 3) scaled so that it spans ``span`` x ``box`` size from the box's
        top-left corner, cropped to the box (cells beyond the last segment fall outside)."""
        from PIL import Image

        (x0, y0), (x1, y1) = (tuple(round(v) for v in self._xy(*p)) for p in (box[:2], box[2:]))
        w, h = max(1, round(span[0] * self.ss)), max(1, round(span[1] * self.ss))
        pic = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8)).resize((w, h), Image.Resampling.NEAREST)
        self.img.paste(pic.crop((0, 0, x1 - x0, y1 - y0)), (x0, y0))

    def png(self) -> str:
        """The figure as base64 PNG (no metadata: same input, same bytes)."""
        return base64.b64encode(png_bytes(np.asarray(self.img))).decode("ascii")


def png_bytes(rgb: np.ndarray, level: int = 6) -> bytes:
    """A PNG file of an (h, w, 3) uint8 image, written by Pillow with no metadata (same input, same bytes)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), "RGB").save(buf, format="PNG", compress_level=level)
    return buf.getvalue()


def _ticks(lo: float, hi: float, *, integer: bool = False, nbins: int = 8) -> list[float]:
    """Nice tick values inside [lo, hi], as matplotlib's own axes would choose them."""
    from matplotlib.ticker import MaxNLocator

    if not hi > lo:
        return [lo]
    vals = MaxNLocator(nbins=nbins, steps=list(_STEPS), integer=integer).tick_values(lo, hi)
    eps = (hi - lo) * 1e-9
    return [float(v) for v in vals if lo - eps <= v <= hi + eps]


def _labels(values: Sequence[float]) -> list[str]:
    """Tick labels with as few decimals as tell the values apart exactly (``0.0 0.2``, ``0.05 0.10``)."""
    for d in range(5):
        if all(abs(round(v, d) - v) < 1e-9 for v in values):
            break
    d = max(d, 1) if any(v != int(v) for v in values) else d
    return [f"{v:.{d}f}" for v in values]


class _Axes:
    """Data -> pixel mapping of a box on a canvas, with ticks, labels and a frame."""

    def __init__(self, c: _Canvas, box: tuple[float, float, float, float], xlim: tuple[float, float],
                 ylim: tuple[float, float]) -> None:
        self.c, self.box, self.xlim, self.ylim = c, box, xlim, ylim  # ylim: (value at the bottom, at the top)

    def px(self, x: Any, y: Any) -> tuple[Any, Any]:
        """Data to canvas coordinates, of one point (floats) or of many (float64 arrays: the same values)."""
        x0, y0, x1, y1 = self.box
        return (x0 + (x - self.xlim[0]) / (self.xlim[1] - self.xlim[0]) * (x1 - x0),
                y1 - (y - self.ylim[0]) / (self.ylim[1] - self.ylim[0]) * (y1 - y0))

    def xticks(self, values: Sequence[float], labels: Sequence[str], size_pt: float = 8) -> None:
        _, _, _, y1 = self.box
        for v, s in zip(values, labels, strict=True):
            x = self.px(v, self.ylim[0])[0]
            self.c.line([(x, y1), (x, y1 + 3.5 * PT)], "#000000", 0.8 * PT)
            self.c.text(x, y1 + 3.5 * PT + 3.5 * PT, s, size_pt, anchor="mt")

    def yticks(self, values: Sequence[float], labels: Sequence[str], size_pt: float = 8, *, right: bool = False) -> None:
        x0, _, x1, _ = self.box
        for v, s in zip(values, labels, strict=True):
            y = self.px(self.xlim[0], v)[1]
            if right:
                self.c.line([(x1, y), (x1 + 3.5 * PT, y)], "#000000", 0.8 * PT)
                self.c.text(x1 + 7 * PT, y, s, size_pt, anchor="lm")
            else:
                self.c.line([(x0 - 3.5 * PT, y), (x0, y)], "#000000", 0.8 * PT)
                self.c.text(x0 - 7 * PT, y, s, size_pt, anchor="rm")

    def frame(self, sides: str = "lrtb") -> None:
        x0, y0, x1, y1 = self.box
        w = 0.8 * PT
        for side, pts in (("l", [(x0, y0), (x0, y1)]), ("r", [(x1, y0), (x1, y1)]),
                          ("t", [(x0, y0), (x1, y0)]), ("b", [(x0, y1), (x1, y1)])):
            if side in sides:
                self.c.line(pts, "#000000", w)


@functools.cache
def _colormap(name: str):
    """A matplotlib colour map, kept: the registry hands out a fresh copy (and lookup table) each time."""
    from matplotlib import colormaps

    return colormaps[name]


def _cmap_rgb(name: str, values: np.ndarray) -> np.ndarray:
    """``values`` in [0, 1] through a matplotlib colour map, as uint8 RGB."""
    return _colormap(name)(np.clip(values, 0.0, 1.0), bytes=True)[..., :3]


@functools.cache
def _palette() -> tuple[str, ...]:
    from matplotlib.colors import to_hex

    cmap = _colormap("RdYlGn")
    return tuple(to_hex(cmap(k / 255 * 0.9 + 0.05)) for k in range(256))


def warm_up() -> None:
    """Load now the colour map and the font the first plot would load (corpus workers, at start-up)."""
    _palette()
    _font(10)


def score_colour(score: float | None) -> str:
    """Hex colour of a score on the red-yellow-green scale the table and histogram share."""
    if score is None or not math.isfinite(score):
        return "#9e9e9e"
    return _palette()[round(min(max(score, 0.0), 1.0) * 255)]


def _mean(idx: Sequence[int]) -> float:
    """The mean of a bead's indices: ``np.mean``'s value (an exact sum, one division) at a 20th of its cost."""
    return sum(idx) / len(idx)


def display_scale(img: np.ndarray) -> tuple[np.ndarray, float, float]:
    """The matrix as the heat map shows it, and the values drawn white (``lo``) and darkest (``hi``).

    Raw cosines of a multilingual model are compressed (e5: nearly every pair of
    a news article lies between 0.85 and 0.90), and some segments (a name, a
    date line) are close to everything: a scale over the raw values shows
    those rows and columns as dark as the translations. So each cell is shown
    relative to its row and column, ``cosine - (row median + column median) / 2``
    (what a segment's best match stands out by), and the scale runs from the
    median of those (white: an ordinary, unrelated pair) to the median of the
    rows' best cells (darkest: a typical translation), robust percentiles of
    the matrix shown: the diagonal of a good alignment is dark from end to end,
    whatever the model's range.
    """
    if not img.size:
        return img, 0.0, 1.0
    shown = img - (np.median(img, axis=1, keepdims=True) + np.median(img, axis=0, keepdims=True)) / 2
    lo = float(np.median(shown))
    hi = float(np.median(shown.max(axis=1)))
    if hi - lo < 1e-6:  # most rows have no match that stands out: scale to the few that do
        hi = float(shown.max())
    return shown, lo, hi if hi - lo >= 1e-6 else lo + 1e-6


def dot_plot(
    beads: Sequence[dict],
    n_src: int,
    n_tgt: int,
    matrix: dict | None,
) -> str:
    """Base64 PNG (620 x 620): the similarity heat map with the chosen path drawn over it.

    ``beads`` are the report's bead dicts (``src``, ``tgt``, ``flags``);
    ``matrix`` the encoded reduced matrix or None (then the path alone).
    """
    c = _Canvas(620, 620)
    # Margins for the tick labels and axis titles, a colour bar on the right and a legend
    # of up to two rows below.
    ax = _Axes(c, DOT_BOX, (-0.5, max(n_tgt, 1) - 0.5), (max(n_src, 1) - 0.5, -0.5))
    x0, y0, x1, y1 = ax.box
    if matrix is not None:
        img = decode_matrix(matrix)
        bs, bt = matrix["block"]
        rows, cols = matrix["cells"]
        shown, lo, hi = display_scale(img)
        c.image(_cmap_rgb("Blues", (shown - lo) / (hi - lo)), ax.box,
                (cols * bt * (x1 - x0) / max(n_tgt, 1), rows * bs * (y1 - y0) / max(n_src, 1)))
        _colour_bar(c, (x1 + 12, y0 + 0.1 * (y1 - y0), x1 + 32, y1 - 0.1 * (y1 - y0)), lo, hi)
    else:
        c.rect(x0, y0, x1, y1, fill="#fafafa")
        c.text((x0 + x1) / 2, y1 - 6, "similarity matrix not available: path only", 8, colour="#666666",
               anchor="mb")
    xs: list[float] = []
    ys: list[float] = []
    fx: list[float] = []
    fy: list[float] = []
    om: list[tuple[float, float]] = []  # omissions: source segments with no target
    ad: list[tuple[float, float]] = []  # additions: target segments with no source
    last_t, last_s = -0.5, -0.5
    for b in beads:
        if "reordered" in b["flags"] and b["src"] and b["tgt"]:  # out of order: a mark off the path, not a detour
            fx.append(_mean(b["tgt"]))
            fy.append(_mean(b["src"]))
            continue
        if b["src"] and b["tgt"]:
            y, x = _mean(b["src"]), _mean(b["tgt"])
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
    # The path must leave the cells that are its evidence visible. Where a cell is a few pixels
    # wide or more, each pair's cells get a thin outline (their colour stays inside it);
    # where cells are smaller, the path is a thin line drawn beside the diagonal, offset
    # down and to the left by ``offset`` pixels, never over the cells it passes.
    cell = min((x1 - x0) / max(n_tgt, 1), (y1 - y0) / max(n_src, 1))
    outline = cell >= OUTLINE_MIN_CELL_PX
    offset = max(3.0, cell)
    styles = {  # kind, diameter, colour, line width (points)
        "path": ("box" if outline else "line", 0, "#f28e2b", 0.9 if outline or big else 1.2),
        "flag": ("O", 3.5 if big else 7, "#c0143c", 0.8 if big else 1.4),
        "om": ("x", 3 if big else 5, "#d62728", 1.0 if big else 1.3),
        "ad": ("+", 3.5 if big else 6, "#9467bd", 1.0 if big else 1.3),
    }
    # The path and the marks: on a smoothed patch of the axes, clipped to them as matplotlib would.
    layer = c.patch(ax.box)
    _, _, colour, width = styles["path"]
    if outline:
        for b in beads:
            if b["src"] and b["tgt"]:
                (bx0, by0), (bx1, by1) = ax.px(min(b["tgt"]) - 0.5, min(b["src"]) - 0.5), ax.px(max(b["tgt"]) + 0.5, max(b["src"]) + 0.5)
                inset = width * PT / 2  # the outline lies on the cells' edge, inside their box
                layer.rect(bx0 + inset, by0 + inset, bx1 - inset, by1 - inset, outline=colour, width=width * PT)
    else:
        px, py = ax.px(np.array(xs, dtype=float), np.array(ys, dtype=float))
        layer.line(list(zip((px - offset).tolist(), (py + offset).tolist())), colour, width * PT)
    for key, (mx, my) in (("flag", (fx, fy)), ("om", _unzip(om)), ("ad", _unzip(ad))):
        kind, size, colour, width = styles[key]
        if mx:
            layer.markers(kind, *ax.px(np.array(mx, dtype=float), np.array(my, dtype=float)), size * PT, colour,
                          width * PT)
    c.put(layer)
    ax.frame()
    # Segments are numbered from 1 on the page (the table's src/tgt columns, the review sheet, the
    # editor): tick k labels the segment at index k - 1.
    xt = [v for v in _ticks(1, max(n_tgt, 1), integer=True) if v >= 1]
    ax.xticks([v - 1 for v in xt], [str(int(v)) for v in xt])
    yt = [v for v in _ticks(1, max(n_src, 1), integer=True) if v >= 1]
    ax.yticks([v - 1 for v in yt], [str(int(v)) for v in yt])
    c.text((x0 + x1) / 2, y1 + 26, f"target segment ({n_tgt})", 9, anchor="mt")
    c.text(x0 - 40, (y0 + y1) / 2, f"source segment ({n_src})", 9, anchor="rm", vertical=True)
    entries = [("path", "alignment path (outline of each pair's cells)" if outline else "alignment path (beside the cells)")]
    entries += [("flag", "flagged pair")] if fx else []
    entries += [("om", "omission (source only)")] if om else []
    entries += [("ad", "addition (target only)")] if ad else []
    _legend(c, entries, styles, top=y1 + 50)
    return c.png()


def _unzip(points: list[tuple[float, float]]) -> tuple[list[float], list[float]]:
    return [x for x, _ in points], [y for _, y in points]


def _colour_bar(c: _Canvas, box: tuple[float, float, float, float], lo: float, hi: float) -> None:
    """The heat map's scale: Blues from ``lo`` (bottom) to ``hi`` (top), ticked on the right."""
    x0, y0, x1, y1 = box
    n = max(2, round(y1 - y0))
    c.image(np.repeat(_cmap_rgb("Blues", np.linspace(1.0, 0.0, n))[:, None, :], 1, axis=1), box, (x1 - x0, y1 - y0))
    bar = _Axes(c, box, (0.0, 1.0), (lo, hi))
    bar.frame()
    ticks = _ticks(lo, hi, nbins=6)
    bar.yticks(ticks, _labels(ticks), 7, right=True)
    c.text(x1 + 36, (y0 + y1) / 2, "cosine above its row and column median", 8, anchor="lm", vertical=True)


def _legend(c: _Canvas, entries: list[tuple[str, str]], styles: dict, top: float) -> None:
    """Up to four entries in two columns (filled column by column), centred under the plot."""
    per_col = math.ceil(len(entries) / 2)
    cols = [entries[:per_col], entries[per_col:]]
    font = _font(round(7.5 * PT))
    widths = [max((font.getlength(label) for _, label in col), default=0) + 30 for col in cols]
    x = (c.w - sum(widths) - 20 * (len([w for w in widths if w > 30]) - 1)) / 2
    handles = c.patch((0, top - 8, c.w, top + 14 * per_col))  # the handles, smoothed like the plot's
    for col, w in zip(cols, widths, strict=True):
        for row, (key, _) in enumerate(col):
            y = top + 14 * row
            kind, size, colour, width = styles[key]
            if kind == "box":
                handles.rect(x + 4, y - 5, x + 16, y + 5, outline=colour, width=width * PT)
            elif kind == "line":
                handles.line([(x, y), (x + 20, y)], colour, width * PT)
            else:
                handles.marker(kind, x + 10, y, size * PT, colour, width * PT)
        x += w + 20
    c.put(handles)
    x = (c.w - sum(widths) - 20 * (len([w for w in widths if w > 30]) - 1)) / 2
    for col, w in zip(cols, widths, strict=True):
        for row, (_, label) in enumerate(col):
            c.text(x + 28, top + 14 * row, label, 7.5, anchor="lm")
        x += w + 20


def score_histogram(scores: Sequence[float], low_score: float | None, *, what: str = "bead score (two-sided beads)",
                    unit: str = "beads", empty: str = "no translation units") -> str:
    """Base64 PNG (620 x 290): histogram of the scores, bars coloured like the table.

    ``what`` names the x axis, ``unit`` the y axis, ``empty`` what an empty plot says
    (the alignment report's beads by default; ``align score``'s page: units of a memory).
    """
    edges = np.linspace(0.0, 1.0, 21)
    counts, _ = np.histogram(np.clip(np.asarray(scores, dtype=float), 0, 1), bins=edges)
    centres = (edges[:-1] + edges[1:]) / 2
    top = max(int(counts.max()) if len(counts) else 0, 1)
    c = _Canvas(620, 290)
    ax = _Axes(c, HIST_BOX, (0.0, 1.0), (0.0, top * 1.05))
    x0, y0, x1, y1 = ax.box
    for centre, n in zip(centres, counts, strict=True):
        if n:
            (bx0, by0), (bx1, by1) = ax.px(centre - 0.024, n), ax.px(centre + 0.024, 0)
            c.rect(bx0, by0, bx1, by1, fill=score_colour(centre), outline="#555555", width=0.4 * PT)
    if low_score is not None:
        lx = ax.px(low_score, 0)[0]
        c.line([(lx, y0), (lx, y1)], "#444444", PT, dash=(3.7 * PT, 1.6 * PT))
        c.text(lx, y0 + 0.03 * (y1 - y0), f" low-score < {low_score:.2f}", 7.5, colour="#444444", anchor="lt")
    ax.frame("lb")
    xt = _ticks(0.0, 1.0)
    ax.xticks(xt, _labels(xt))
    yt = _ticks(0, top * 1.05, integer=True, nbins=6)
    ax.yticks(yt, [str(int(v)) for v in yt])
    c.text((x0 + x1) / 2, y1 + 26, what, 9, anchor="mt")
    c.text(x0 - 36, (y0 + y1) / 2, unit, 9, anchor="rm", vertical=True)
    if not len(scores):
        c.text((x0 + x1) / 2, (y0 + y1) / 2, empty, 10, colour="#666666", anchor="mm")
    return c.png()
